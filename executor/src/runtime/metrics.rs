//! Runtime metrics: counters a user can read while the runtime runs.
//!
//! Each worker writes only its own counters (cache-padded, so workers never share a
//! line), with plain load-and-store rather than read-modify-write: there is one
//! writer, and readers only need a recent value. Counts that belong to no worker
//! (spawns, remote wakes) are kept where the work already takes a lock or touches a
//! shared queue, so counting adds no new contention.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::scheduler;

/// The counters of one worker (the block_on thread, on a current-thread runtime).
#[derive(Debug, Default)]
pub(crate) struct WorkerMetrics {
    pub(crate) park_count: AtomicU64,
    /// Bumped once when the worker parks and once when it wakes: odd while parked.
    pub(crate) park_unpark_count: AtomicU64,
    pub(crate) steal_count: AtomicU64,
    pub(crate) poll_count: AtomicU64,
    pub(crate) busy_nanos: AtomicU64,
}

impl WorkerMetrics {
    /// Adds `amount` to a counter this worker alone writes.
    pub(crate) fn add(counter: &AtomicU64, amount: u64) {
        counter.store(
            counter.load(Ordering::Relaxed).wrapping_add(amount),
            Ordering::Relaxed,
        );
    }

    fn read(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A view of a runtime's counters, from [`Handle::metrics`](super::Handle::metrics).
///
/// Counters only grow; sample them twice and subtract to measure an interval.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// rt.block_on(async {
///     spindle_executor::spawn(async {}).await.unwrap();
/// });
/// let metrics = rt.handle().metrics();
/// assert!(metrics.spawned_tasks_count() >= 1);
/// assert_eq!(metrics.num_alive_tasks(), 0);
/// ```
#[derive(Clone)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Worker threads: the configured count, or 1 for a current-thread runtime.
    pub fn num_workers(&self) -> usize {
        self.handle.worker_metrics().len()
    }

    /// Tasks spawned and not yet finished.
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks spawned since the runtime started.
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.owned().spawned_count()
    }

    /// Tasks waiting in the shared (remote) queue.
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Tasks scheduled from outside the runtime's own threads (or from a thread not
    /// running the task's runtime), which go through the shared queue.
    pub fn remote_schedule_count(&self) -> u64 {
        self.handle.remote_schedule_count()
    }

    /// Polls, process-wide, that returned `Pending` because their cooperative budget
    /// ran out (the budget is a per-thread mechanism shared by every runtime).
    pub fn budget_forced_yield_count(&self) -> u64 {
        spindle_sync::coop::forced_yield_count()
    }

    /// Threads the blocking pool has, busy or idle.
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_threads()
    }

    /// Blocking-pool threads waiting for work.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_idle_threads()
    }

    /// `spawn_blocking` closures queued, waiting for a thread.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking_spawner().queue_depth()
    }

    /// IO readiness events the driver has dispatched.
    pub fn io_driver_ready_count(&self) -> u64 {
        self.handle.driver().io_ready_count()
    }

    /// Sockets and file descriptors registered with the IO driver right now.
    pub fn io_driver_fd_registered_count(&self) -> usize {
        self.handle
            .driver()
            .io()
            .map_or(0, |io| io.registered_sources())
    }

    fn worker(&self, worker: usize) -> &WorkerMetrics {
        let workers = self.handle.worker_metrics();
        match workers.get(worker) {
            Some(metrics) => metrics,
            None => panic!(
                "worker index {worker} is out of range: this runtime has {} workers \
                 (see num_workers())",
                workers.len()
            ),
        }
    }

    /// Tasks in worker `worker`'s local queue (and LIFO slot, for current-thread).
    ///
    /// # Panics
    ///
    /// Panics when `worker >= num_workers()`, as every `worker_*` method does.
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        let _ = self.worker(worker);
        self.handle.local_queue_depth(worker)
    }

    /// Times worker `worker` parked for lack of work.
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        WorkerMetrics::read(&self.worker(worker).park_count)
    }

    /// Times worker `worker` parked plus times it woke up again: it grows by one on
    /// each park and by one on each unpark, so it is odd while the worker is parked
    /// and even while it runs.
    pub fn worker_park_unpark_count(&self, worker: usize) -> u64 {
        WorkerMetrics::read(&self.worker(worker).park_unpark_count)
    }

    /// Successful steals by worker `worker` (each takes up to half a victim's queue).
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        WorkerMetrics::read(&self.worker(worker).steal_count)
    }

    /// Task polls run by worker `worker`.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        WorkerMetrics::read(&self.worker(worker).poll_count)
    }

    /// Time worker `worker` spent awake (running or looking for tasks), updated each
    /// time it parks (tokio's name for it).
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(WorkerMetrics::read(&self.worker(worker).busy_nanos))
    }

    /// The same as [`worker_total_busy_duration`](Self::worker_total_busy_duration).
    pub fn worker_busy_duration(&self, worker: usize) -> Duration {
        self.worker_total_busy_duration(worker)
    }

    /// Tasks worker `worker` moved to the shared queue because its local queue was
    /// full. Always 0: local queues are unbounded and never overflow; kept for
    /// programs written against tokio's metrics.
    pub fn worker_overflow_count(&self, worker: usize) -> u64 {
        let _ = self.worker(worker);
        0
    }
}

impl std::fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("num_workers", &self.num_workers())
            .field("num_alive_tasks", &self.num_alive_tasks())
            .field("global_queue_depth", &self.global_queue_depth())
            .finish_non_exhaustive()
    }
}
