//! `LocalRuntime`: a current-thread runtime whose `block_on` and `spawn_local` accept
//! futures that are not `Send`.

use std::fmt;
use std::future::Future;

use super::{Handle, Runtime};
use crate::task::{JoinHandle, LocalSet};

/// A current-thread runtime that runs `!Send` futures: a [`Runtime`] and a
/// [`LocalSet`] driven together. Build it with
/// [`Builder::build_local`](crate::runtime::Builder::build_local).
///
/// ```
/// use std::rc::Rc;
/// use spindle_executor::runtime::Builder;
/// use spindle_executor::task;
///
/// let rt = Builder::new_current_thread().build_local().unwrap();
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
    pub(crate) fn new(runtime: Runtime) -> LocalRuntime {
        LocalRuntime {
            local: LocalSet::new(),
            runtime,
        }
    }

    /// Runs `future`, which need not be `Send`, with the runtime's tasks and the local
    /// tasks running beside it.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(&self.runtime, future)
    }

    /// Spawns a `!Send` future; it runs while `block_on` runs.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn_local(future)
    }

    /// The handle of the underlying runtime (for `Send` tasks).
    pub fn handle(&self) -> &Handle {
        self.runtime.handle()
    }
}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("local", &self.local)
            .field("runtime", &self.runtime)
            .finish()
    }
}
