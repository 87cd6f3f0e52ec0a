//! The cooperative budget: how one busy task is kept from starving its neighbours.
//!
//! An executor gives every task poll a budget of [`INITIAL_BUDGET`] units by running the
//! poll inside [`with_budget`]. Each spindle resource (a channel receive, a lock, a socket
//! read, a sleep) calls [`poll_proceed`] before it does its work; when the budget is gone
//! the resource wakes the task and returns `Pending`, so a task that would otherwise
//! find every resource ready forever yields back to its scheduler. A resource that
//! turns out not to make progress lets the [`RestoreOnPending`] guard drop, which gives
//! the unit back.
//!
//! It lives in `spindle-sync`, the floor of the crate graph, because every resource
//! crate spends it and the executor grants it; none of them may name the others. The
//! budget is a plain thread-local, not shared state: it belongs to the poll that is
//! running on this thread. Outside [`with_budget`] (another executor, a plain thread)
//! the budget is unconstrained, so spindle's primitives never yield spuriously there.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

/// The number of budget units one task poll starts with.
pub const INITIAL_BUDGET: u8 = 128;

/// How much a task may still do before it must yield; `None` means unconstrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Budget(Option<u8>);

// Under loom the threads of a model share one OS thread, so the budget must be loom's
// thread-local: a std one would be shared by every thread of the model, and a budget
// left behind by one would throttle another (or the next iteration).
#[cfg(not(loom))]
thread_local! {
    static CURRENT: Cell<Budget> = const { Cell::new(Budget(None)) };
}
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Cell<Budget> = Cell::new(Budget(None));
}

/// Counts polls that returned `Pending` only because the budget ran out, process-wide;
/// runtimes report it as `budget_forced_yield_count`.
static FORCED_YIELDS: AtomicU64 = AtomicU64::new(0);

/// Runs `poll` with a fresh budget of [`INITIAL_BUDGET`] units, restoring the previous
/// budget afterwards (also when `poll` unwinds). Executors call this around each task
/// poll.
#[inline]
pub fn with_budget<R>(poll: impl FnOnce() -> R) -> R {
    with_budget_value(Budget(Some(INITIAL_BUDGET)), poll)
}

/// Runs `poll` with no budget limit, restoring the previous budget afterwards.
pub fn with_unconstrained<R>(poll: impl FnOnce() -> R) -> R {
    with_budget_value(Budget(None), poll)
}

#[inline]
fn with_budget_value<R>(budget: Budget, poll: impl FnOnce() -> R) -> R {
    struct ResetOnExit(Budget);
    impl Drop for ResetOnExit {
        #[inline]
        fn drop(&mut self) {
            let previous = self.0;
            let _ = CURRENT.try_with(|cell| cell.set(previous));
        }
    }
    let previous = CURRENT.with(|cell| cell.replace(budget));
    let _reset = ResetOnExit(previous);
    poll()
}

/// Whether the running poll still has budget left (always true when unconstrained).
#[inline]
pub fn has_budget_remaining() -> bool {
    CURRENT
        .try_with(|cell| cell.get().0 != Some(0))
        .unwrap_or(true)
}

/// How many polls, process-wide, returned `Pending` because their budget ran out.
pub fn forced_yield_count() -> u64 {
    FORCED_YIELDS.load(Ordering::Relaxed)
}

/// Spends one budget unit, or, when none is left, wakes the task and returns `Pending`.
///
/// A resource calls this at the top of its `poll_*` method. If it then finds it cannot
/// make progress after all, it returns `Pending` and lets the returned guard drop, which
/// refunds the unit; once it does make progress it calls
/// [`RestoreOnPending::made_progress`] so the unit stays spent.
///
/// ```
/// use std::task::{Context, Poll};
/// use spindle_sync::coop;
///
/// fn poll_next_item(cx: &mut Context<'_>, ready: Option<u32>) -> Poll<u32> {
///     let guard = std::task::ready!(coop::poll_proceed(cx));
///     match ready {
///         Some(item) => {
///             guard.made_progress();
///             Poll::Ready(item)
///         }
///         None => Poll::Pending, // the guard refunds the unit
///     }
/// }
/// # let waker = std::task::Waker::noop();
/// # let mut cx = Context::from_waker(&waker);
/// # assert_eq!(poll_next_item(&mut cx, Some(3)), Poll::Ready(3));
/// ```
#[inline]
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let outcome = CURRENT.try_with(|cell| {
        let before = cell.get();
        match before.0 {
            None => Poll::Ready(RestoreOnPending(Cell::new(before))),
            Some(0) => Poll::Pending,
            Some(units) => {
                cell.set(Budget(Some(units - 1)));
                Poll::Ready(RestoreOnPending(Cell::new(before)))
            }
        }
    });
    match outcome {
        Ok(Poll::Pending) => {
            FORCED_YIELDS.fetch_add(1, Ordering::Relaxed);
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Ok(ready) => ready,
        // The thread is being torn down; do not hold anyone back.
        Err(_) => Poll::Ready(RestoreOnPending(Cell::new(Budget(None)))),
    }
}

/// Returned by [`poll_proceed`]: refunds the spent unit on drop unless
/// [`made_progress`](RestoreOnPending::made_progress) was called.
#[must_use = "dropping the guard at once refunds the budget unit"]
#[derive(Debug)]
pub struct RestoreOnPending(Cell<Budget>);

impl RestoreOnPending {
    /// Marks that the resource made progress, so the spent unit is not refunded.
    #[inline]
    pub fn made_progress(&self) {
        self.0.set(Budget(None));
    }
}

impl Drop for RestoreOnPending {
    #[inline]
    fn drop(&mut self) {
        let before = self.0.get();
        if before.0.is_some() {
            let _ = CURRENT.try_with(|cell| cell.set(before));
        }
    }
}

/// Spends one unit of the task's budget, yielding to the scheduler first if none is left.
///
/// Call it in a loop that does CPU work between awaits on resources that are always
/// ready, so the loop cannot starve other tasks on its worker.
///
/// ```
/// # futures::executor::block_on(async {
/// let mut total = 0u64;
/// for i in 0..1_000u64 {
///     spindle_sync::coop::consume_budget().await;
///     total += i;
/// }
/// assert_eq!(total, 499_500);
/// # });
/// ```
pub async fn consume_budget() {
    let mut spent = false;
    std::future::poll_fn(|cx| {
        if spent {
            return Poll::Ready(());
        }
        let guard = std::task::ready!(poll_proceed(cx));
        guard.made_progress();
        spent = true;
        Poll::Ready(())
    })
    .await
}

/// Runs `future` with the cooperative budget switched off: spindle's resources inside it
/// never force a yield. Use it sparingly; it gives up the fairness the budget provides.
///
/// ```
/// # futures::executor::block_on(async {
/// let answer = spindle_sync::coop::unconstrained(async { 42 }).await;
/// assert_eq!(answer, 42);
/// # });
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { inner: future }
}

/// Future returned by [`unconstrained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Unconstrained<F> {
    inner: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self`, and
        // `Unconstrained` has no `Drop` impl or `Unpin` impl that could move it.
        let inner = unsafe { self.map_unchecked_mut(|this| &mut this.inner) };
        with_unconstrained(|| inner.poll(cx))
    }
}

// Plain unit tests; under loom the budget is a loom thread-local, usable only inside a
// model.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn noop_context() -> Context<'static> {
        Context::from_waker(std::task::Waker::noop())
    }

    #[test]
    fn budget_runs_out_after_initial_units_and_forces_pending() {
        let mut cx = noop_context();
        with_budget(|| {
            for _ in 0..INITIAL_BUDGET {
                let guard = poll_proceed(&mut cx);
                let Poll::Ready(guard) = guard else {
                    panic!("budget ran out early")
                };
                guard.made_progress();
            }
            assert!(!has_budget_remaining());
            assert!(poll_proceed(&mut cx).is_pending());
        });
    }

    #[test]
    fn guard_dropped_without_progress_refunds_the_unit() {
        let mut cx = noop_context();
        with_budget(|| {
            for _ in 0..(INITIAL_BUDGET as usize * 4) {
                assert!(poll_proceed(&mut cx).is_ready());
            }
            assert!(has_budget_remaining());
        });
    }

    #[test]
    fn outside_any_budget_scope_nothing_is_constrained() {
        let mut cx = noop_context();
        for _ in 0..1_000 {
            let Poll::Ready(guard) = poll_proceed(&mut cx) else {
                panic!("unconstrained thread was throttled")
            };
            guard.made_progress();
        }
    }

    #[test]
    fn nested_unconstrained_scope_restores_outer_budget() {
        let mut cx = noop_context();
        with_budget(|| {
            if let Poll::Ready(guard) = poll_proceed(&mut cx) {
                guard.made_progress();
            }
            with_unconstrained(|| {
                for _ in 0..1_000 {
                    if let Poll::Ready(guard) = poll_proceed(&mut cx) {
                        guard.made_progress();
                    }
                }
                assert!(has_budget_remaining());
            });
            let remaining = CURRENT.with(|cell| cell.get());
            assert_eq!(remaining, Budget(Some(INITIAL_BUDGET - 1)));
        });
    }
}
