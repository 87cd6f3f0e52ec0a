//! spindle's reactor: readiness-based IO on one `polling::Poller` per runtime, the
//! [`net`] socket types and [`io::unix::AsyncFd`].
//!
//! The public API lives in [`net`], [`io`], [`process`] (child processes, reaped via
//! pidfd or `SIGCHLD`) and [`signal`] (Unix signals and Ctrl-C), which the `spindle`
//! facade re-exports under the same names. The rest of this page is the interface the
//! executor drives.
//!
//! # The driver interface
//!
//! ```text
//! Driver::new() -> io::Result<Driver>            one per runtime; owns the poller
//! Driver::handle(&self) -> Handle
//! Driver::park(&mut self, Option<Duration>) -> usize
//!                                                wait for events (None: until one or an
//!                                                unpark; Some(ZERO): just look), record
//!                                                readiness, wake tasks outside every lock
//! Driver::set_max_events(&mut self, usize)       Builder::max_io_events_per_tick
//! Driver::shutdown(&self)                        every socket now fails with an io::Error
//!                                                (also on drop)
//! Driver::block_on(&mut self, F) -> F::Output    standalone runner for tests and examples
//!
//! Handle: Clone + Send + Sync
//! Handle::unpark(&self)                          end a park now (or the next one at once)
//! Handle::current() / try_current()              the handle entered on this thread
//! Handle::enter(&self) -> EnterGuard             make current on this thread; nestable
//! ```
//!
//! A runtime drives it like this: the worker that takes the driver when it has nothing
//! to run calls `park` with the next timer deadline as timeout (or `None`); a busy
//! worker calls `park(Some(Duration::ZERO))` every `event_interval` ticks if the driver
//! is free. Whoever makes work for a worker parked in the driver calls
//! [`Handle::unpark`]. The executor enters [`Handle::enter`] on every worker thread,
//! inside `block_on` and on blocking-pool threads, and calls [`Driver::shutdown`] (or
//! drops the driver) when the runtime shuts down.
//!
//! ```
//! # use std::time::Duration;
//! let mut driver = spindle_reactor::Driver::new()?;
//! let handle = driver.handle();
//! let _entered = handle.enter(); // on every runtime thread
//! handle.unpark();               // e.g. a task was spawned while the worker sleeps
//! let events = driver.park(None); // returns at once: the unpark is remembered
//! assert_eq!(events, 0);
//! driver.park(Some(Duration::ZERO)); // a busy worker's non-blocking look
//! driver.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Design
//!
//! Sources register edge-triggered where the backend has it (`Poller::supports_edge`:
//! epoll, kqueue) and oneshot elsewhere, re-armed before each wait. Each keeps its
//! readiness bits and a tick in one atomic word and its reader and writer wakers in two
//! slots (`scheduled_io`), and every IO call tries the syscall first, clearing the
//! readiness only after `WouldBlock` and only if no event came meanwhile
//! (`registration`). See `driver` for the event loop and shutdown.
//!
//! Under `--cfg loom` only the readiness-tick protocol is built (the poller cannot run
//! inside a model); it is exposed, hidden, as `loom_model` for the loom tests.

#![deny(missing_docs)]

#[cfg(not(loom))]
mod block_on;
#[cfg(not(loom))]
mod context;
#[cfg(not(loom))]
mod driver;
#[cfg(all(target_os = "linux", not(loom)))]
mod epoll;
pub mod io;
#[cfg(not(loom))]
pub mod net;
#[cfg(not(loom))]
pub mod process;
#[cfg(not(loom))]
mod registration;
#[cfg_attr(loom, allow(dead_code, unused_imports))]
mod scheduled_io;
#[cfg(not(loom))]
pub mod signal;

#[cfg(not(loom))]
#[doc(hidden)]
pub use block_on::block_on_with_driver;
#[cfg(not(loom))]
pub use context::EnterGuard;
#[cfg(not(loom))]
pub use driver::{Driver, Handle};

/// The readiness-tick protocol on its own, for loom models (built only with
/// `--cfg loom`, where the poller is left out).
#[cfg(loom)]
#[doc(hidden)]
pub mod loom_model {
    pub use crate::scheduled_io::ModelSource;
}
