//! One million pending sleeps fit in memory; reports the bytes each one costs.

mod support;

use std::task::Poll;
use std::time::Duration;

use spindle_timers::time::{self, Sleep};
use spindle_timers::Driver;
use support::poll_noop;

#[test]
fn one_million_pending_sleeps_fit_in_memory() {
    const SLEEPS: usize = 1_000_000;
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut sleeps: Vec<Sleep> = Vec::with_capacity(SLEEPS);
    for index in 0..SLEEPS {
        let mut sleep = time::sleep(Duration::from_millis(1 + (index as u64 % 100_000)));
        assert_eq!(poll_noop(&mut sleep), Poll::Pending);
        sleeps.push(sleep);
    }
    assert_eq!(driver.pending_timers(), SLEEPS);

    let wheel_bytes = driver.allocated_bytes();
    let sleep_bytes = std::mem::size_of::<Sleep>();
    let per_sleep = sleep_bytes + wheel_bytes / SLEEPS;
    eprintln!(
        "{SLEEPS} pending sleeps: {sleep_bytes} bytes per Sleep + {} bytes of wheel per \
         entry (capacity included) = {per_sleep} bytes per sleep",
        wheel_bytes / SLEEPS
    );
    assert!(per_sleep <= 128, "{per_sleep} bytes per pending sleep");

    drop(sleeps);
    assert_eq!(driver.pending_timers(), 0);
}
