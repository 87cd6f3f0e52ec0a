//! loom models of the driver's lock protocol: registration racing with parking,
//! firing and cancel. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p spindle-timers --test loom_driver --release`.

#![cfg(loom)]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use spindle_timers::{time, Driver};

fn poll_noop(sleep: &mut time::Sleep) -> Poll<()> {
    let mut cx = Context::from_waker(Waker::noop());
    std::future::Future::poll(Pin::new(sleep), &mut cx)
}

#[test]
fn earlier_insert_racing_with_begin_park_is_never_missed() {
    loom::model(|| {
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
            assert_eq!(poll_noop(&mut sleep), Poll::Pending);
            sleep // stays registered until the model checks the outcome
        });
        let timeout = driver.begin_park();
        let sleep = inserter.join().expect("the inserter does not panic");
        // Either the park saw the timer, or the insert unparked the parked worker.
        let saw_timer = timeout.is_some_and(|timeout| timeout <= Duration::from_secs(1));
        assert!(saw_timer || unparks.load(Ordering::SeqCst) == 1);
        drop(sleep);
    });
}

#[test]
fn cancel_racing_with_fire_leaves_no_entry_behind() {
    loom::model(|| {
        let driver = Arc::new(Driver::new(true));
        let handle = driver.handle();
        let mut sleep = {
            let _entered = handle.enter();
            time::sleep(Duration::from_millis(1))
        };
        assert_eq!(poll_noop(&mut sleep), Poll::Pending);
        let canceller = loom::thread::spawn(move || drop(sleep));
        driver.auto_advance();
        canceller.join().expect("the canceller does not panic");
        assert_eq!(driver.pending_timers(), 0);
    });
}
