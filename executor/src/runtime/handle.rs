//! `Handle`: a cloneable reference to a runtime, usable from any thread.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;

use super::context;
use super::RuntimeFlavor;
use crate::scheduler;
use crate::task::{JoinHandle, SpawnMeta};

/// A reference to a runtime that can spawn onto it from any thread, even one the
/// runtime did not start (asyncio's `call_soon_threadsafe`).
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let from_thread = std::thread::spawn(move || handle.spawn(async { "hi" }))
///     .join()
///     .unwrap();
/// assert_eq!(rt.block_on(from_thread).unwrap(), "hi");
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Why [`Handle::try_current`] found no runtime.
#[derive(Debug)]
pub struct TryCurrentError {
    thread_local_destroyed: bool,
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.thread_local_destroyed {
            f.write_str(
                "the spindle runtime context of this thread was already destroyed (the thread is \
                 exiting)",
            )
        } else {
            f.write_str(
                "there is no spindle runtime entered on this thread: call this from inside \
                 Runtime::block_on() or a spawned task, after Runtime::enter(), or use \
                 #[spindle::main]",
            )
        }
    }
}

impl std::error::Error for TryCurrentError {}

impl TryCurrentError {
    /// True when no runtime was entered on this thread.
    pub fn is_missing_context(&self) -> bool {
        !self.thread_local_destroyed
    }

    /// True when the thread's runtime context was already destroyed (the call came
    /// from a thread-local destructor while the thread exits).
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.thread_local_destroyed
    }
}

/// Keeps a runtime entered on this thread; dropping it restores what was entered
/// before. Returned by [`Handle::enter`] and
/// [`Runtime::enter`](crate::runtime::Runtime::enter).
#[must_use = "the runtime is only entered while the guard is alive"]
pub struct EnterGuard<'a> {
    /// A `LocalRuntime`'s set, entered with it; left before the handle is.
    _local: Option<crate::task::LocalEnterGuard>,
    _entered: context::SetHandleGuard,
    _not_send: PhantomData<(&'a Handle, *const ())>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

impl Handle {
    /// The handle of the runtime this thread is in.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime, with a message that says how to enter one; use
    /// [`try_current`](Handle::try_current) to get an error instead.
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(error) => panic!("Handle::current() failed: {error}"),
        }
    }

    /// The handle of the runtime this thread is in, or an error saying why there is
    /// none.
    ///
    /// ```
    /// use spindle_executor::runtime::{Handle, Runtime};
    ///
    /// assert!(Handle::try_current().is_err());
    /// let rt = Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// assert!(Handle::try_current().is_ok());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        match context::current_handle_or_destroyed() {
            Ok(Some(inner)) => Ok(Handle { inner }),
            Ok(None) => Err(TryCurrentError {
                thread_local_destroyed: false,
            }),
            Err(()) => Err(TryCurrentError {
                thread_local_destroyed: true,
            }),
        }
    }

    /// Spawns `future` onto this runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, SpawnMeta::new(Location::caller()))
    }

    /// Runs `work` on this runtime's blocking pool.
    ///
    /// # Panics
    ///
    /// Panics when the pool has no thread and the OS refuses to start one.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, work: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (join, error) = self.inner.blocking_spawner().spawn_blocking(
            &self.inner,
            work,
            SpawnMeta::new(Location::caller()),
        );
        if let Some(error) = error {
            panic!(
                "spawn_blocking: the OS refused to start a blocking-pool thread ({error}); lower \
                 the load or raise the process's thread limit"
            );
        }
        join
    }

    /// Runs `future` to completion on the calling thread, with this runtime entered.
    ///
    /// On a multi-thread runtime, spawned tasks keep running on the workers meanwhile.
    /// On a current-thread runtime, only `Runtime::block_on` runs spawned tasks; this
    /// method polls just `future` itself.
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime (a task or another `block_on`), where
    /// blocking the thread would stall other tasks.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let Some(_in_runtime) = context::try_enter_runtime() else {
            panic!("{}", super::NESTED_BLOCK_ON);
        };
        let _entered = context::set_current_handle(&self.inner);
        super::park::block_on(future)
    }

    /// Enters this runtime on the current thread, so that `spindle::spawn` and
    /// `Handle::current` find it, until the guard is dropped.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _entered: context::set_current_handle(&self.inner),
            _local: None,
            _not_send: PhantomData,
        }
    }

    /// Enters this runtime together with a `LocalRuntime`'s set.
    pub(crate) fn enter_with_local(&self, local: crate::task::LocalEnterGuard) -> EnterGuard<'_> {
        EnterGuard {
            _entered: context::set_current_handle(&self.inner),
            _local: Some(local),
            _not_send: PhantomData,
        }
    }

    /// The runtime's process-unique id.
    ///
    /// ```
    /// use spindle_executor::runtime::Runtime;
    ///
    /// let rt = Runtime::new().unwrap();
    /// let inside = rt.block_on(async { spindle_executor::runtime::Handle::current().id() });
    /// assert_eq!(inside, rt.handle().id());
    /// ```
    pub fn id(&self) -> super::Id {
        self.inner.config().id
    }

    /// The name given with [`Builder::name`](super::Builder::name), if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.config().name.as_deref()
    }

    /// Which scheduler this runtime uses.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
            scheduler::Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
        }
    }

    /// The runtime's counters: workers, queues, polls, parks, steals, the blocking
    /// pool.
    pub fn metrics(&self) -> super::RuntimeMetrics {
        super::RuntimeMetrics::new(self.inner.clone())
    }

    /// Every live task of this runtime: id, name, spawn site, state, polls and age.
    /// Print it for a table, like Go's goroutine dump or aiomonitor's `ps`.
    pub fn dump(&self) -> super::TaskDump {
        let mut tasks = Vec::new();
        self.inner
            .owned()
            .for_each(|task, busy_millis| tasks.push(task.info(busy_millis)));
        super::TaskDump::new(tasks)
    }

    /// How many tasks are alive on this runtime (spawned and not yet finished).
    pub fn num_alive_tasks(&self) -> usize {
        self.inner.num_alive_tasks()
    }

    /// How many threads the blocking pool has right now, busy or idle.
    pub fn num_blocking_threads(&self) -> usize {
        self.inner.blocking_spawner().num_threads()
    }

    /// How many blocking-pool threads are idle, waiting for work.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.inner.blocking_spawner().num_idle_threads()
    }

    /// How many `spawn_blocking` closures are queued, waiting for a thread.
    pub fn blocking_queue_depth(&self) -> usize {
        self.inner.blocking_spawner().queue_depth()
    }

    /// The runtime's shutdown token: cancelled when a graceful shutdown begins
    /// ([`Runtime::shutdown_graceful`](super::Runtime::shutdown_graceful), or the
    /// first ctrl-c under `#[spindle::main(graceful_shutdown = "...")]`). A task with
    /// async cleanup to do waits on it; cancelling it yourself starts the wind-down
    /// early (the runtime keeps running until it is shut down).
    ///
    /// ```
    /// use spindle_executor::runtime::Runtime;
    ///
    /// let rt = Runtime::new().unwrap();
    /// let token = rt.handle().shutdown_token();
    /// let worker = rt.spawn(async move {
    ///     // ...serve until asked to stop...
    ///     token.cancelled().await;
    ///     // ...then flush and close.
    ///     "closed cleanly"
    /// });
    /// rt.handle().shutdown_token().cancel();
    /// assert_eq!(rt.block_on(worker).unwrap(), "closed cleanly");
    /// ```
    pub fn shutdown_token(&self) -> spindle_sync::CancellationToken {
        self.inner.config().shutdown_token.clone()
    }

    /// True once the runtime has begun shutting down.
    pub fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }
}

impl std::panic::UnwindSafe for Handle {}
impl std::panic::RefUnwindSafe for Handle {}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish_non_exhaustive()
    }
}
