//! The runtime: its builder, handle, thread context and driver.
//!
//! A [`Runtime`] owns a scheduler (multi-thread or current-thread), a blocking pool
//! and a driver. [`Handle`] is the cloneable way to reach it from anywhere; the
//! thread-local context (`context.rs`) is how free functions like `spindle::spawn`
//! find the runtime they are running in.

mod builder;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod driver;
mod dump;
mod graceful;
mod handle;
pub(crate) mod hooks;
mod id;
mod io_seam;
mod local;
mod metrics;
pub(crate) mod park;
mod watchdog;

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

pub use builder::Builder;
pub use dump::{TaskDump, TaskInfo, TaskState};
pub use graceful::{DrainOutcome, ShutdownReport};
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use hooks::TaskMeta;
pub use id::Id;
pub use local::{LocalOptions, LocalRuntime};
pub use metrics::RuntimeMetrics;
pub(crate) use metrics::WorkerMetrics;
pub(crate) use watchdog::PollSlot;
pub use watchdog::SlowPoll;

use crate::blocking;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::JoinHandle;
use config::Config;
use driver::DriverConfig;

/// The index of the worker thread this is called on, as the `worker_*` methods of
/// [`RuntimeMetrics`] number workers; `None` off the runtime's workers (a thread of
/// the blocking pool, a thread spindle did not start, or the thread inside a
/// multi-thread runtime's `block_on`). On a current-thread runtime it is `Some(0)` on
/// the thread driving the runtime. A task may move between workers across `.await`s.
///
/// ```
/// use spindle_executor::runtime::{self, Builder};
///
/// let rt = Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// let index = rt.block_on(async { spindle_executor::spawn(async { runtime::worker_index() }).await });
/// assert!(matches!(index.unwrap(), Some(0 | 1)));
/// assert_eq!(runtime::worker_index(), None);
/// ```
pub fn worker_index() -> Option<usize> {
    context::with_scheduler(|scheduler| scheduler.map(scheduler::Context::worker_index))
}

/// The message of the error IO on a socket returns once the socket's runtime was shut
/// down; it must stay the reactor's text (`is_rt_shutdown_err` compares with it, and
/// `tests/runtime_api.rs` pins the two together).
const RUNTIME_SHUT_DOWN_IO_ERROR: &str =
    "the runtime that owned this socket was shut down, so its IO driver is gone: \
     keep the runtime alive while its sockets are in use, or create the socket inside \
     the runtime that uses it";

/// True when `err` is the error an IO resource returns because its runtime was shut
/// down (rather than a failure of the operation itself).
///
/// ```
/// use spindle_executor::runtime::is_rt_shutdown_err;
///
/// let other = std::io::Error::other("connection reset");
/// assert!(!is_rt_shutdown_err(&other));
/// ```
pub fn is_rt_shutdown_err(err: &io::Error) -> bool {
    match err.get_ref() {
        Some(inner) => {
            err.kind() == io::ErrorKind::Other
                && inner.source().is_none()
                && inner.to_string() == RUNTIME_SHUT_DOWN_IO_ERROR
        }
        None => false,
    }
}

const NESTED_BLOCK_ON: &str =
    "block_on called from inside a spindle runtime: blocking this thread \
     would stall the tasks that run on it. Inside async code, .await the future instead; from \
     synchronous code called by a task, use spawn_blocking and await its JoinHandle";

/// What a runtime does when a task panics and nobody holds its `JoinHandle` (asyncio's
/// "Task exception was never retrieved"). Set with
/// [`Builder::unhandled_panic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Carry on; the panic message was already printed by the panic hook.
    #[default]
    Ignore,
    /// Shut the runtime down: every task is cancelled and `block_on` panics.
    ShutdownRuntime,
}

pub(crate) const UNHANDLED_PANIC_SHUTDOWN: &str =
    "a spawned task panicked and nobody held its JoinHandle, \
     and the runtime was built with unhandled_panic(UnhandledPanic::ShutdownRuntime): the \
     runtime shut down. Await the task's JoinHandle to handle the panic, or use \
     UnhandledPanic::Ignore";

/// Which scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Every task runs on the thread that calls `block_on`.
    CurrentThread,
    /// Tasks run on a pool of work-stealing worker threads.
    MultiThread,
}

/// A spindle runtime: worker threads (or the calling thread), a blocking pool, and the
/// drivers that wake tasks.
///
/// Dropping it stops the workers and drops every unfinished task's future (their
/// destructors run); their `JoinHandle`s then report a cancelled `JoinError`. It waits
/// for blocking-pool closures that are already running; use
/// [`shutdown_timeout`](Runtime::shutdown_timeout) to bound that wait.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let doubled = rt.block_on(async {
///     let task = spindle_executor::spawn(async { 21 });
///     task.await.unwrap() * 2
/// });
/// assert_eq!(doubled, 42);
/// ```
pub struct Runtime {
    scheduler: Scheduler,
    handle: Handle,
    /// Stops the slow-poll watchdog when the runtime goes away.
    watchdog: Option<watchdog::Watchdog>,
    /// Set by the first shutdown this owner asked for (`shutdown_timeout`, `Drop`, ...),
    /// so `Drop` after `shutdown_timeout` does not wait again without a bound.
    shut_down: bool,
}

enum Scheduler {
    CurrentThread(current_thread::CurrentThread),
    MultiThread,
}

impl Runtime {
    /// A multi-thread runtime with one worker per CPU (or `SPINDLE_WORKER_THREADS`)
    /// and every driver enabled.
    ///
    /// # Errors
    ///
    /// Fails when the worker threads cannot be started.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().enable_all().build()
    }

    pub(crate) fn new_current_thread(
        config: Arc<Config>,
        drivers: DriverConfig,
    ) -> io::Result<Runtime> {
        let blocking = blocking::Spawner::new(config.clone());
        let (scheduler, handle) = current_thread::create(config.clone(), blocking, drivers)?;
        let watched: Arc<dyn watchdog::WatchedRuntime> = handle.clone();
        let watchdog = start_watchdog(&config, Arc::downgrade(&watched))?;
        Ok(Runtime {
            scheduler: Scheduler::CurrentThread(scheduler),
            handle: Handle {
                inner: scheduler::Handle::CurrentThread(handle),
            },
            watchdog,
            shut_down: false,
        })
    }

    pub(crate) fn new_multi_thread(
        workers: usize,
        config: Arc<Config>,
        drivers: DriverConfig,
    ) -> io::Result<Runtime> {
        let blocking = blocking::Spawner::new(config.clone());
        let handle = multi_thread::create(workers, config.clone(), blocking, drivers)?;
        let watched: Arc<dyn watchdog::WatchedRuntime> = handle.clone();
        let watchdog = start_watchdog(&config, Arc::downgrade(&watched))?;
        Ok(Runtime {
            scheduler: Scheduler::MultiThread,
            handle: Handle {
                inner: scheduler::Handle::MultiThread(handle),
            },
            watchdog,
            shut_down: false,
        })
    }

    /// Runs `future` to completion on the calling thread, with the runtime entered.
    /// On a current-thread runtime this is also what runs the spawned tasks.
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime (a task, or another `block_on`).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let Some(_in_runtime) = context::try_enter_runtime() else {
            panic!("{NESTED_BLOCK_ON}");
        };
        let _entered = context::set_current_handle(&self.handle.inner);
        match (&self.scheduler, &self.handle.inner) {
            (Scheduler::CurrentThread(scheduler), scheduler::Handle::CurrentThread(handle)) => {
                scheduler.block_on(handle, future)
            }
            (_, scheduler::Handle::MultiThread(handle)) => {
                let (waker, _) = park::current_thread_waker();
                handle.register_block_on(&waker, true);
                struct Unregister<'a>(&'a multi_thread::Handle, std::task::Waker);
                impl Drop for Unregister<'_> {
                    fn drop(&mut self) {
                        self.0.register_block_on(&self.1, false);
                    }
                }
                let _unregister = Unregister(handle, waker);
                park::block_on_reporting(future, |active| {
                    if active && handle.unhandled_panic_fired() {
                        panic!("{UNHANDLED_PANIC_SHUTDOWN}");
                    }
                    handle.set_block_on_active(active)
                })
            }
            (Scheduler::MultiThread, scheduler::Handle::CurrentThread(_)) => {
                unreachable!("a runtime's scheduler and handle always match")
            }
        }
    }

    /// Spawns `future` onto this runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs `work` on this runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, work: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(work)
    }

    /// The runtime's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The runtime's counters, as [`Handle::metrics`] gives them.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Enters the runtime on this thread until the guard is dropped, so
    /// `spindle::spawn` works from synchronous code.
    ///
    /// ```
    /// use spindle_executor::runtime::Runtime;
    ///
    /// let rt = Runtime::new().unwrap();
    /// let task = {
    ///     let _guard = rt.enter();
    ///     spindle_executor::spawn(async { 5 })
    /// };
    /// assert_eq!(rt.block_on(task).unwrap(), 5);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts down, waiting at most `timeout` for worker threads and running
    /// blocking-pool closures to finish; whatever is still running then is left to
    /// finish on its own.
    ///
    /// ```
    /// use std::time::Duration;
    /// use spindle_executor::runtime::Runtime;
    ///
    /// let rt = Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)));
    /// rt.shutdown_timeout(Duration::from_millis(10));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for any thread.
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Duration::ZERO));
    }

    /// Shuts down gracefully, as asyncio's `run` does at exit: cancels the runtime's
    /// [shutdown token](Handle::shutdown_token), keeps running tasks for up to
    /// `timeout` so they can finish their async cleanup, then drops whatever is still
    /// alive. The report names each task that was still alive at the deadline (id,
    /// name, spawn site), so a task that ignores the token is found, not silently lost.
    ///
    /// The wait ends as soon as the last task finishes. Blocking-pool closures are not
    /// tasks: running ones get whatever is left of `timeout` after the drain, as with
    /// [`shutdown_timeout`](Runtime::shutdown_timeout).
    ///
    /// ```
    /// use std::time::Duration;
    /// use spindle_executor::runtime::{Builder, DrainOutcome};
    ///
    /// let rt = Builder::new_multi_thread().enable_time().build().unwrap();
    /// let token = rt.handle().shutdown_token();
    /// rt.spawn(async move {
    ///     token.cancelled().await;
    ///     // ...flush buffers, say goodbye to peers...
    /// });
    /// let report = rt.shutdown_graceful(Duration::from_secs(5));
    /// assert_eq!(report.outcome(), DrainOutcome::Drained);
    /// assert!(report.remaining_tasks().is_empty());
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime (a task or `block_on`), because the
    /// drain drives the runtime from this thread.
    #[track_caller]
    pub fn shutdown_graceful(self, timeout: Duration) -> ShutdownReport {
        self.shutdown_graceful_or(timeout, std::future::pending())
    }

    /// [`shutdown_graceful`](Runtime::shutdown_graceful) that also ends the drain, with
    /// [`DrainOutcome::EndedEarly`], as soon as `stop_now` completes: for example on a
    /// second ctrl-c, which is what `#[spindle::main(graceful_shutdown = "...")]` wires
    /// it to.
    ///
    /// ```
    /// use std::time::Duration;
    /// use spindle_executor::runtime::{Builder, DrainOutcome};
    ///
    /// let rt = Builder::new_current_thread().build().unwrap();
    /// rt.spawn(std::future::pending::<()>()); // ignores the token
    /// let report = rt.shutdown_graceful_or(Duration::from_secs(60), async {});
    /// assert_eq!(report.outcome(), DrainOutcome::EndedEarly);
    /// assert_eq!(report.remaining_tasks().len(), 1);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime, as `shutdown_graceful` does.
    #[track_caller]
    pub fn shutdown_graceful_or(
        mut self,
        timeout: Duration,
        stop_now: impl Future<Output = ()>,
    ) -> ShutdownReport {
        if context::try_enter_runtime().is_none() {
            panic!(
                "Runtime::shutdown_graceful called from inside a runtime: the drain runs the \
                 runtime's tasks from this thread. Call it from synchronous code (after \
                 block_on returns), or cancel Handle::shutdown_token() from inside instead"
            );
        }
        let started = std::time::Instant::now();
        let token = self.handle.shutdown_token();
        let has_timer = self.handle.inner.driver().time().is_some();
        let owned = self.handle.inner.owned();
        let outcome = self.block_on(graceful::drain(
            &token,
            owned.wait_until_empty(),
            timeout,
            has_timer,
            stop_now,
        ));
        let elapsed = started.elapsed();
        let remaining = match outcome {
            DrainOutcome::Drained => Vec::new(),
            _ => self.handle.dump().tasks().to_vec(),
        };
        // Tasks are dropped now (as by Drop); running blocking closures get what is
        // left of the timeout.
        self.shutdown(Some(timeout.saturating_sub(elapsed)));
        ShutdownReport {
            outcome,
            elapsed,
            timeout,
            remaining,
        }
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        match (&self.scheduler, &self.handle.inner) {
            (Scheduler::CurrentThread(scheduler), scheduler::Handle::CurrentThread(handle)) => {
                scheduler.shutdown(handle, timeout);
            }
            (_, scheduler::Handle::MultiThread(handle)) => handle.shutdown(timeout),
            (Scheduler::MultiThread, scheduler::Handle::CurrentThread(_)) => {
                unreachable!("a runtime's scheduler and handle always match")
            }
        }
    }
}

/// Dropping a runtime waits for its threads; inside another runtime that would
/// block a thread that runs tasks. A `&'static str`, so the panic payload is one.
const DROP_IN_RUNTIME: &str = "Cannot drop a runtime in a context where blocking is not \
     allowed: this runtime was dropped from inside another runtime (a task or a block_on), and \
     dropping waits for its threads. Drop it from synchronous code, move it into \
     spawn_blocking to drop it there, or call shutdown_background() or \
     shutdown_timeout(Duration::ZERO), which do not wait";

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(watchdog) = &self.watchdog {
            watchdog.stop();
        }
        if !self.shut_down && context::is_in_runtime() && !std::thread::panicking() {
            // Stop it without waiting, so nothing leaks, then report the misuse.
            self.shutdown(Some(Duration::ZERO));
            std::panic::panic_any(DROP_IN_RUNTIME);
        }
        self.shutdown(None);
    }
}

fn start_watchdog(
    config: &Config,
    runtime: std::sync::Weak<dyn watchdog::WatchedRuntime>,
) -> io::Result<Option<watchdog::Watchdog>> {
    config
        .slow_poll_threshold
        .map(|threshold| watchdog::Watchdog::start(runtime, threshold, config.on_slow_poll.clone()))
        .transpose()
}

impl std::panic::UnwindSafe for Runtime {}
impl std::panic::RefUnwindSafe for Runtime {}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}
