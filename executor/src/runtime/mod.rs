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
mod handle;
pub(crate) mod hooks;
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
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use hooks::TaskMeta;
pub use local::LocalRuntime;
pub use metrics::RuntimeMetrics;
pub(crate) use metrics::WorkerMetrics;
pub(crate) use watchdog::PollSlot;
pub use watchdog::SlowPoll;

use crate::blocking;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::JoinHandle;
use config::Config;
use driver::DriverConfig;

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

    fn shutdown(&mut self, timeout: Option<Duration>) {
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

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(watchdog) = &self.watchdog {
            watchdog.stop();
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

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}
