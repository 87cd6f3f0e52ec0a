//! [`Interval`]: ticks at a fixed period.
//!
//! An interval is a [`Sleep`] that is reset to the next tick each time it fires. When
//! the task falls behind by more than 5 ms (tokio's threshold), the next tick is chosen
//! by the [`MissedTickBehavior`]: catch up in a burst, restart the period from now, or
//! skip to the next multiple of the period.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use crate::driver::Handle;
use crate::time::{Instant, Sleep};

/// How late a tick may be before it counts as missed.
const MISSED_THRESHOLD: Duration = Duration::from_millis(5);

/// Ticks every `period`, the first tick completing at once, like
/// `tokio::time::interval`.
///
/// # Panics
///
/// When `period` is zero, or when called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{interval, Duration};
///
/// # driver.block_on(async {
/// let mut ticks = interval(Duration::from_millis(10));
/// let first = ticks.tick().await; // at once
/// let second = ticks.tick().await;
/// assert_eq!(second - first, Duration::from_millis(10));
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert_non_zero(period, "interval");
    let handle = Handle::current_for("interval");
    let start = handle.now();
    Interval::new(handle, start, period)
}

/// Ticks every `period`, the first tick completing at `start`, like
/// `tokio::time::interval_at`.
///
/// # Panics
///
/// When `period` is zero, or when called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{interval_at, Duration, Instant};
///
/// # driver.block_on(async {
/// let start = Instant::now() + Duration::from_millis(50);
/// let mut ticks = interval_at(start, Duration::from_millis(10));
/// assert_eq!(ticks.tick().await, start);
/// # });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert_non_zero(period, "interval_at");
    Interval::new(Handle::current_for("interval_at"), start, period)
}

#[track_caller]
fn assert_non_zero(period: Duration, call: &str) {
    assert!(
        !period.is_zero(),
        "spindle::time::{call} called with a zero period: an interval needs a period \
         greater than zero, such as Duration::from_millis(1)"
    );
}

/// What an [`Interval`] does when ticks were missed because the task was late.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{interval, Duration, MissedTickBehavior};
///
/// let mut ticks = interval(Duration::from_secs(1));
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Skip);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per call, until caught up; later ticks keep
    /// the original schedule (`start + n * period`). The default.
    #[default]
    Burst,
    /// Fire one tick now and schedule the next a full period after it, shifting the
    /// schedule.
    Delay,
    /// Fire one tick now and drop the rest; the next tick is the next multiple of the
    /// period on the original schedule.
    Skip,
}

impl MissedTickBehavior {
    /// The next deadline after a tick that was due at `due` fired late, at `now`.
    fn next_deadline(self, due: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => due + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let behind = now.duration_since(due).as_nanos() % period.as_nanos();
                // `behind < period`, so it fits in u64 nanoseconds whenever `period` does;
                // a longer period cannot be behind by more than it.
                let behind = Duration::from_nanos(u64::try_from(behind).unwrap_or(u64::MAX));
                (now + period).checked_sub(behind).unwrap_or(now)
            }
        }
    }
}

/// Ticks at a fixed period; returned by [`interval`] and [`interval_at`].
///
/// Implements [`Stream`] with the tick's scheduled instant as the item.
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    fn new(handle: Handle, start: Instant, period: Duration) -> Interval {
        Interval {
            delay: Sleep::new(handle, start),
            period,
            missed_tick_behavior: MissedTickBehavior::default(),
        }
    }

    /// Completes at the next tick and returns the instant it was scheduled for.
    /// Cancel-safe: dropping the future loses no tick.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; the poll form of [`tick`](Interval::tick).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.delay).poll(cx));
        let due = self.delay.deadline();
        let now = self.delay.handle().now();
        let next = if now > due + MISSED_THRESHOLD {
            self.missed_tick_behavior
                .next_deadline(due, now, self.period)
        } else {
            due + self.period
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        let now = self.delay.handle().now();
        Pin::new(&mut self.delay).reset(now + self.period);
    }

    /// Restarts the schedule with a tick due at once.
    pub fn reset_immediately(&mut self) {
        let now = self.delay.handle().now();
        Pin::new(&mut self.delay).reset(now);
    }

    /// Restarts the schedule with the next tick `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        let now = self.delay.handle().now();
        Pin::new(&mut self.delay).reset(now + after);
    }

    /// Restarts the schedule with the next tick at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens when ticks are missed.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens when ticks are missed.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}
