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

#[test]
fn dropping_a_middle_waiter_keeps_the_others_in_order() {
    let notify = Notify::new();
    let mut first = Box::pin(notify.notified());
    let mut middle = Box::pin(notify.notified());
    let mut last = Box::pin(notify.notified());
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut middle).is_pending());
    assert!(poll_once(&mut last).is_pending());
    drop(middle);
    notify.notify_one();
    assert!(poll_once(&mut last).is_pending());
    assert!(poll_once(&mut first).is_ready());
    notify.notify_one();
    assert!(poll_once(&mut last).is_ready());
}

#[test]
fn dropping_the_last_waiter_lets_a_new_one_queue_behind_the_first() {
    let notify = Notify::new();
    let mut first = Box::pin(notify.notified());
    let mut dropped = Box::pin(notify.notified());
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut dropped).is_pending());
    drop(dropped);
    let mut newcomer = Box::pin(notify.notified());
    assert!(poll_once(&mut newcomer).is_pending());
    notify.notify_one();
    assert!(poll_once(&mut newcomer).is_pending());
    assert!(poll_once(&mut first).is_ready());
    notify.notify_one();
    assert!(poll_once(&mut newcomer).is_ready());
}

#[test]
fn dropping_the_front_waiter_makes_the_next_one_the_front() {
    let notify = Notify::new();
    let mut front = Box::pin(notify.notified());
    let mut next = Box::pin(notify.notified());
    assert!(poll_once(&mut front).is_pending());
    assert!(poll_once(&mut next).is_pending());
    drop(front);
    notify.notify_one();
    assert!(poll_once(&mut next).is_ready());
    // The queue is empty again: the next notification is stored.
    notify.notify_one();
    assert!(poll_once(&mut Box::pin(notify.notified())).is_ready());
}

#[test]
fn notify_one_wakes_the_waker_of_the_latest_poll() {
    let notify = Notify::new();
    let (stale, latest) = (Counter::new(), Counter::new());
    let mut notified = Box::pin(notify.notified());
    assert!(stale.poll(&mut notified).is_pending());
    assert!(latest.poll(&mut notified).is_pending());
    notify.notify_one();
    assert_eq!((stale.wakes(), latest.wakes()), (0, 1));
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn notify_waiters_completes_an_enabled_future_that_was_never_polled() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    assert!(!notified.as_mut().enable());
    notify.notify_waiters();
    assert!(
        notified.as_mut().enable(),
        "enable reports the notification"
    );
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn notify_waiters_leaves_a_stored_permit_alone() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_waiters();
    assert!(poll_once(&mut Box::pin(notify.notified())).is_ready());
    assert!(poll_once(&mut Box::pin(notify.notified())).is_pending());
}

#[test]
fn notified_created_after_notify_waiters_waits_for_the_next_one() {
    let notify = Notify::new();
    let mut early = Box::pin(notify.notified());
    notify.notify_waiters();
    let mut late = Box::pin(notify.notified());
    assert!(poll_once(&mut late).is_pending());
    assert!(poll_once(&mut early).is_ready());
    notify.notify_waiters();
    assert!(poll_once(&mut late).is_ready());
}

#[test]
fn notified_woken_by_notify_waiters_and_dropped_unpolled_passes_nothing_on() {
    let notify = Notify::new();
    let mut dropped = Box::pin(notify.notified());
    assert!(poll_once(&mut dropped).is_pending());
    notify.notify_waiters();
    drop(dropped);
    assert!(poll_once(&mut Box::pin(notify.notified())).is_pending());
}

#[test]
fn two_threads_handing_a_turn_back_and_forth_never_lose_a_notification() {
    // The bench's notify_ping_pong on OS threads: each side waits on its own Notify
    // and notifies the other's; a lost notification would hang the test.
    let rounds = 2_000;
    let (ping, pong) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let responder = {
        let (ping, pong) = (Arc::clone(&ping), Arc::clone(&pong));
        std::thread::spawn(move || {
            block_on(async {
                for _ in 0..rounds {
                    ping.notified().await;
                    pong.notify_one();
                }
            })
        })
    };
    block_on(async {
        for _ in 0..rounds {
            ping.notify_one();
            pong.notified().await;
        }
    });
    responder.join().expect("responder panicked");
}
