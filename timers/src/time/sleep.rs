//! [`Sleep`]: a future that completes at a deadline.
//!
//! A sleep resolves its runtime's handle when it is created (so creating one outside a
//! runtime panics at the call that made it), registers a wheel entry on its first
//! poll, moves that entry on [`Sleep::reset`], and removes it when it completes or is
//! dropped, so a sleep that is never polled costs the wheel nothing and a dropped one
//! leaves nothing behind. Completion is decided by the clock (`now >= deadline`), so a
//! sleep is never early, and each poll spends one unit of the cooperative budget.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use spindle_sync::coop;

use crate::driver::Handle;
use crate::time::Instant;
use crate::wheel::TimerKey;

/// Waits until `duration` has elapsed, like `tokio::time::sleep`.
///
/// A duration too large to represent (such as `Duration::MAX`) sleeps until a
/// far-future deadline, 30 years ahead.
///
/// # Panics
///
/// When called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{sleep, Duration};
///
/// # driver.block_on(async {
/// sleep(Duration::from_millis(10)).await;
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let handle = Handle::current_for("sleep");
    let now = handle.inner.now_nanos();
    // The deadline in clock nanoseconds directly: one clock read and no `Instant`
    // round trip, unless it lies beyond what a u64 of nanoseconds holds.
    let deadline_nanos = u64::try_from(duration.as_nanos())
        .ok()
        .and_then(|nanos| now.checked_add(nanos));
    match deadline_nanos {
        Some(deadline_nanos) => Sleep {
            deadline: handle.inner.instant_at(deadline_nanos),
            handle,
            deadline_nanos,
            key: None,
            completed: false,
        },
        None => {
            let deadline = handle.inner.instant_at(now).saturating_add(duration);
            Sleep::new(handle, deadline)
        }
    }
}

/// Waits until `deadline`, like `tokio::time::sleep_until`. A deadline in the past
/// completes on the first poll.
///
/// # Panics
///
/// When called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{sleep_until, Duration, Instant};
///
/// # driver.block_on(async {
/// sleep_until(Instant::now() + Duration::from_millis(10)).await;
/// # });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(Handle::current_for("sleep_until"), deadline)
}

/// Future returned by [`sleep`] and [`sleep_until`]: completes once the runtime's
/// clock reaches its deadline.
///
/// It is `Unpin`, so `reset` works on `Pin::new(&mut sleep)` as well as on a pinned
/// sleep.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    handle: Handle,
    deadline: Instant,
    /// `deadline` in the driver's nanoseconds, computed once.
    deadline_nanos: u64,
    /// The wheel entry, from the first poll until completion or drop.
    key: Option<TimerKey>,
    /// The last poll returned `Ready` (cleared by `reset`).
    completed: bool,
}

impl Sleep {
    pub(crate) fn new(handle: Handle, deadline: Instant) -> Sleep {
        let deadline_nanos = handle.inner.nanos_since_origin(deadline);
        Sleep {
            handle,
            deadline,
            deadline_nanos,
            key: None,
            completed: false,
        }
    }

    /// The instant at which the sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the sleep has elapsed: its poll returned `Ready`, or the runtime's timer
    /// fired it and the task has yet to poll it. As in tokio, a sleep that has not been
    /// polled since it was created or [reset](Sleep::reset) is not elapsed, even when
    /// its deadline is already behind the clock.
    ///
    /// ```
    /// # let driver = spindle_timers::Driver::new(true);
    /// # let _entered = driver.handle().enter();
    /// use spindle_timers::time::{sleep_until, Instant};
    ///
    /// # driver.block_on(async {
    /// let mut sleep = std::pin::pin!(sleep_until(Instant::now()));
    /// assert!(!sleep.is_elapsed());
    /// sleep.as_mut().await;
    /// assert!(sleep.is_elapsed());
    /// # });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.completed
            || self
                .key
                .is_some_and(|key| self.handle.inner.timer_fired(key))
    }

    /// Moves the deadline to `deadline`, earlier or later, even after the sleep has
    /// completed (it then waits again). A registered sleep moves its wheel entry at
    /// once; an unpolled one registers on its next poll.
    ///
    /// ```
    /// # let driver = spindle_timers::Driver::new(true);
    /// # let _entered = driver.handle().enter();
    /// use spindle_timers::time::{sleep, Duration, Instant};
    ///
    /// # driver.block_on(async {
    /// let mut sleep = std::pin::pin!(sleep(Duration::from_secs(3600)));
    /// sleep.as_mut().reset(Instant::now() + Duration::from_millis(1));
    /// sleep.await;
    /// # });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.completed = false;
        this.deadline = deadline;
        this.deadline_nanos = this.handle.inner.nanos_since_origin(deadline);
        if let Some(key) = this.key {
            this.handle.inner.reset_timer(key, this.deadline_nanos);
        }
    }

    /// The handle this sleep was created with.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let budget = ready!(coop::poll_proceed(cx));
        let outcome = this
            .handle
            .inner
            .poll_timer(&mut this.key, this.deadline_nanos, cx.waker());
        if outcome.is_ready() {
            budget.made_progress();
            this.completed = true;
        }
        outcome
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.handle.inner.remove_timer(key);
        }
    }
}
