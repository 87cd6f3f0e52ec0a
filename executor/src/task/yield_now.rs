//! `yield_now`: give the worker to the other tasks for one turn.

use std::cell::Cell;
use std::task::Poll;

thread_local! {
    /// Set by `yield_now` inside a task's poll; the harness takes it after the poll to
    /// defer the task until the scheduler's next driver poll.
    static YIELD_REQUESTED: Cell<bool> = const { Cell::new(false) };
}

/// Takes (and clears) this thread's "the running task called `yield_now`" flag.
pub(crate) fn take_yield_request() -> bool {
    YIELD_REQUESTED
        .try_with(|requested| requested.replace(false))
        .unwrap_or(false)
}

/// Yields once to the scheduler: the task runs again only after every task already
/// waiting has run and the worker has polled the IO and timer drivers, so a task that
/// yields in a loop cannot keep the events it waits for from being seen.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// rt.block_on(async {
///     for _ in 0..3 {
///         spindle_executor::task::yield_now().await;
///     }
/// });
/// ```
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        // Waking while running marks the task notified; the worker then defers it
        // (see `Schedule::defer`) instead of using the LIFO slot.
        let _ = YIELD_REQUESTED.try_with(|requested| requested.set(true));
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}
