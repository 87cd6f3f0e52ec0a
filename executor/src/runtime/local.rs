//! `LocalRuntime`: a current-thread runtime whose `block_on` and `spawn_local` accept
//! futures that are not `Send`.
//!
//! It is a current-thread [`Runtime`] and a [`LocalSet`] driven together: `block_on`
//! runs the set's `run_until`, so `!Send` tasks run beside the runtime's own, and
//! `enter` makes both current so `spawn_local` works from synchronous code too. The
//! set is declared first, so dropping the runtime cancels the local tasks while the
//! runtime they may use still exists.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use super::{Builder, EnterGuard, Handle, Runtime, RuntimeMetrics};
use crate::task::{JoinHandle, LocalSet};

/// Settings of a [`LocalRuntime`] beyond those of its [`Builder`]; none yet. Pass
/// `LocalOptions::default()` to [`Builder::build_local`].
#[derive(Default, Debug)]
#[non_exhaustive]
pub struct LocalOptions {
    // A LocalRuntime is tied to the thread that built it; so are its options.
    _not_send: PhantomData<*mut u8>,
}

/// A current-thread runtime that runs `!Send` futures: a [`Runtime`] and a
/// [`LocalSet`] driven together. Build it with [`LocalRuntime::new`] or
/// [`Builder::build_local`].
///
/// ```
/// use std::rc::Rc;
/// use spindle_executor::runtime::LocalRuntime;
/// use spindle_executor::task;
///
/// let rt = LocalRuntime::new().unwrap();
/// let counter = Rc::new(std::cell::Cell::new(0));
/// let seen = counter.clone();
/// rt.block_on(async move {
///     task::spawn_local(async move { seen.set(seen.get() + 1) }).await.unwrap();
/// });
/// assert_eq!(counter.get(), 1);
/// ```
pub struct LocalRuntime {
    // Dropped first: the set cancels its tasks while the runtime still exists.
    local: LocalSet,
    runtime: Runtime,
}

impl LocalRuntime {
    /// A local runtime with every driver (IO and time) enabled.
    ///
    /// # Errors
    ///
    /// Fails as [`Builder::build`] does (the OS refused an IO poller).
    pub fn new() -> io::Result<LocalRuntime> {
        Builder::new_current_thread()
            .enable_all()
            .build_local(LocalOptions::default())
    }

    pub(crate) fn from_runtime(runtime: Runtime) -> LocalRuntime {
        LocalRuntime {
            local: LocalSet::new(),
            runtime,
        }
    }

    /// Runs `future`, which need not be `Send`, with the runtime's tasks and the local
    /// tasks running beside it.
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime, as [`Runtime::block_on`] does.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(&self.runtime, future)
    }

    /// Spawns a `!Send` future onto this runtime. It runs while `block_on` runs.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn_local(future)
    }

    /// Runs `work` on this runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, work: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.runtime.spawn_blocking(work)
    }

    /// Enters the runtime on this thread until the guard is dropped: `spindle::spawn`
    /// and `spawn_local` then work from synchronous code.
    ///
    /// ```
    /// use spindle_executor::runtime::LocalRuntime;
    ///
    /// let rt = LocalRuntime::new().unwrap();
    /// let task = {
    ///     let _guard = rt.enter();
    ///     spindle_executor::task::spawn_local(async { std::rc::Rc::new(3) })
    /// };
    /// assert_eq!(*rt.block_on(task).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.runtime.handle().enter_with_local(self.local.enter())
    }

    /// The handle of the underlying runtime (for `Send` tasks).
    pub fn handle(&self) -> &Handle {
        self.runtime.handle()
    }

    /// The runtime's counters, as [`Handle::metrics`] gives them.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.runtime.handle().metrics()
    }

    /// Cancels the local tasks, then shuts the runtime down as
    /// [`Runtime::shutdown_timeout`] does.
    pub fn shutdown_timeout(self, timeout: Duration) {
        let LocalRuntime { local, runtime } = self;
        drop(local);
        runtime.shutdown_timeout(timeout);
    }

    /// Cancels the local tasks, then shuts the runtime down without waiting for any
    /// thread, as [`Runtime::shutdown_background`] does.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }
}

impl std::panic::UnwindSafe for LocalRuntime {}
impl std::panic::RefUnwindSafe for LocalRuntime {}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("local", &self.local)
            .field("runtime", &self.runtime)
            .finish()
    }
}
