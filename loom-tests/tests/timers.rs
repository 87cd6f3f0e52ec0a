//! Models of the timer driver's lock protocol (`spindle_timers::Driver`): insert,
//! cancel and fire racing each other and the driver's park, and fire racing a re-poll
//! that swaps the sleep's waker. They are the timer crate's only loom models.
//!
//! What they prove: a timer inserted earlier than the parked deadline while the
//! driver begins to park is either seen by the park or unparks the driver; a sleep
//! dropped while the driver fires it leaves no entry behind; and a sleep re-polled
//! with a new waker while it fires either completes on that poll or wakes that new
//! waker (the wheel never wakes a stale one only).

#![cfg(loom)]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use spindle_loom_tests::{model, CountingWaker};
use spindle_timers::{time, Driver};

fn poll_with(sleep: &mut time::Sleep, waker: &Waker) -> Poll<()> {
    std::future::Future::poll(Pin::new(sleep), &mut Context::from_waker(waker))
}

#[test]
fn earlier_insert_racing_with_begin_park_is_never_missed() {
    model(
        "earlier_insert_racing_with_begin_park_is_never_missed",
        || {
            let driver = Arc::new(Driver::new(false));
            let unparks = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&unparks);
            driver
                .handle()
                .new_unpark_hook(std::sync::Arc::new(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                }));
            let handle = driver.handle();
            let inserter = loom::thread::spawn(move || {
                let _entered = handle.enter();
                let mut sleep = time::sleep(Duration::from_secs(1));
                assert_eq!(poll_with(&mut sleep, Waker::noop()), Poll::Pending);
                sleep // stays registered until the model checks the outcome
            });
            let timeout = driver.begin_park();
            let sleep = inserter.join().expect("the inserter does not panic");
            let saw_timer = timeout.is_some_and(|timeout| timeout <= Duration::from_secs(1));
            assert!(saw_timer || unparks.load(Ordering::SeqCst) == 1);
            drop(sleep);
        },
    );
}

#[test]
fn cancel_racing_with_fire_leaves_no_entry_behind() {
    model("cancel_racing_with_fire_leaves_no_entry_behind", || {
        let driver = Arc::new(Driver::new(true));
        let handle = driver.handle();
        let mut sleep = {
            let _entered = handle.enter();
            time::sleep(Duration::from_millis(1))
        };
        assert_eq!(poll_with(&mut sleep, Waker::noop()), Poll::Pending);
        let canceller = loom::thread::spawn(move || drop(sleep));
        driver.auto_advance();
        canceller.join().expect("the canceller does not panic");
        assert_eq!(driver.pending_timers(), 0);
    });
}

#[test]
fn repoll_racing_with_fire_completes_or_wakes_the_new_waker() {
    model(
        "repoll_racing_with_fire_completes_or_wakes_the_new_waker",
        || {
            let driver = Arc::new(Driver::new(true));
            let handle = driver.handle();
            let mut sleep = {
                let _entered = handle.enter();
                time::sleep(Duration::from_millis(1))
            };
            assert_eq!(poll_with(&mut sleep, Waker::noop()), Poll::Pending);
            let poller = loom::thread::spawn(move || {
                let (counter, waker) = CountingWaker::new();
                let ready = poll_with(&mut sleep, &waker).is_ready();
                (sleep, counter, ready)
            });
            assert!(
                driver.auto_advance(),
                "the clock jumps to the sleep's deadline"
            );
            let (mut sleep, counter, ready) = poller.join().expect("the poller does not panic");
            if !ready {
                assert_eq!(
                    counter.wakes(),
                    1,
                    "the fire woke the waker of the last poll"
                );
                assert_eq!(poll_with(&mut sleep, Waker::noop()), Poll::Ready(()));
            }
            assert_eq!(driver.pending_timers(), 0);
        },
    );
}
