//! `yield_now`: give the worker to the other tasks for one turn.

use std::task::Poll;

/// Yields once to the scheduler: the task goes to the back of its worker's queue, so
/// every task already waiting runs before it resumes.
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
        // Waking while running marks the task notified; the worker then puts it at
        // the back of the queue instead of the LIFO slot.
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}
