//! Utilities for tracking time, mirroring `tokio::time`: [`sleep`], [`timeout`],
//! [`interval`], [`Instant`], and the test clock ([`pause`], [`resume`], [`advance`]).
//!
//! Everything here belongs to the runtime entered on the calling thread: creating a
//! timer outside a runtime with time enabled panics with a message that names the
//! call. The spindle facade re-exports this module as `spindle::time`.

pub mod error;
mod instant;
mod interval;
mod sleep;
mod timeout;

use std::future::poll_fn;
use std::task::Poll;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use std::time::Duration;
pub use timeout::{timeout, timeout_at, Timeout};

use crate::clock::ClockError;
use crate::driver::Handle;

/// Pauses the current runtime's clock, like `tokio::time::pause`.
///
/// While paused, time moves only by [`advance`] or, when every task of the runtime is
/// idle, by auto-advance to the next timer's deadline; an hour-long sleep then
/// completes at once.
///
/// # Panics
///
/// When the clock is already paused, or when called outside a runtime with time
/// enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(false);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{self, Duration, Instant};
///
/// time::pause();
/// let frozen = Instant::now();
/// assert_eq!(Instant::now(), frozen);
/// # driver.block_on(async {
/// time::advance(Duration::from_secs(60)).await;
/// # });
/// assert_eq!(Instant::now() - frozen, Duration::from_secs(60));
/// time::resume();
/// ```
#[track_caller]
pub fn pause() {
    let handle = Handle::current_for("pause");
    if let Err(ClockError::AlreadyPaused) = handle.inner.with_clock(|clock, real| clock.pause(real))
    {
        panic!(
            "spindle::time::pause called while the clock is already paused: call \
             spindle::time::resume() before pausing again"
        );
    }
}

/// Resumes the current runtime's clock, like `tokio::time::resume`: time flows again
/// from the paused reading, so it never jumps back.
///
/// # Panics
///
/// When the clock is not paused, or when called outside a runtime with time enabled.
#[track_caller]
pub fn resume() {
    let handle = Handle::current_for("resume");
    if let Err(ClockError::NotPaused) = handle.inner.with_clock(|clock, real| clock.resume(real)) {
        panic!(
            "spindle::time::resume called while the clock is not paused: call \
             spindle::time::pause() first (or build the runtime with start_paused(true))"
        );
    }
}

/// Moves the current runtime's paused clock forward by `duration`, fires the timers
/// that became due, and yields once so their tasks can run, like
/// `tokio::time::advance`.
///
/// # Panics
///
/// When the clock is not paused, or when called outside a runtime with time enabled.
pub async fn advance(duration: Duration) {
    let handle = Handle::current_for("advance");
    if let Err(ClockError::NotPaused) = handle.inner.with_clock(|clock, _| clock.advance(duration))
    {
        panic!(
            "spindle::time::advance called while the clock is not paused: call \
             spindle::time::pause() first (or build the runtime with start_paused(true))"
        );
    }
    handle.inner.fire_due_timers();
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

/// Whether the current runtime's clock is paused; `false` outside a runtime.
pub fn is_paused() -> bool {
    Handle::try_current().is_some_and(|handle| handle.inner.is_paused())
}
