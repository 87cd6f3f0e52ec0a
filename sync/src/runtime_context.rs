//! What a runtime tells the primitives: whether the current thread is driving async
//! tasks (so the `blocking_*` methods can refuse to park it), and how to sleep (so
//! `mpsc::Sender::send_timeout` can time out although this crate sits below the timers).
//!
//! The primitives know nothing of runtimes, but a runtime knows them: the executor sets
//! this flag on every thread that polls tasks (`Runtime::block_on`, worker threads) and
//! clears it where blocking is allowed again (`block_in_place`, `spawn_blocking`
//! threads). A `blocking_*` call on a flagged thread panics at the caller's line instead
//! of parking a thread that other tasks need, which could deadlock the runtime. The
//! flag is a plain thread-local `Cell`: only its own thread reads or writes it.
//!
//! Under loom the flag lives in loom's thread-local storage, so each modelled thread has
//! its own (and models, which drive `blocking_*` through loom's `block_on`, never set
//! it).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::Duration;

#[cfg(not(loom))]
thread_local! {
    static DRIVING_TASKS: Cell<bool> = const { Cell::new(false) };
}
#[cfg(loom)]
loom::thread_local! {
    static DRIVING_TASKS: Cell<bool> = Cell::new(false);
}

/// Marks (or unmarks) the current thread as one that drives async tasks, returning the
/// previous value so the caller can restore it when it stops.
///
/// For runtimes: set it while a thread polls tasks, clear it around code that may block.
pub fn set_driving_tasks(on: bool) -> bool {
    DRIVING_TASKS.with(|flag| flag.replace(on))
}

/// Whether the current thread is marked as driving async tasks (see
/// [`set_driving_tasks`]).
pub fn is_driving_tasks() -> bool {
    DRIVING_TASKS.with(Cell::get)
}

/// The panic message of a `blocking_*` call on a thread that drives async tasks; the
/// same words as tokio's, so programs and tests that match on it port unchanged.
pub(crate) const CANNOT_BLOCK: &str = "Cannot block the current thread from within a runtime. \
This happens because a function attempted to block the current thread while the thread is \
being used to drive asynchronous tasks.";

/// A sleep of the runtime's timer: completes once `duration` has passed on the
/// runtime's clock (which a test runtime may pause or advance). `Send + Sync`, so
/// `send_timeout`'s future is both, as tokio's is.
pub type SleepFn = fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>>;

static SLEEP: OnceLock<SleepFn> = OnceLock::new();

/// Registers the timer that timeouts in this crate sleep on. The timers crate calls it
/// once; returns `false` (keeping the first) if a timer was registered already.
pub fn register_sleep(sleep: SleepFn) -> bool {
    SLEEP.set(sleep).is_ok()
}

/// A sleep of `duration` on the registered timer.
///
/// # Panics
///
/// Panics, naming `operation`, if no timer has been registered.
#[track_caller]
pub(crate) fn sleep(
    duration: Duration,
    operation: &str,
) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>> {
    match SLEEP.get() {
        Some(sleep) => sleep(duration),
        None => panic!(
            "{operation} needs the spindle runtime's timer, and none is registered: call it \
             inside a spindle runtime (spindle's timers register it)"
        ),
    }
}
