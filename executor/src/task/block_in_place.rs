//! `block_in_place`: run blocking code on a worker without stalling its queue.

use crate::runtime::context;
use crate::scheduler::{self, multi_thread};

/// Runs the blocking closure `work` on the current worker thread, first handing the
/// worker's run queue to a freshly started thread so the other tasks keep running.
///
/// Use it where the blocking call cannot be moved into
/// [`spawn_blocking`](crate::task::spawn_blocking) (for example because it borrows
/// from the task). Inside `work`, `Handle::block_on` may be used.
///
/// # Panics
///
/// Panics on a current-thread runtime, whose only thread cannot be handed over, and
/// inside a `LocalSet` or `LocalRuntime`, whose tasks cannot leave the thread: use
/// `spawn_blocking` there. Outside any runtime, `work` simply runs.
///
/// ```
/// use spindle_executor::runtime::Runtime;
/// use spindle_executor::task;
///
/// let rt = Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     spindle_executor::spawn(async {
///         task::block_in_place(|| (1..=10u32).sum::<u32>())
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(sum, 55);
/// ```
#[track_caller]
pub fn block_in_place<F, R>(work: F) -> R
where
    F: FnOnce() -> R,
{
    if super::local::is_in_local_set() {
        panic!(
            "block_in_place called inside a LocalSet (or a LocalRuntime): can call blocking \
             only when running on the multi-threaded runtime, and a LocalSet's tasks must stay \
             on its thread. Use spawn_blocking and await its JoinHandle instead"
        );
    }
    match multi_thread::block_in_place(work) {
        Ok(output) => output,
        Err(work) => {
            let on_current_thread_scheduler = context::with_scheduler(|cx| {
                matches!(cx, Some(scheduler::Context::CurrentThread(_)))
            });
            if on_current_thread_scheduler {
                panic!(
                    "block_in_place called on a current-thread runtime: can call blocking only \
                     when running on the multi-threaded runtime, since the only thread cannot \
                     be handed over while it blocks. Use spawn_blocking and await its \
                     JoinHandle, or build the runtime with Builder::new_multi_thread()"
                );
            }
            // A multi-thread runtime's `block_on` thread, or no runtime at all: there
            // is no queue to hand over, but `work` is still blocking code, outside the
            // runtime (so it may enter another) and free of the task's budget.
            context::exit_runtime(|| spindle_sync::coop::with_unconstrained(work))
        }
    }
}
