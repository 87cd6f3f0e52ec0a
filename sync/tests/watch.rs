//! watch: latest-value semantics, coalescing, change tracking and closing.

mod common;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::watch;

#[test]
fn receiver_sees_the_initial_value_as_already_seen() {
    let (_tx, rx) = watch::channel(1);
    assert_eq!(*rx.borrow(), 1);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn several_sends_coalesce_into_one_change_with_the_latest_value() {
    let (tx, mut rx) = watch::channel(0);
    for i in 1..=5 {
        tx.send(i).expect("receiver alive");
    }
    block_on(rx.changed()).expect("sender alive");
    assert_eq!(*rx.borrow_and_update(), 5);
    let mut next_change = Box::pin(rx.changed());
    assert!(poll_once(&mut next_change).is_pending());
}

#[test]
fn send_wakes_a_waiting_changed_future() {
    let (tx, mut rx) = watch::channel(0);
    let counter = Counter::new();
    let mut changed = Box::pin(rx.changed());
    assert!(counter.poll(&mut changed).is_pending());
    tx.send(1).expect("receiver alive");
    assert_eq!(counter.wakes(), 1);
    assert!(matches!(
        poll_once(&mut changed),
        std::task::Poll::Ready(Ok(()))
    ));
}

#[test]
fn borrow_does_not_mark_seen_but_borrow_and_update_does() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).expect("receiver alive");
    assert!(rx.borrow().has_changed());
    assert_eq!(rx.has_changed(), Ok(true));
    assert!(rx.borrow_and_update().has_changed());
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn changed_fails_once_the_sender_is_dropped_and_nothing_is_unseen() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).expect("receiver alive");
    drop(tx);
    assert!(
        block_on(rx.changed()).is_ok(),
        "the unseen value is still reported"
    );
    assert!(block_on(rx.changed()).is_err());
}

#[test]
fn send_without_receivers_fails_but_send_replace_updates() {
    let (tx, rx) = watch::channel(0);
    drop(rx);
    assert_eq!(tx.send(1).map_err(|e| e.0), Err(1));
    assert_eq!(tx.send_replace(2), 0);
    assert_eq!(*tx.borrow(), 2);
}

#[test]
fn send_if_modified_notifies_only_when_it_modified() {
    let (tx, rx) = watch::channel(0);
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx.has_changed(), Ok(false));
    tx.send_modify(|value| *value += 1);
    assert_eq!(rx.has_changed(), Ok(true));
}

#[test]
fn wait_for_returns_the_first_value_meeting_the_condition() {
    let (tx, mut rx) = watch::channel(0);
    let setter = std::thread::spawn(move || {
        for i in 1..=10 {
            tx.send_replace(i);
        }
    });
    let value = *block_on(rx.wait_for(|value| *value >= 10)).expect("sender alive");
    assert_eq!(value, 10);
    setter.join().expect("setter panicked");
}

#[test]
fn sender_closed_completes_when_the_last_receiver_is_dropped() {
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    let counter = Counter::new();
    let mut closed = Box::pin(tx.closed());
    assert!(counter.poll(&mut closed).is_pending());
    drop(rx);
    assert!(counter.poll(&mut closed).is_pending());
    drop(rx2);
    assert!(counter.was_woken());
    assert!(poll_once(&mut closed).is_ready());
}

#[test]
fn subscribe_starts_with_the_current_value_seen() {
    let (tx, _rx) = watch::channel(0);
    tx.send(3).expect("receiver alive");
    let late = tx.subscribe();
    assert_eq!(late.has_changed(), Ok(false));
    assert_eq!(*late.borrow(), 3);
}
