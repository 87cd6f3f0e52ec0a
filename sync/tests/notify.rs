//! Notify: stored permits, FIFO notify_one, notify_waiters, enable and cancellation.

mod common;

use std::pin::pin;
use std::sync::Arc;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::Notify;

#[test]
fn notify_one_before_waiting_stores_a_permit() {
    let notify = Notify::new();
    notify.notify_one();
    let mut notified = Box::pin(notify.notified());
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn stored_permits_do_not_accumulate() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    assert!(poll_once(&mut Box::pin(notify.notified())).is_ready());
    assert!(poll_once(&mut Box::pin(notify.notified())).is_pending());
}

#[test]
fn notify_one_wakes_the_longest_waiting_task() {
    let notify = Notify::new();
    let (first_counter, second_counter) = (Counter::new(), Counter::new());
    let mut first = Box::pin(notify.notified());
    let mut second = Box::pin(notify.notified());
    assert!(first_counter.poll(&mut first).is_pending());
    assert!(second_counter.poll(&mut second).is_pending());
    notify.notify_one();
    assert_eq!((first_counter.wakes(), second_counter.wakes()), (1, 0));
    assert!(poll_once(&mut second).is_pending());
    assert!(poll_once(&mut first).is_ready());
}

#[test]
fn notify_waiters_wakes_every_waiter_but_stores_no_permit() {
    let notify = Notify::new();
    let mut first = Box::pin(notify.notified());
    let mut second = Box::pin(notify.notified());
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    notify.notify_waiters();
    assert!(poll_once(&mut first).is_ready());
    assert!(poll_once(&mut second).is_ready());
    assert!(poll_once(&mut Box::pin(notify.notified())).is_pending());
}

#[test]
fn notified_created_before_notify_waiters_completes_without_being_polled_first() {
    let notify = Notify::new();
    let mut notified = Box::pin(notify.notified());
    notify.notify_waiters();
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn enabled_future_receives_notify_one_instead_of_the_permit() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    assert!(!notified.as_mut().enable());
    notify.notify_one();
    // The notification went to the enabled future, not to a stored permit.
    assert!(poll_once(&mut Box::pin(notify.notified())).is_pending());
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn dropping_a_notified_future_passes_its_notification_on() {
    let notify = Notify::new();
    let mut dropped = Box::pin(notify.notified());
    let mut next = Box::pin(notify.notified());
    let counter = Counter::new();
    assert!(poll_once(&mut dropped).is_pending());
    assert!(counter.poll(&mut next).is_pending());
    notify.notify_one(); // goes to `dropped`
    drop(dropped);
    assert_eq!(counter.wakes(), 1);
    assert!(poll_once(&mut next).is_ready());
}

#[test]
fn dropping_the_only_notified_future_restores_the_permit() {
    let notify = Notify::new();
    let mut dropped = Box::pin(notify.notified());
    assert!(poll_once(&mut dropped).is_pending());
    notify.notify_one();
    drop(dropped);
    assert!(poll_once(&mut Box::pin(notify.notified())).is_ready());
}

#[test]
fn dropping_an_unnotified_waiter_leaves_no_trace() {
    let notify = Notify::new();
    let mut dropped = Box::pin(notify.notified());
    assert!(poll_once(&mut dropped).is_pending());
    drop(dropped);
    notify.notify_one();
    assert!(poll_once(&mut Box::pin(notify.notified())).is_ready());
}

#[test]
fn notify_one_from_another_thread_wakes_a_blocked_waiter() {
    let notify = Arc::new(Notify::new());
    let rounds = 200;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let waiter = {
        let notify = Arc::clone(&notify);
        std::thread::spawn(move || {
            for _ in 0..rounds {
                block_on(async {
                    let mut notified = pin!(notify.notified());
                    notified.as_mut().enable();
                    ready_tx.send(()).expect("notifier alive");
                    notified.await;
                });
            }
        })
    };
    for _ in 0..rounds {
        ready_rx.recv().expect("waiter alive");
        notify.notify_one();
    }
    waiter.join().expect("waiter panicked");
}
