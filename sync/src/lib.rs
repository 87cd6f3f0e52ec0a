//! Runtime-agnostic synchronisation primitives for spindle, and the cooperative budget.
//!
//! This crate is the floor of spindle's crate graph: it depends on nothing else of
//! spindle's and works on any executor (`futures::executor::block_on` included). It is
//! also where what every resource shares lives (the cooperative budget in [`coop`]), so
//! the executor, the reactor and the timers can all spend it without naming each other.
//!
//! Every waiting future here queues in FIFO order, spends the cooperative budget when
//! polled, and is cancel safe unless its docs say otherwise. The hot primitives
//! (`Semaphore`, and so `Mutex` and `RwLock`; `Notify`) keep their waiters in intrusive
//! lists inside the waiting futures, so a woken waiter completes without taking the
//! primitive's lock again; the rest share the slab-backed list in `waiters`.
//! The names, paths and semantics follow tokio's `sync` module, so code written against
//! tokio ports by changing the crate name.
//!
//! ```
//! use std::sync::Arc;
//! use spindle_sync::{mpsc, Mutex};
//!
//! // No runtime needed: the primitives work under any executor.
//! futures::executor::block_on(async {
//!     let total = Arc::new(Mutex::new(0));
//!     let (sender, mut receiver) = mpsc::channel(8);
//!     for n in 1..=3 {
//!         sender.send(n).await.expect("receiver alive");
//!     }
//!     drop(sender);
//!     while let Some(n) = receiver.recv().await {
//!         *total.lock().await += n;
//!     }
//!     assert_eq!(*total.lock().await, 6);
//! });
//! ```

#![deny(missing_docs)]

pub mod broadcast;
pub mod coop;
/// The named future types of this crate's primitives, as in `tokio::sync::futures`.
pub mod futures {
    pub use crate::notify::{Notified, OwnedNotified};
}
pub mod mpsc;
pub mod oneshot;
pub mod queue;
#[doc(hidden)]
pub mod runtime_context;
pub mod watch;

mod barrier;
mod block_on;
mod cancellation;
mod event;
mod mutex;
mod notify;
mod once_cell;
mod rwlock;
mod semaphore;
mod set_once;
mod waiters;

pub use barrier::{Barrier, BarrierWaitResult};
pub use cancellation::{
    CancellationToken, DropGuard, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};
pub use event::Event;
pub use mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use notify::{Notified, Notify, OwnedNotified};
pub use once_cell::{OnceCell, SetError};
/// asyncio's work queue, also reachable as `queue::Queue` beside its error types.
pub use queue::Queue;
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
pub use set_once::{SetOnce, SetOnceError};
