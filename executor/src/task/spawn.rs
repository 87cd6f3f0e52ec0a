//! The free spawning functions, which find the runtime through the thread's context.

use std::future::Future;
use std::panic::Location;

use super::{JoinHandle, SpawnMeta};
use crate::runtime::Handle;

/// Spawns `future` on the runtime this thread is in, returning a [`JoinHandle`].
///
/// The task starts at once on some worker; it need not be awaited to make progress.
///
/// # Panics
///
/// Panics when called outside a runtime, with a message that says how to enter one.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let total: u32 = rt.block_on(async {
///     let handles: Vec<_> = (1..=4).map(|n| spindle_executor::spawn(async move { n * 10 })).collect();
///     let mut total = 0;
///     for handle in handles {
///         total += handle.await.unwrap();
///     }
///     total
/// });
/// assert_eq!(total, 100);
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // The context's handle is cloned once, and that clone moves into the task.
    match crate::runtime::context::current_handle() {
        Some(handle) => handle.spawn_owned(future, SpawnMeta::new(Location::caller())),
        None => panic!(
            "spindle::spawn called outside a runtime: enter one with Runtime::enter(), call \
             it from inside Runtime::block_on() or a spawned task, or use #[spindle::main]"
        ),
    }
}

/// Runs the blocking closure `work` on the runtime's blocking pool, returning a
/// [`JoinHandle`] for its result. Use it for synchronous IO or heavy computation that
/// would otherwise stall a worker.
///
/// # Panics
///
/// Panics when called outside a runtime.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     spindle_executor::task::spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap()
/// });
/// assert_eq!(sum, 5050);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(work: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(work),
        Err(_) => panic!(
            "spindle::task::spawn_blocking called outside a runtime: enter one with \
             Runtime::enter(), call it from inside Runtime::block_on() or a spawned task, or \
             use #[spindle::main]"
        ),
    }
}
