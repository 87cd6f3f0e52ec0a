//! [`Instant`]: a point in time as the runtime's clock sees it.
//!
//! It wraps `std::time::Instant`, so it converts both ways for free; only
//! [`Instant::now`] differs: inside a runtime it reads the runtime's clock, which a
//! test may have paused or advanced, and outside every runtime it reads the system's
//! monotonic clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::context;

/// How far ahead "far future" is: deadlines that cannot be represented are clamped to
/// this distance from their base (30 years, as tokio does).
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// A measurement of the runtime's monotonic clock, like `tokio::time::Instant`.
///
/// Inside a runtime, [`Instant::now`] respects the test clock ([`pause`](super::pause),
/// [`advance`](super::advance)). Adding a duration saturates at a far-future instant
/// instead of panicking, so `Instant::now() + Duration::MAX` is a valid deadline that
/// never comes.
///
/// ```
/// use spindle_timers::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later.duration_since(start), Duration::from_millis(5));
/// assert!(start + Duration::MAX > later); // saturates, does not panic
/// assert_eq!(Instant::from_std(start.into_std()), start);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time: the entered runtime's clock, or the system clock when no
    /// runtime is entered on this thread.
    pub fn now() -> Instant {
        context::with_current(|handle| handle.map(|handle| handle.now()))
            .unwrap_or_else(|| Instant::from_std(std::time::Instant::now()))
    }

    /// Wraps a `std::time::Instant`.
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` this wraps.
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// The time elapsed from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// The time elapsed since `self`, by [`Instant::now`].
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that cannot be represented.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// `self + duration`, clamped to a far-future instant (30 years after `self`) when
    /// the sum cannot be represented.
    pub(crate) fn saturating_add(&self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .or_else(|| self.checked_add(FAR_FUTURE))
            .unwrap_or(*self)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at a far-future instant instead of overflowing.
    fn add(self, duration: Duration) -> Instant {
        self.saturating_add(duration)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// When the result would be before the earliest representable instant, as std's.
    fn sub(self, duration: Duration) -> Instant {
        Instant::from_std(self.std - duration)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        *self = *self - duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Zero if `earlier` is later, as std's.
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
