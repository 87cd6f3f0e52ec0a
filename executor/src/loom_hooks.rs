//! Doors into crate-private machinery for the loom models in `loom-tests/`; compiled
//! only under `RUSTFLAGS="--cfg loom"`, and not part of the API.
//!
//! Each wrapper is a thin layer over the real code, so a model explores the protocol
//! that ships, not a copy of it:
//!
//! - [`TestScheduler`] runs real task cells (`task/harness.rs`, the state word, wakers,
//!   `JoinHandle`, `AbortHandle`, the owned list) on a `Mutex<VecDeque>` run queue. The
//!   real queues are crossbeam-deque, which loom cannot see inside; the queue is only
//!   a carrier of `Notified` references, and the protocols under test are the task
//!   state word's and the owned list's, which this drives unchanged.
//! - [`Idle`] is the multi-thread scheduler's searching/unparked counters and sleeper
//!   list (`scheduler/multi_thread/idle.rs`).
//! - [`WorkerParker`] is a worker's parker (`scheduler/multi_thread/park.rs`) over a real
//!   driver without time: the first parker to take the driver sleeps in it, the others
//!   on their condvars, exactly as workers do.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc as StdArc;

use loom::sync::Arc;

use crate::runtime::driver::{Driver, DriverConfig};
use crate::scheduler::multi_thread::park::{Parker, SharedDriver, Unparker};
use crate::task::cell::Schedule;
use crate::task::list::OwnedTasks;
use crate::task::{self, JoinHandle, Notified, SpawnMeta, Task};
use spindle_loom_shim::{AtomicUsize, Mutex, Ordering};

use crate::scheduler::multi_thread::idle;

/// A scheduler with one FIFO run queue that a model drives by hand: `run_one` pops a
/// `Notified` and runs it on the calling thread.
pub struct TestScheduler {
    shared: Arc<SchedulerShared>,
}

struct SchedulerShared {
    queue: Mutex<VecDeque<Notified>>,
    owned: OwnedTasks,
    /// Task cells freed so far: each cell's scheduler handle counts itself on drop.
    freed: AtomicUsize,
}

/// The scheduler handle stored in every task cell; dropped only when the cell is freed.
struct CellScheduler(Arc<SchedulerShared>);

impl Drop for CellScheduler {
    fn drop(&mut self) {
        self.0.freed.fetch_add(1, Ordering::SeqCst);
    }
}

impl Schedule for CellScheduler {
    fn schedule(&self, task: Notified) {
        self.0.queue.lock().push_back(task);
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.0.owned.remove(task)
    }
}

impl Default for TestScheduler {
    fn default() -> Self {
        TestScheduler::new()
    }
}

impl TestScheduler {
    /// An empty scheduler with an open owned list.
    pub fn new() -> TestScheduler {
        TestScheduler {
            shared: Arc::new(SchedulerShared {
                queue: Mutex::new(VecDeque::new()),
                owned: OwnedTasks::new(1),
                freed: AtomicUsize::new(0),
            }),
        }
    }

    /// Spawns `future` as a real task cell: bound to the owned list and queued once,
    /// as `Handle::spawn` does.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let scheduler = CellScheduler(self.shared.clone());
        let meta = SpawnMeta::new(Location::caller());
        let (owned, notified, join) = task::new_owned_task(future, scheduler, meta);
        match self.shared.owned.bind(owned) {
            Ok(()) => self.shared.queue.lock().push_back(notified),
            Err(owned) => {
                drop(notified);
                owned.shutdown();
            }
        }
        join
    }

    /// Runs the task at the front of the queue on this thread; false if it was empty.
    /// The queue lock is released before the task runs, as a worker's pop does.
    pub fn run_one(&self) -> bool {
        let next = self.shared.queue.lock().pop_front();
        match next {
            Some(task) => {
                task.run();
                true
            }
            None => false,
        }
    }

    /// Runs queued tasks until the queue is empty; returns how many runs that took.
    pub fn run_until_idle(&self) -> usize {
        let mut runs = 0;
        while self.run_one() {
            runs += 1;
        }
        runs
    }

    /// How many `Notified` references wait in the queue.
    pub fn queued(&self) -> usize {
        self.shared.queue.lock().len()
    }

    /// How many tasks the owned list still holds (spawned, not yet complete).
    pub fn live_tasks(&self) -> usize {
        self.shared.owned.len()
    }

    /// How many task cells were freed so far.
    pub fn cells_freed(&self) -> usize {
        self.shared.freed.load(Ordering::SeqCst)
    }

    /// Runtime shutdown as the multi-thread scheduler does it after its workers have
    /// stopped: close the owned list and cancel every task in it, then drop what is
    /// still queued.
    pub fn shutdown(&self) {
        self.shared.owned.close_and_shutdown_all();
        let drained = std::mem::take(&mut *self.shared.queue.lock());
        drop(drained);
    }
}

impl Drop for TestScheduler {
    /// Queued references point back at this scheduler through their cells; dropping
    /// them here breaks that cycle so a model that forgets `shutdown` does not leak.
    fn drop(&mut self) {
        let drained = std::mem::take(&mut *self.shared.queue.lock());
        drop(drained);
    }
}

/// The multi-thread scheduler's idle bookkeeping (`idle.rs`), unchanged.
pub struct Idle(idle::Idle);

impl Idle {
    /// All `num_workers` workers start unparked and not searching.
    pub fn new(num_workers: usize) -> Idle {
        Idle(idle::Idle::new(num_workers))
    }

    /// New work arrived: the parked worker to wake, if one must be.
    pub fn worker_to_notify(&self) -> Option<usize> {
        self.0.worker_to_notify()
    }

    /// A worker starts searching; false when too many already are.
    pub fn transition_worker_to_searching(&self) -> bool {
        self.0.transition_worker_to_searching()
    }

    /// A searching worker found work; true when it was the last searcher.
    pub fn transition_worker_from_searching(&self) -> bool {
        self.0.transition_worker_from_searching()
    }

    /// A worker parks; true when it was the last searcher and must re-check the queues.
    pub fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        self.0.transition_worker_to_parked(worker, is_searching)
    }

    /// After a wake-up: true when a notifier took `worker` off the sleepers.
    pub fn was_notified(&self, worker: usize) -> bool {
        self.0.was_notified(worker)
    }

    /// Takes `worker` off the sleepers unconditionally; true if it was asleep.
    pub fn unpark_worker_by_index(&self, worker: usize) -> bool {
        self.0.unpark_worker_by_index(worker)
    }

    /// A parked worker whose driver woke tasks into its own queue leaves the sleepers
    /// as a non-searcher; false when a notifier took it out first (it is then counted
    /// as searching).
    pub fn unpark_worker_found_work(&self, worker: usize) -> bool {
        self.0.unpark_worker_found_work(worker)
    }
}

/// One worker's parker (`park.rs`) over the runtime's shared driver.
pub struct WorkerParker(Parker);

/// Wakes one [`WorkerParker`] from any thread.
#[derive(Clone)]
pub struct WorkerUnparker(Unparker);

impl WorkerParker {
    /// `count` parkers sharing one driver without time, as a runtime's workers do.
    pub fn group(count: usize) -> Vec<WorkerParker> {
        // Without IO or time the driver is a condvar, which cannot fail to build.
        let Ok((driver, handle)) = Driver::new(DriverConfig::default()) else {
            unreachable!("a driver without IO has no fallible part");
        };
        let shared = StdArc::new(SharedDriver::new(driver, handle));
        (0..count)
            .map(|_| WorkerParker(Parker::new(shared.clone())))
            .collect()
    }

    /// Sleeps until unparked (or returns at once if an unpark came first); may return
    /// spuriously.
    pub fn park(&mut self) {
        self.0.park(|| false);
    }

    /// A handle that wakes this parker.
    pub fn unparker(&self) -> WorkerUnparker {
        WorkerUnparker(self.0.unparker())
    }
}

impl WorkerUnparker {
    /// Wakes the parker, or makes its next `park` return at once.
    pub fn unpark(&self) {
        self.0.unpark();
    }
}
