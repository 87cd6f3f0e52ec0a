//! The parking protocol: park timeouts, and the unpark hook called only for an insert
//! earlier than the parked worker's wake time.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use spindle_timers::time::{self, Instant};
use spindle_timers::Driver;
use support::poll_noop;

/// A driver whose unpark hook counts its calls.
fn driver_with_counting_hook(start_paused: bool) -> (Driver, Arc<AtomicUsize>) {
    let driver = Driver::new(start_paused);
    let unparks = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&unparks);
    driver.handle().new_unpark_hook(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    (driver, unparks)
}

#[test]
fn insert_earlier_than_the_parked_wake_time_unparks_once() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    let mut far = time::sleep(Duration::from_secs(3600));
    assert_eq!(poll_noop(&mut far), Poll::Pending);
    let timeout = driver.begin_park().expect("a timer is pending");
    assert!(
        timeout <= Duration::from_secs(3600),
        "the park would oversleep the timer"
    );

    let mut sooner = time::sleep(Duration::from_secs(60));
    assert_eq!(poll_noop(&mut sooner), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 1);

    let mut sooner_still = time::sleep(Duration::from_secs(30));
    assert_eq!(poll_noop(&mut sooner_still), Poll::Pending);
    assert_eq!(
        unparks.load(Ordering::SeqCst),
        1,
        "one wake-up per park, not per insert"
    );
}

#[test]
fn insert_later_than_the_parked_wake_time_does_not_unpark() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    let mut near = time::sleep(Duration::from_secs(60));
    assert_eq!(poll_noop(&mut near), Poll::Pending);
    driver.begin_park();
    let mut later = time::sleep(Duration::from_secs(3600));
    assert_eq!(poll_noop(&mut later), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 0);
}

#[test]
fn insert_while_parked_without_timers_unparks() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    assert_eq!(driver.begin_park(), None);
    let mut sleep = time::sleep(Duration::from_secs(3600));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 1);
}

#[test]
fn insert_while_nobody_is_parked_does_not_unpark() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_secs(1));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    driver.begin_park();
    driver.end_park();
    let mut sooner = time::sleep(Duration::from_millis(1));
    assert_eq!(poll_noop(&mut sooner), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 0);
}

#[test]
fn set_parked_until_with_a_timer_already_earlier_unparks_at_once() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_secs(1));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    // The worker computed its wake time before this timer was registered.
    driver.set_parked_until(Some(Instant::now() + Duration::from_secs(3600)));
    assert_eq!(unparks.load(Ordering::SeqCst), 1);
}

#[test]
fn set_parked_until_then_earlier_insert_unparks_and_later_does_not() {
    let (driver, unparks) = driver_with_counting_hook(false);
    let _entered = driver.handle().enter();
    driver.set_parked_until(Some(Instant::now() + Duration::from_secs(60)));
    assert_eq!(unparks.load(Ordering::SeqCst), 0);
    let mut later = time::sleep(Duration::from_secs(3600));
    assert_eq!(poll_noop(&mut later), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 0);
    let mut earlier = time::sleep(Duration::from_secs(1));
    assert_eq!(poll_noop(&mut earlier), Poll::Pending);
    assert_eq!(unparks.load(Ordering::SeqCst), 1);
    driver.set_parked_until(None);
}

#[test]
fn park_timeout_is_none_without_timers_and_zero_when_one_is_due() {
    let driver = Driver::new(false);
    let _entered = driver.handle().enter();
    assert_eq!(driver.park_timeout(), None);
    let mut sleep = time::sleep(Duration::from_millis(1));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    let timeout = driver.park_timeout().expect("a timer is pending");
    assert!(timeout <= Duration::from_millis(1));
    // Not `is_elapsed`: that turns true only once the driver fires the timer.
    while time::Instant::now() < sleep.deadline() {
        std::hint::spin_loop();
    }
    assert_eq!(driver.park_timeout(), Some(Duration::ZERO));
    assert_eq!(driver.fire_due_timers(), 1);
    assert_eq!(driver.park_timeout(), None);
}

#[test]
fn paused_clock_parks_without_timeout_and_auto_advances_instead() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_secs(5));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert_eq!(
        driver.park_timeout(),
        None,
        "waiting cannot move a paused clock"
    );
    let before = Instant::now();
    assert!(driver.auto_advance());
    assert_eq!(Instant::now() - before, Duration::from_secs(5));
    assert_eq!(driver.pending_timers(), 0);
    assert!(!driver.auto_advance());
}

#[test]
fn auto_advance_does_nothing_on_a_running_clock() {
    let driver = Driver::new(false);
    let _entered = driver.handle().enter();
    let mut sleep = time::sleep(Duration::from_secs(5));
    assert_eq!(poll_noop(&mut sleep), Poll::Pending);
    assert!(!driver.auto_advance());
    assert_eq!(driver.pending_timers(), 1);
}
