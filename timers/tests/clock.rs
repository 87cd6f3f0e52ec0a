//! The test clock and the current-handle context.

mod support;

use std::time::Duration;

use spindle_timers::time::{self, Instant};
use spindle_timers::{Driver, Handle};
use support::expect_panic;

#[test]
fn paused_clock_stands_still_until_advanced() {
    let driver = Driver::new(false);
    let (frozen, advanced) = driver.block_on(async {
        time::pause();
        let frozen = Instant::now();
        assert_eq!(Instant::now(), frozen);
        time::advance(Duration::from_secs(90)).await;
        (frozen, Instant::now())
    });
    assert_eq!(advanced - frozen, Duration::from_secs(90));
}

#[test]
fn resumed_clock_continues_from_the_paused_reading() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let frozen = Instant::now();
    time::resume();
    assert!(!time::is_paused());
    assert!(Instant::now() >= frozen);
}

#[test]
fn start_paused_driver_reports_a_paused_clock() {
    let driver = Driver::new(true);
    assert!(driver.is_paused());
    let _entered = driver.handle().enter();
    assert!(time::is_paused());
}

#[test]
fn pause_twice_panics_with_a_clear_message() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let message = expect_panic(time::pause);
    assert!(
        message.contains("spindle::time::pause called while the clock is already paused"),
        "{message}"
    );
}

#[test]
fn resume_of_a_running_clock_panics_with_a_clear_message() {
    let driver = Driver::new(false);
    let _entered = driver.handle().enter();
    let message = expect_panic(time::resume);
    assert!(
        message.contains("spindle::time::resume called while the clock is not paused"),
        "{message}"
    );
}

#[test]
fn advance_of_a_running_clock_panics_with_a_clear_message() {
    let driver = Driver::new(false);
    let message = expect_panic(std::panic::AssertUnwindSafe(|| {
        driver.block_on(time::advance(Duration::from_secs(1)))
    }));
    assert!(
        message.contains("spindle::time::advance called while the clock is not paused"),
        "{message}"
    );
}

#[test]
fn pause_outside_a_runtime_panics_naming_the_call() {
    let message = expect_panic(time::pause);
    assert!(
        message.contains("spindle::time::pause called outside a runtime"),
        "{message}"
    );
}

#[test]
fn advance_fires_the_timers_it_passes() {
    let driver = Driver::new(true);
    let fired = driver.block_on(async {
        let sleep = time::sleep(Duration::from_secs(10));
        let mut sleep = std::pin::pin!(sleep);
        assert!(futures::poll!(sleep.as_mut()).is_pending());
        time::advance(Duration::from_secs(10)).await;
        futures::poll!(sleep.as_mut()).is_ready()
    });
    assert!(fired);
    assert_eq!(driver.pending_timers(), 0);
}

#[test]
fn entering_nests_and_restores_the_previous_handle() {
    assert!(Handle::try_current().is_none());
    let outer = Driver::new(false);
    let inner = Driver::new(true);
    {
        let _outer_guard = outer.handle().enter();
        assert!(Handle::current().ptr_eq(&outer.handle()));
        {
            let _inner_guard = inner.handle().enter();
            assert!(Handle::current().ptr_eq(&inner.handle()));
        }
        assert!(Handle::current().ptr_eq(&outer.handle()));
    }
    assert!(Handle::try_current().is_none());
}

#[test]
fn handle_current_outside_a_runtime_panics_with_a_clear_message() {
    let message = expect_panic(Handle::current);
    assert!(
        message.contains("called outside a runtime with time enabled"),
        "{message}"
    );
}

#[test]
fn pausing_one_runtime_leaves_another_running() {
    let first = Driver::new(false);
    let second = Driver::new(false);
    {
        let _entered = first.handle().enter();
        time::pause();
    }
    assert!(first.is_paused());
    assert!(!second.is_paused());
    let _entered = second.handle().enter();
    assert!(!time::is_paused());
}
