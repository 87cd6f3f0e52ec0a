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

mod blocking;
mod loom;
pub mod runtime;
mod scheduler;
pub mod task;

pub use task::spawn;
#[cfg(loom)]
#[doc(hidden)]
pub mod loom_hooks;
