//! [`Timeout`]: a future raced against a deadline.
//!
//! The inner future is polled first, so a future that is ready when the deadline
//! passes still wins. If the inner future used up the cooperative budget, the deadline
//! is checked without a budget, so a busy future cannot hide its own timeout.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use spindle_sync::coop;

use crate::driver::Handle;
use crate::time::error::Elapsed;
use crate::time::{Instant, Sleep};

/// Requires `future` to complete within `duration`, like `tokio::time::timeout`.
///
/// Resolves to `Ok(output)` if the future completes first and `Err(Elapsed)` if the
/// duration passes first (the future is then dropped with the `Timeout`). A duration
/// too large to represent waits until a far-future deadline.
///
/// # Panics
///
/// When called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{timeout, Duration};
///
/// # driver.block_on(async {
/// let ready = timeout(Duration::from_secs(1), async { 7 }).await;
/// assert_eq!(ready, Ok(7));
/// let never = timeout(Duration::from_secs(1), std::future::pending::<()>()).await;
/// assert!(never.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    let handle = Handle::current_for("timeout");
    let deadline = handle.now().saturating_add(duration);
    Timeout::new(future.into_future(), Sleep::new(handle, deadline))
}

/// Requires `future` to complete before `deadline`, like `tokio::time::timeout_at`.
///
/// # Panics
///
/// When called outside a runtime with time enabled.
///
/// ```
/// # let driver = spindle_timers::Driver::new(true);
/// # let _entered = driver.handle().enter();
/// use spindle_timers::time::{timeout_at, Duration, Instant};
///
/// # driver.block_on(async {
/// let deadline = Instant::now() + Duration::from_millis(50);
/// assert!(timeout_at(deadline, std::future::pending::<()>()).await.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    let handle = Handle::current_for("timeout_at");
    Timeout::new(future.into_future(), Sleep::new(handle, deadline))
}

pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        delay: Sleep,
    }
}

impl<T> Timeout<T> {
    fn new(value: T, delay: Sleep) -> Timeout<T> {
        Timeout { value, delay }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The inner future; the deadline is dropped.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let had_budget_before = coop::has_budget_remaining();
        if let Poll::Ready(output) = this.value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let has_budget_now = coop::has_budget_remaining();
        let delay = this.delay;
        let mut poll_delay = || Pin::new(&mut *delay).poll(cx).map(|()| Err(Elapsed(())));
        if had_budget_before && !has_budget_now {
            // The inner future spent the last unit: check the deadline anyway, or a
            // future that keeps the budget exhausted would never time out.
            coop::with_unconstrained(poll_delay)
        } else {
            poll_delay()
        }
    }
}
