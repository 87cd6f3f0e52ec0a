//! Interval: the first tick at once, each MissedTickBehavior under the paused clock,
//! reset, Stream, and the zero-period panic.

mod support;

use std::time::Duration;

use futures::{FutureExt, StreamExt};
use spindle_timers::time::{self, Instant, MissedTickBehavior};
use spindle_timers::Driver;
use support::expect_panic;

const PERIOD: Duration = Duration::from_millis(10);

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Ticks once at the start, then falls 35 ms behind a 10 ms period; returns the start
/// and the ticks that follow, as offsets from the start.
fn ticks_after_falling_behind(behavior: MissedTickBehavior, ticks: usize) -> Vec<Duration> {
    let driver = Driver::new(true);
    driver.block_on(async {
        let mut interval = time::interval(PERIOD);
        interval.set_missed_tick_behavior(behavior);
        let start = interval.tick().await;
        time::advance(ms(35)).await;
        let mut offsets = Vec::new();
        for _ in 0..ticks {
            offsets.push(interval.tick().await - start);
        }
        offsets
    })
}

#[test]
fn first_tick_completes_at_once() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut interval = time::interval(PERIOD);
    let start = Instant::now();
    assert_eq!(interval.tick().now_or_never(), Some(start));
    assert_eq!(interval.tick().now_or_never(), None);
}

#[test]
fn burst_fires_missed_ticks_at_once_and_keeps_the_schedule() {
    let driver = Driver::new(true);
    driver.block_on(async {
        let mut interval = time::interval(PERIOD);
        assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Burst);
        let start = interval.tick().await;
        time::advance(ms(35)).await;
        for missed in [10, 20, 30] {
            let tick = interval
                .tick()
                .now_or_never()
                .expect("a missed tick fires at once");
            assert_eq!(tick - start, ms(missed));
        }
        assert_eq!(
            interval.tick().now_or_never(),
            None,
            "caught up: the next tick is at 40 ms"
        );
    });
    assert_eq!(
        ticks_after_falling_behind(MissedTickBehavior::Burst, 5),
        [ms(10), ms(20), ms(30), ms(40), ms(50)]
    );
}

#[test]
fn delay_restarts_the_period_from_the_late_tick() {
    assert_eq!(
        ticks_after_falling_behind(MissedTickBehavior::Delay, 3),
        [ms(10), ms(45), ms(55)]
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_grid() {
    assert_eq!(
        ticks_after_falling_behind(MissedTickBehavior::Skip, 3),
        [ms(10), ms(40), ms(50)]
    );
}

#[test]
fn a_tick_late_by_less_than_five_ms_is_not_missed() {
    let driver = Driver::new(true);
    let offsets = driver.block_on(async {
        let mut interval = time::interval(PERIOD);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let start = interval.tick().await;
        time::advance(ms(13)).await;
        let late = interval.tick().await - start;
        let next = interval.tick().await - start;
        (late, next)
    });
    assert_eq!(offsets, (ms(10), ms(20)));
}

#[test]
fn interval_at_starts_at_the_given_instant() {
    let driver = Driver::new(true);
    let offsets = driver.block_on(async {
        let origin = Instant::now();
        let mut interval = time::interval_at(origin + ms(100), PERIOD);
        let first = interval.tick().await - origin;
        let second = interval.tick().await - origin;
        (first, second)
    });
    assert_eq!(offsets, (ms(100), ms(110)));
}

#[test]
fn reset_schedules_the_next_tick_one_period_from_now() {
    let driver = Driver::new(true);
    let offset = driver.block_on(async {
        let mut interval = time::interval(PERIOD);
        let start = interval.tick().await;
        time::advance(ms(4)).await;
        interval.reset();
        interval.tick().await - start
    });
    assert_eq!(offset, ms(14));
}

#[test]
fn interval_is_a_stream_of_tick_instants() {
    let driver = Driver::new(true);
    let offsets: Vec<Duration> = driver.block_on(async {
        let start = Instant::now();
        time::interval(PERIOD)
            .take(3)
            .map(|tick| tick - start)
            .collect()
            .await
    });
    assert_eq!(offsets, [ms(0), ms(10), ms(20)]);
}

#[test]
fn interval_reports_its_period() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    assert_eq!(time::interval(PERIOD).period(), PERIOD);
}

#[test]
fn zero_period_panics_with_a_clear_message() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let message = expect_panic(|| time::interval(Duration::ZERO));
    assert!(
        message.contains("spindle::time::interval called with a zero period"),
        "{message}"
    );
    let message = expect_panic(|| time::interval_at(Instant::now(), Duration::ZERO));
    assert!(
        message.contains("spindle::time::interval_at called with a zero period"),
        "{message}"
    );
}

#[test]
fn interval_outside_a_runtime_panics_naming_the_call() {
    let message = expect_panic(|| time::interval(PERIOD));
    assert!(
        message.contains("spindle::time::interval called outside a runtime"),
        "{message}"
    );
}
