//! `task::Builder`: spawn with a name, and get an error instead of a panic.

use std::future::Future;
use std::io;
use std::panic::Location;
use std::sync::Arc;

use super::{JoinHandle, SpawnMeta};
use crate::runtime::Handle;

/// Configures a task before spawning it: its name (visible inside the task through
/// [`task::name`](crate::task::name), and in diagnostics). Its spawn functions return
/// an `io::Error` where the free functions would panic.
///
/// ```
/// use spindle_executor::runtime::Runtime;
/// use spindle_executor::task;
///
/// let rt = Runtime::new().unwrap();
/// let name = rt.block_on(async {
///     task::Builder::new()
///         .name("fetcher")
///         .spawn(async { task::name() })
///         .unwrap()
///         .await
///         .unwrap()
/// });
/// assert_eq!(name.as_deref(), Some("fetcher"));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no name set.
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// Names the task.
    pub fn name(self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    #[track_caller]
    fn meta(self) -> SpawnMeta {
        let mut meta = SpawnMeta::new(Location::caller());
        meta.name = self.name.map(Arc::from);
        meta
    }

    /// Spawns `future` on the current runtime.
    ///
    /// # Errors
    ///
    /// Fails when called outside a runtime.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = self.meta();
        let handle = current_handle("task::Builder::spawn")?;
        Ok(handle.inner.spawn_owned(future, meta))
    }

    /// Spawns `future` on the runtime of `handle`.
    ///
    /// # Errors
    ///
    /// Never fails today; the `Result` keeps the signature of tokio's.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Ok(handle.inner.spawn(future, self.meta()))
    }

    /// Runs `work` on the current runtime's blocking pool.
    ///
    /// # Errors
    ///
    /// Fails outside a runtime, or when the pool has no thread and the OS refuses to
    /// start one.
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, work: F) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = self.meta();
        let handle = current_handle("task::Builder::spawn_blocking")?;
        spawn_blocking_with(&handle, work, meta)
    }

    /// Runs `work` on the blocking pool of `handle`'s runtime.
    ///
    /// # Errors
    ///
    /// Fails when the pool has no thread and the OS refuses to start one.
    #[track_caller]
    pub fn spawn_blocking_on<F, R>(self, work: F, handle: &Handle) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        spawn_blocking_with(handle, work, self.meta())
    }
}

fn current_handle(call: &str) -> io::Result<Handle> {
    Handle::try_current()
        .map_err(|error| io::Error::other(format!("{call} called outside a runtime: {error}")))
}

fn spawn_blocking_with<F, R>(handle: &Handle, work: F, meta: SpawnMeta) -> io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (join, error) = handle
        .inner
        .blocking_spawner()
        .spawn_blocking(&handle.inner, work, meta);
    match error {
        Some(error) => Err(error),
        None => Ok(join),
    }
}

/// The name of the task running on this thread, if it was given one with
/// [`Builder::name`]; `None` outside a task or for an unnamed task.
pub fn name() -> Option<Arc<str>> {
    crate::runtime::context::current_task_name()
}
