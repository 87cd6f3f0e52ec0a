//! Models of `spindle_sync::Notify`.
//!
//! What they prove: a `notify_one` racing a waiter that is about to wait is never lost
//! (stored as the permit or handed to the waiter); and a `Notified` that is dropped
//! while a `notify_one` is handed to it passes the notification on to the next waiter,
//! so cancellation never swallows a notification.

#![cfg(loom)]

use std::pin::pin;

use loom::future::block_on;
use loom::sync::Arc;
use spindle_loom_tests::{model, poll_noop};
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
