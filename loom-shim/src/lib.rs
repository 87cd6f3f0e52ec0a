//! The one synchronisation shim of the workspace: every atomic, lock, condvar, `Arc`,
//! checked cell and runtime thread that takes part in a cross-thread protocol in
//! spindle's crates is named through this crate.
//!
//! A normal build gets std's atomics, `Arc` and threads and parking_lot's locks; a
//! build with `RUSTFLAGS="--cfg loom"` gets loom's model-checked stand-ins, so the
//! loom models (`loom-tests/`) explore each access without a line of the protocols
//! changing. Both halves expose one API: `lock()` returns the guard directly (loom's
//! poisoning is stripped, as parking_lot does not poison), and [`UnsafeCell`] is
//! accessed only through the closures `with`/`with_mut`, which is all loom offers.
//!
//! crossbeam's queues cannot run under loom; they sit behind the executor's seams
//! (`queue_seam.rs`, `channel_seam.rs`) instead. Thread-locals are switched where they
//! are declared (`loom::thread_local!` under `cfg(loom)`), since a macro cannot be
//! re-exported under both names.
//!
//! Public methods taking `self: Arc<Self>` (`Semaphore::acquire_owned`, ...) use std's
//! `Arc`, because a `self` receiver must be std's type; under loom such an `Arc` is
//! simply not tracked.
//!
//! The crate also keeps [`replace_waker`], the one "store this waker unless it would
//! wake the same task" step every waiter slot takes.

#[cfg(not(loom))]
pub use std::sync::atomic::{
    fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
#[cfg(not(loom))]
pub use std::sync::Arc;

#[cfg(loom)]
pub use loom::sync::atomic::{
    fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
#[cfg(loom)]
pub use loom::sync::Arc;

/// Runtime threads: std's, or loom's under `cfg(loom)` (same `Builder` API), so a model
/// can run the runtime's own worker and blocking threads.
#[cfg(not(loom))]
pub use std::thread;

/// Runtime threads: std's, or loom's under `cfg(loom)` (same `Builder` API), so a model
/// can run the runtime's own worker and blocking threads.
#[cfg(loom)]
pub use loom::thread;

mod cell;
mod lock;
mod waker;

pub use cell::UnsafeCell;
pub use lock::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use waker::replace_waker;
