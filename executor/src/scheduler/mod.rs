//! The two schedulers and what they share.
//!
//! [`Handle`] is the cheap, cloneable face of a runtime's scheduler: it spawns, and it
//! is what the thread context stores as "the runtime I am in". [`Context`] is the
//! per-thread state of a thread that is running a scheduler (a worker, or the thread
//! inside a current-thread `block_on`); a wake looks it up to push to a local queue.

pub(crate) mod current_thread;
pub(crate) mod multi_thread;

use std::future::Future;
use std::sync::Arc;

use std::sync::atomic::Ordering;

use crossbeam_utils::CachePadded;

use crate::blocking;
use crate::runtime::driver::DriverHandle;
use crate::runtime::WorkerMetrics;
use crate::task::list::OwnedTasks;
use crate::task::{JoinHandle, SpawnMeta};

#[derive(Clone)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

pub(crate) enum Context {
    CurrentThread(current_thread::Context),
    MultiThread(multi_thread::Context),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(handle) => handle.spawn(future, meta),
            Handle::MultiThread(handle) => handle.spawn(future, meta),
        }
    }

    /// Spawns `future`, moving this handle into the task instead of cloning it: for
    /// callers that hold a clone of their own, such as the thread context's.
    pub(crate) fn spawn_owned<F>(self, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(handle) => handle.spawn_owned(future, meta),
            Handle::MultiThread(handle) => handle.spawn_owned(future, meta),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(handle) => &handle.blocking,
            Handle::MultiThread(handle) => &handle.blocking,
        }
    }

    pub(crate) fn driver(&self) -> &DriverHandle {
        match self {
            Handle::CurrentThread(handle) => &handle.driver,
            Handle::MultiThread(handle) => &handle.driver,
        }
    }

    pub(crate) fn config(&self) -> &crate::runtime::config::Config {
        match self {
            Handle::CurrentThread(handle) => &handle.config,
            Handle::MultiThread(handle) => &handle.config,
        }
    }

    pub(crate) fn owned(&self) -> &OwnedTasks {
        match self {
            Handle::CurrentThread(handle) => &handle.owned,
            Handle::MultiThread(handle) => &handle.shared.owned,
        }
    }

    pub(crate) fn worker_metrics(&self) -> &[CachePadded<WorkerMetrics>] {
        match self {
            Handle::CurrentThread(handle) => std::slice::from_ref(&handle.metrics),
            Handle::MultiThread(handle) => handle.shared.worker_metrics(),
        }
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            Handle::CurrentThread(handle) => handle.remote_queue_depth(),
            Handle::MultiThread(handle) => handle.shared.injector_len(),
        }
    }

    pub(crate) fn remote_schedule_count(&self) -> u64 {
        match self {
            Handle::CurrentThread(handle) => handle.remote_schedule_count.load(Ordering::Relaxed),
            Handle::MultiThread(handle) => handle.shared.remote_schedule_count(),
        }
    }

    pub(crate) fn local_queue_depth(&self, worker: usize) -> usize {
        match self {
            Handle::CurrentThread(handle) => handle.local_queue_depth(),
            Handle::MultiThread(handle) => handle.shared.local_queue_depth(worker),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::CurrentThread(handle) => handle.owned.len(),
            Handle::MultiThread(handle) => handle.shared.owned.len(),
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        match self {
            Handle::CurrentThread(handle) => handle.owned.is_closed(),
            Handle::MultiThread(handle) => handle.shared.owned.is_closed(),
        }
    }
}

impl Context {
    /// The index of the worker this thread is (0 for the thread driving a
    /// current-thread runtime).
    pub(crate) fn worker_index(&self) -> usize {
        match self {
            Context::CurrentThread(_) => 0,
            Context::MultiThread(context) => context.worker_index(),
        }
    }
}
