//! `task::coop`: the cooperative budget, as a task sees it.
//!
//! The budget itself lives in `spindle-sync` (every resource crate spends it; the
//! executor grants [`INITIAL_BUDGET`](spindle_sync::coop::INITIAL_BUDGET) units to each
//! task poll). This module is tokio's `task::coop` path onto it, plus [`cooperative`],
//! which makes any future spend the budget the way spindle's own resources do.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pub use spindle_sync::coop::{
    consume_budget, has_budget_remaining, poll_proceed, unconstrained, RestoreOnPending,
    Unconstrained,
};

pin_project_lite::pin_project! {
    /// A future that spends the task's cooperative budget; from [`cooperative`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Coop<F: Future> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for Coop<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let spent = ready!(poll_proceed(cx));
        let output = ready!(self.project().inner.poll(cx));
        spent.made_progress();
        Poll::Ready(output)
    }
}

/// Wraps `future` so that it takes part in cooperative scheduling: each poll first
/// spends a unit of the task's budget (yielding to the scheduler if none is left), and
/// the unit is kept only when the inner future completes, so polls that stay pending
/// cost nothing. Useful for futures from other crates (a `futures` channel, say) that
/// know nothing of spindle's budget.
///
/// ```
/// use spindle_executor::task::coop::{cooperative, has_budget_remaining};
///
/// let rt = spindle_executor::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     // Every completed wrapper spends one unit: 128 of them use the whole budget.
///     for _ in 0..128 {
///         cooperative(async {}).await;
///     }
///     assert!(!has_budget_remaining());
/// });
/// ```
pub fn cooperative<F: Future>(future: F) -> Coop<F> {
    Coop { inner: future }
}
