//! spindle's timers: the timing wheel, [`time::Sleep`], [`time::Interval`],
//! [`time::Timeout`], [`time::Instant`] and the test clock.
//!
//! The public API lives in [`time`], which the `spindle` facade re-exports as
//! `spindle::time`. The rest of this page is the interface the executor drives.
//!
//! # The driver interface
//!
//! Each runtime owns one [`Driver`]; resources reach it through a [`Handle`] that the
//! runtime makes current on its threads. There is no timer thread: the worker that
//! parks on the driver fires the timers.
//!
//! ```text
//! Driver::new(start_paused: bool) -> Driver
//! Driver::handle(&self) -> Handle
//! Driver::fire_due_timers(&self) -> usize          fire due timers, wake them (outside the lock)
//! Driver::park_timeout(&self) -> Option<Duration>   None: no timer (or clock paused); Some(ZERO): one is due
//! Driver::begin_park(&self) -> Option<Duration>     park_timeout + set_parked_until, atomically
//! Driver::end_park(&self)                           = set_parked_until(None)
//! Driver::set_parked_until(&self, Option<Instant>)  tell the driver when the parked worker wakes
//! Driver::auto_advance(&self) -> bool               paused clock: jump to the next deadline and fire
//! Driver::shutdown(&self)                           wake every sleep; later polls panic (also on drop)
//! Driver::pending_timers(&self) -> usize            registered, not yet fired (metrics)
//! Driver::allocated_bytes(&self) -> usize           wheel memory (metrics)
//! Driver::is_paused(&self) -> bool
//! Driver::block_on(&self, F) -> F::Output           standalone runner for tests and examples
//!
//! Handle: Clone + Send + Sync
//! Handle::new_unpark_hook(&self, Arc<dyn Fn() + Send + Sync>)  how the driver wakes the parked worker
//! Handle::current() -> Handle                       panics outside a runtime with time enabled
//! Handle::try_current() -> Option<Handle>
//! Handle::enter(&self) -> EnterGuard                make current on this thread; nestable
//! Handle::now(&self) -> Instant                     the clock's now (respects pause)
//! Handle::ptr_eq(&self, &Handle) -> bool
//! ```
//!
//! A worker loop uses it like this:
//!
//! ```
//! # use std::sync::Arc;
//! # use spindle_timers::Driver;
//! # let driver = Driver::new(false);
//! # let parker = Arc::new((parking_lot::Mutex::new(false), parking_lot::Condvar::new()));
//! # let unparker = Arc::clone(&parker);
//! // Once, when the runtime is built: the hook wakes whichever worker parks on the driver.
//! driver.handle().new_unpark_hook(Arc::new(move || {
//!     *unparker.0.lock() = true;
//!     unparker.1.notify_one();
//! }));
//! # let every_worker_idle = false;
//! // The worker that takes the driver, when it has nothing to run:
//! driver.fire_due_timers();
//! if every_worker_idle && driver.auto_advance() {
//!     // the paused clock jumped and woke tasks: go run them
//! } else {
//!     let timeout = driver.begin_park(); // records the wake time, so an earlier insert unparks
//!     let mut unparked = parker.0.lock();
//!     if !*unparked {
//!         match timeout {
//!             Some(timeout) => { parker.1.wait_for(&mut unparked, timeout); }
//!             None => { /* parker.1.wait(&mut unparked) in a real worker */ }
//!         }
//!     }
//!     *unparked = false;
//!     drop(unparked);
//!     driver.end_park();
//!     driver.fire_due_timers();
//! }
//! ```
//!
//! Busy workers call [`Driver::fire_due_timers`] every `event_interval` ticks. The executor
//! enters [`Handle::enter`] on every worker, inside `block_on` and on blocking-pool
//! threads, and calls [`Driver::shutdown`] (or drops the driver) when the runtime shuts
//! down.
//!
//! # Design
//!
//! Timers live in a hierarchical wheel (six levels of 64 slots, 100 µs ticks) whose
//! entries sit in a slab addressed by stable keys: insert and cancel are O(1) with no
//! `unsafe`. Ticks only place entries; each keeps its exact deadline and fires once the
//! clock reaches it, and the parked worker sleeps until the earliest exact deadline, so
//! a timer is never early and is late only by the thread's wake-up latency. See
//! `wheel` for the invariants and `driver` for the parking protocol.

#![deny(missing_docs)]

mod block_on;
mod clock;
mod context;
mod driver;
pub mod time;
mod wheel;

pub use context::EnterGuard;
pub use driver::{Driver, Handle};
