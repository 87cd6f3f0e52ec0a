//! Sleep: registration, cancel on drop, reset, deadlines that cannot overflow, the
//! cooperative budget, shutdown, and the panic outside a runtime.

mod support;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

use spindle_timers::time::{self, Instant};
use spindle_timers::Driver;
use support::{expect_panic, poll_noop, poll_once, CountingWaker};

#[test]
fn sleep_registers_on_first_poll_not_on_creation() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_secs(1));
    assert_eq!(driver.pending_timers(), 0);
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert_eq!(driver.pending_timers(), 1);
}

#[test]
fn dropped_sleep_never_fires_and_frees_its_entry() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let waker = CountingWaker::new();
    let mut sleep = time::sleep(Duration::from_millis(10));
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(Arc::clone(&waker))),
        Poll::Pending
    );
    drop(sleep);
    assert_eq!(driver.pending_timers(), 0);
    assert!(!driver.auto_advance(), "nothing is left to advance to");
    assert_eq!(driver.fire_due_timers(), 0);
    assert_eq!(waker.count(), 0, "the dropped sleep's waker was called");
}

#[test]
fn registering_and_dropping_sleeps_reuses_the_same_entry() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_millis(10));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    drop(sleep);
    let bytes = driver.allocated_bytes();
    for round in 0..1_000u64 {
        let mut sleep = time::sleep(Duration::from_millis(1 + round));
        assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    }
    assert_eq!(
        driver.allocated_bytes(),
        bytes,
        "the wheel grew for sleeps that were dropped"
    );
}

#[test]
fn reset_to_a_later_deadline_delays_the_sleep() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let start = Instant::now();
    let mut sleep = time::sleep(Duration::from_millis(10));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    Pin::new(&mut sleep).reset(start + Duration::from_secs(60));
    assert_eq!(driver.pending_timers(), 1);
    assert!(driver.auto_advance());
    assert_eq!(
        Instant::now() - start,
        Duration::from_secs(60),
        "fired at the old deadline"
    );
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
}

#[test]
fn reset_to_an_earlier_deadline_fires_the_sleep_sooner() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let start = Instant::now();
    let waker = CountingWaker::new();
    let mut sleep = time::sleep(Duration::from_secs(3600));
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(Arc::clone(&waker))),
        Poll::Pending
    );
    Pin::new(&mut sleep).reset(start + Duration::from_millis(3));
    assert!(driver.auto_advance());
    assert_eq!(Instant::now() - start, Duration::from_millis(3));
    assert_eq!(waker.count(), 1);
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
    assert_eq!(sleep.deadline(), start + Duration::from_millis(3));
}

#[test]
fn reset_into_the_past_wakes_the_sleep_at_once() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let start = Instant::now();
    let waker = CountingWaker::new();
    let mut sleep = time::sleep(Duration::from_secs(1));
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(Arc::clone(&waker))),
        Poll::Pending
    );
    Pin::new(&mut sleep).reset(start);
    assert_eq!(waker.count(), 1);
    assert_eq!(driver.pending_timers(), 0);
    assert!(sleep.is_elapsed());
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
}

#[test]
fn completed_sleep_reset_to_the_future_waits_again() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::ZERO);
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
    Pin::new(&mut sleep).reset(Instant::now() + Duration::from_millis(5));
    assert!(!sleep.is_elapsed());
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert!(driver.auto_advance());
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
}

#[test]
fn hour_long_sleep_completes_at_once_by_auto_advance() {
    let driver = Driver::new(true);
    let slept = driver.block_on(async {
        let start = Instant::now();
        time::sleep(Duration::from_secs(3600)).await;
        Instant::now() - start
    });
    assert_eq!(slept, Duration::from_secs(3600));
}

#[test]
fn sleep_of_duration_max_does_not_overflow() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let now = Instant::now();
    let mut sleep = time::sleep(Duration::MAX);
    assert!(sleep.deadline() > now + Duration::from_secs(86_400 * 365 * 29));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    let mut until = time::sleep_until(now + Duration::MAX);
    assert_eq!(poll_noop(&mut until), Poll::Pending);
    assert_eq!(driver.pending_timers(), 2);
    assert!(!sleep.is_elapsed());
}

#[test]
fn elapsed_sleep_returns_pending_when_the_budget_is_spent() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::ZERO);
    let waker = CountingWaker::new();
    let waker_handle = Waker::from(Arc::clone(&waker));
    let outcome = spindle_sync::coop::with_budget(|| {
        while spindle_sync::coop::has_budget_remaining() {
            let mut cx = std::task::Context::from_waker(Waker::noop());
            if let Poll::Ready(guard) = spindle_sync::coop::poll_proceed(&mut cx) {
                guard.made_progress();
            }
        }
        poll_once(&mut sleep, &waker_handle)
    });
    assert_eq!(outcome, Poll::Pending);
    assert_eq!(waker.count(), 1, "a budget yield must wake the task");
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
}

#[test]
fn sleep_outside_a_runtime_panics_naming_the_call() {
    let message = expect_panic(|| time::sleep(Duration::from_millis(1)));
    assert!(
        message.contains(
            "spindle::time::sleep called outside a runtime with time enabled: call it from \
             inside Runtime::block_on or a spawned task, and build the runtime with \
             enable_time() or enable_all()"
        ),
        "{message}"
    );
    let message = expect_panic(|| time::sleep_until(Instant::now()));
    assert!(
        message.contains("spindle::time::sleep_until called outside a runtime"),
        "{message}"
    );
}

#[test]
fn shutdown_wakes_pending_sleeps_and_later_polls_panic() {
    let driver = Driver::new(false);
    let _entered = driver.handle().enter();
    let waker = CountingWaker::new();
    let mut sleep = time::sleep(Duration::from_secs(60));
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(Arc::clone(&waker))),
        Poll::Pending
    );
    driver.shutdown();
    assert_eq!(waker.count(), 1);
    assert_eq!(driver.pending_timers(), 0);
    let message = expect_panic(std::panic::AssertUnwindSafe(|| poll_noop(&mut sleep)));
    assert!(
        message.contains("the timer's runtime was shut down"),
        "{message}"
    );
    drop(sleep); // dropping after shutdown must not panic
}

#[test]
fn dropping_the_driver_shuts_it_down() {
    let driver = Driver::new(false);
    let handle = driver.handle();
    let waker = CountingWaker::new();
    let mut sleep = {
        let _entered = handle.enter();
        time::sleep(Duration::from_secs(60))
    };
    assert_eq!(
        poll_once(&mut sleep, &Waker::from(Arc::clone(&waker))),
        Poll::Pending
    );
    drop(driver);
    assert_eq!(waker.count(), 1);
    let message = expect_panic(std::panic::AssertUnwindSafe(|| poll_noop(&mut sleep)));
    assert!(
        message.contains("the timer's runtime was shut down"),
        "{message}"
    );
}

#[test]
fn sleep_and_handle_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<time::Sleep>();
    assert_send_sync::<spindle_timers::Handle>();
    assert_send_sync::<Driver>();
    assert_send_sync::<time::Interval>();
    assert_send_sync::<time::Timeout<std::future::Ready<()>>>();
}

/// A waker that owns a registered `Sleep` of the same driver and drops it with itself,
/// as a task holding a timer does when its last waker goes.
struct SleepOwningWaker(std::sync::Mutex<Option<time::Sleep>>);

impl std::task::Wake for SleepOwningWaker {
    fn wake(self: Arc<Self>) {}
}

impl Drop for SleepOwningWaker {
    fn drop(&mut self) {
        let owned = self.0.lock().map(|mut slot| slot.take());
        drop(owned);
    }
}

fn registered_sleep() -> time::Sleep {
    let mut sleep = time::sleep(Duration::from_secs(3600));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    sleep
}

fn sleep_owning_waker() -> Waker {
    Waker::from(Arc::new(SleepOwningWaker(std::sync::Mutex::new(Some(
        registered_sleep(),
    )))))
}

#[test]
fn dropping_a_sleep_whose_waker_drops_another_sleep_does_not_deadlock() {
    support::within_deadline(|| {
        let driver = Driver::new(true);
        let _entered = driver.handle().enter();
        let waker = sleep_owning_waker();
        let mut primary = time::sleep(Duration::from_secs(3600));
        assert_eq!(poll_once(&mut primary, &waker), Poll::Pending);
        drop(waker);
        assert_eq!(driver.pending_timers(), 2);
        drop(primary);
        assert_eq!(driver.pending_timers(), 0);
    });
}

#[test]
fn replacing_a_waker_that_drops_another_sleep_does_not_deadlock() {
    support::within_deadline(|| {
        let driver = Driver::new(true);
        let _entered = driver.handle().enter();
        let waker = sleep_owning_waker();
        let mut primary = time::sleep(Duration::from_secs(3600));
        assert_eq!(poll_once(&mut primary, &waker), Poll::Pending);
        drop(waker);
        // A poll with another task's waker replaces the stored one, which drops it.
        assert_eq!(poll_noop(&mut primary), Poll::Pending);
        assert_eq!(driver.pending_timers(), 1);
    });
}

#[test]
fn completing_a_sleep_whose_waker_drops_another_sleep_does_not_deadlock() {
    support::within_deadline(|| {
        let driver = Driver::new(true);
        let _entered = driver.handle().enter();
        let waker = sleep_owning_waker();
        let mut primary = time::sleep(Duration::from_secs(1));
        assert_eq!(poll_once(&mut primary, &waker), Poll::Pending);
        drop(waker);
        assert!(driver.auto_advance());
        assert_eq!(poll_noop(&mut primary), Poll::Ready(()));
        assert_eq!(driver.pending_timers(), 0);
    });
}

#[test]
fn sleep_past_its_deadline_is_not_elapsed_until_polled() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep_until(Instant::now());
    assert!(!sleep.is_elapsed());
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
    assert!(sleep.is_elapsed());
}

#[test]
fn fired_sleep_is_elapsed_before_its_task_polls_it() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_millis(10));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert!(!sleep.is_elapsed());
    assert!(driver.auto_advance());
    assert!(sleep.is_elapsed());
    assert_eq!(poll_noop(&mut sleep), Poll::Ready(()));
    assert!(sleep.is_elapsed());
}
