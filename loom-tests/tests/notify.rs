//! Models of `spindle_sync::Notify`.
//!
//! The protocol under test (see `sync/src/notify.rs`): one atomic word holds the phase
//! (`EMPTY` / `WAITING` / `NOTIFIED`) and the `notify_waiters` generation; `EMPTY` ⇄
//! `NOTIFIED` flips without the lock, `WAITING` is entered and left only under it, and
//! a queued waiter learns it was notified from an atomic flag in its own node, without
//! the lock.
//!
//! What they prove: a `notify_one` racing a waiter that is about to wait (first poll
//! or `enable`) is never lost and never doubled (handed to the waiter or stored as the
//! permit, consumed once), and the woken waiter sees what the notifier wrote before; a re-poll with a new waker racing `notify_one` is either
//! ready or its new waker is woken; a `notify_waiters` racing the creation and first
//! poll of a `Notified` in the check-then-wait pattern is never missed (a miss is a
//! loom deadlock); and a `Notified` dropped while a `notify_one` is handed to it passes
//! the notification on, to the next waiter or back to the permit, so cancellation
//! never swallows a notification.

#![cfg(loom)]

use std::pin::pin;

use loom::future::block_on;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Arc;
use spindle_loom_tests::{model, poll_noop, poll_once, CountingWaker};
use spindle_sync::Notify;

#[test]
fn notify_one_racing_a_new_waiter_is_never_lost() {
    model("notify_one_racing_a_new_waiter_is_never_lost", || {
        let notify = Arc::new(Notify::new());
        let waiter = {
            let notify = notify.clone();
            loom::thread::spawn(move || block_on(notify.notified()))
        };
        notify.notify_one();
        waiter.join().unwrap();
    });
}

#[test]
fn notify_one_publishes_what_was_written_before_it() {
    model("notify_one_publishes_what_was_written_before_it", || {
        let notify = Arc::new(Notify::new());
        let message = Arc::new(AtomicUsize::new(0));
        let notifier = {
            let (notify, message) = (notify.clone(), message.clone());
            loom::thread::spawn(move || {
                message.store(7, Ordering::Relaxed);
                notify.notify_one();
            })
        };
        // Through the permit or through the waiter's flag, the notification orders
        // the relaxed write before this read; loom would otherwise let it read 0.
        block_on(notify.notified());
        assert_eq!(message.load(Ordering::Relaxed), 7);
        notifier.join().unwrap();
    });
}

#[test]
fn notify_one_racing_enable_is_delivered_exactly_once() {
    model("notify_one_racing_enable_is_delivered_exactly_once", || {
        let notify = Arc::new(Notify::new());
        let notifier = {
            let notify = notify.clone();
            loom::thread::spawn(move || notify.notify_one())
        };
        let mut notified = pin!(notify.notified());
        // Either it takes the permit stored before it, or it is queued and receives
        // the notification later; both end ready below.
        let _ = notified.as_mut().enable();
        notifier.join().unwrap();

        assert!(
            poll_noop(&mut notified.as_mut()).is_ready(),
            "the enabled future got the notification"
        );
        assert!(
            poll_noop(&mut pin!(notify.notified())).is_pending(),
            "and it was not also stored as a permit"
        );
    });
}

#[test]
fn repoll_with_a_new_waker_racing_notify_one_is_ready_or_woken() {
    model(
        "repoll_with_a_new_waker_racing_notify_one_is_ready_or_woken",
        || {
            let notify = Arc::new(Notify::new());
            let mut notified = pin!(notify.notified());
            let (first, first_waker) = CountingWaker::new();
            assert!(poll_once(&mut notified.as_mut(), &first_waker).is_pending());

            let notifier = {
                let notify = notify.clone();
                loom::thread::spawn(move || notify.notify_one())
            };
            let (second, second_waker) = CountingWaker::new();
            let repoll = poll_once(&mut notified.as_mut(), &second_waker);
            notifier.join().unwrap();

            if repoll.is_pending() {
                assert_eq!(second.wakes(), 1, "the waker of the latest poll was woken");
                assert!(poll_noop(&mut notified.as_mut()).is_ready());
            }
            assert_eq!(first.wakes() + second.wakes(), 1, "exactly one wake-up");
        },
    );
}

#[test]
fn notify_waiters_racing_check_then_wait_is_never_missed() {
    model(
        "notify_waiters_racing_check_then_wait_is_never_missed",
        || {
            let notify = Arc::new(Notify::new());
            let flag = Arc::new(AtomicBool::new(false));
            let setter = {
                let (notify, flag) = (notify.clone(), flag.clone());
                loom::thread::spawn(move || {
                    flag.store(true, Ordering::Release);
                    notify.notify_waiters();
                })
            };
            // Create the future, check the condition, then wait: a `notify_waiters`
            // after the creation completes it, so the wait below always ends.
            let notified = notify.notified();
            if !flag.load(Ordering::Acquire) {
                block_on(notified);
            }
            setter.join().unwrap();
        },
    );
}

#[test]
fn notify_waiters_racing_the_first_poll_completes_it() {
    model("notify_waiters_racing_the_first_poll_completes_it", || {
        let notify = Arc::new(Notify::new());
        // Created before the call, so the call must complete it, whether it lands
        // before the first poll (generation check), during it (the queueing
        // compare-exchange fails) or after it (the queue is drained).
        let notified = notify.notified();
        let notifier = {
            let notify = notify.clone();
            loom::thread::spawn(move || notify.notify_waiters())
        };
        block_on(notified);
        notifier.join().unwrap();
        assert!(
            poll_noop(&mut pin!(notify.notified())).is_pending(),
            "notify_waiters stores no permit"
        );
    });
}

#[test]
fn notified_dropped_during_notify_one_passes_the_permit_on() {
    model(
        "notified_dropped_during_notify_one_passes_the_permit_on",
        || {
            let notify = Arc::new(Notify::new());
            let mut first = Box::pin(notify.notified());
            let mut second = pin!(notify.notified());
            assert!(poll_noop(&mut first.as_mut()).is_pending());
            assert!(poll_noop(&mut second.as_mut()).is_pending());

            let notifier = {
                let notify = notify.clone();
                loom::thread::spawn(move || notify.notify_one())
            };
            drop(first); // cancelled while the notification may be on its way to it
            notifier.join().unwrap();

            assert!(
                poll_noop(&mut second.as_mut()).is_ready(),
                "the notification reached the remaining waiter"
            );
            // Consumed exactly once: nothing is left stored.
            assert!(poll_noop(&mut pin!(notify.notified())).is_pending());
        },
    );
}

#[test]
fn only_waiter_dropped_during_notify_one_leaves_the_permit() {
    model(
        "only_waiter_dropped_during_notify_one_leaves_the_permit",
        || {
            let notify = Arc::new(Notify::new());
            let mut only = Box::pin(notify.notified());
            assert!(poll_noop(&mut only.as_mut()).is_pending());

            let notifier = {
                let notify = notify.clone();
                loom::thread::spawn(move || notify.notify_one())
            };
            // The notification lands on the queued waiter (which then forwards it to the
            // permit) or, once the drop emptied the queue, goes to the permit directly.
            drop(only);
            notifier.join().unwrap();

            assert!(
                poll_noop(&mut pin!(notify.notified())).is_ready(),
                "the notification survived the cancellation as the permit"
            );
            assert!(
                poll_noop(&mut pin!(notify.notified())).is_pending(),
                "stored once"
            );
        },
    );
}
