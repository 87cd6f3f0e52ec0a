//! spindle's executor: task cells, the two schedulers, the runtime and its builder,
//! and the blocking pool.
//!
//! Most users reach this crate through the `spindle` facade, which re-exports
//! [`runtime`], [`task`] and [`spawn`] at the same paths tokio uses.
//!
//! Layout: `task/` is the task cell and its handles; `scheduler/` the multi-thread
//! (work-stealing) and current-thread schedulers; `runtime/` the public `Runtime`,
//! `Builder`, `Handle`, the thread context and the driver workers park in;
//! `blocking/` the pool behind `spawn_blocking`.
//!
//! ```
//! use spindle_executor::runtime::Builder;
//!
//! let runtime = Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
//! let squares = runtime.block_on(async {
//!     let tasks: Vec<_> = (1..=4u64)
//!         .map(|n| spindle_executor::spawn(async move { n * n }))
//!         .collect();
//!     let mut squares = Vec::new();
//!     for task in tasks {
//!         squares.push(task.await.expect("task finished"));
//!     }
//!     squares
//! });
//! assert_eq!(squares, [1, 4, 9, 16]);
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]

mod blocking;
#[doc(hidden)]
pub mod macro_support;
pub mod runtime;
mod scheduler;
pub mod sim;
pub mod task;

pub use task::spawn;
#[cfg(loom)]
#[doc(hidden)]
pub mod loom_hooks;
