//! The work-stealing multi-thread scheduler.
//!
//! Each worker thread owns a `Core`: a local run queue (crossbeam-deque `Worker`), a
//! LIFO slot, and its tick counter. Work enters from three places: a task spawned or
//! woken on a worker goes to that worker's LIFO slot (its previous occupant to the
//! back of the local queue), except a yield, a task's wake of itself during its own
//! poll, or a wake past the cap on LIFO runs in a row, which go to the back of the
//! local queue; a task woken anywhere else goes to the shared `Injector`;
//! an idle worker steals half of a random victim's queue. See `worker.rs` for the
//! loop, `idle.rs` for who sleeps and who searches, `park.rs` for how a worker sleeps,
//! `queue_seam.rs` for the loom stand-in of the queues.

pub(crate) mod idle;
pub(crate) mod park;
pub(crate) mod queue_seam;
mod worker;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use worker::{block_in_place, Context, Shared};

use crate::blocking;
use crate::runtime::config::Config;
use crate::runtime::driver::{DriverConfig, DriverHandle};
use crate::runtime::hooks::TaskHooks;
use crate::runtime::UnhandledPanic;
use crate::task::cell::Schedule;
use crate::task::{self, JoinHandle, Notified, SpawnMeta, Task};

/// The scheduler half of a multi-thread runtime's handle.
pub(crate) struct Handle {
    pub(crate) shared: Shared,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) driver: DriverHandle,
    pub(crate) config: Arc<Config>,
}

impl Handle {
    /// Spawns `future`; the task holds a handle of its own, cloned from this one.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Arc::clone(self).spawn_owned(future, meta)
    }

    /// Spawns `future`, moving this handle into the task.
    pub(crate) fn spawn_owned<F>(
        self: Arc<Self>,
        future: F,
        meta: SpawnMeta,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        task::spawn_owned_task(future, self, meta, |handle, owned, notified| {
            if let Some(hooks) = &handle.config.task_hooks {
                hooks.spawned(owned.header());
            }
            match handle.shared.owned.bind(owned) {
                Ok(()) => handle.schedule_task(notified, false),
                Err(owned) => {
                    // The runtime is shutting down: the task is cancelled at once.
                    drop(notified);
                    owned.shutdown();
                }
            }
        })
    }

    fn schedule_task(self: &Arc<Self>, task: Notified, is_yield: bool) {
        worker::schedule_task(self, task, is_yield);
    }

    /// Stops the workers, waiting at most `timeout` for them (`None`: as long as it
    /// takes), then cancels every task and shuts the blocking pool down.
    pub(crate) fn shutdown(self: &Arc<Self>, timeout: Option<Duration>) {
        worker::shutdown(self, timeout);
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn unhandled_panic(&self) {
        if self.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            worker::shut_down_after_unhandled_panic(self);
        }
    }

    fn yield_now(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    fn defer(&self, task: Notified) {
        worker::defer_task(self, task);
    }

    fn hooks(&self) -> Option<&TaskHooks> {
        self.config.task_hooks.as_ref()
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.shared.owned.remove(task)
    }
}

/// Builds the scheduler: the handle, and a function that starts the worker threads.
pub(crate) fn create(
    num_workers: usize,
    config: Arc<Config>,
    blocking: blocking::Spawner,
    driver: DriverConfig,
) -> std::io::Result<Arc<Handle>> {
    worker::create(num_workers, config, blocking, driver)
}
