//! The worker loop of the multi-thread scheduler.
//!
//! Each tick a worker takes one task: from its LIFO slot and local queue, or, every
//! `global_queue_interval` ticks, from the shared injector first (so remote wakes are
//! never starved by a busy local queue). With nothing local it becomes a searcher and
//! steals half of a random victim's queue, then a batch from the injector. With
//! nothing anywhere it parks (see `park.rs`); every `event_interval` ticks a busy
//! worker also polls the driver without blocking, so timers fire under load.
//!
//! While a task runs, the worker's `Core` sits in the thread's scheduler context, so a
//! wake issued by that task finds it and pushes to the LIFO slot: the woken task runs
//! next, while the data it was handed is still in cache. The slot is used at most
//! three times in a row per tick; after that, pushes go to the back of the queue, so
//! two tasks that keep waking each other cannot starve the rest.
//!
//! Shutdown (`shutdown` below) runs in this order, each step relying on the one before:
//!
//! 1. Set `Shared::is_shutdown`: workers read it in `maintenance` and after each park,
//!    `schedule_remote` after each push.
//! 2. Unpark every worker, so none sleeps through the flag.
//! 3. Wait (up to the deadline) for the workers to leave their loops; each `retire`s,
//!    dropping its LIFO slot and local queue. Skipped on a worker of this runtime.
//! 4. Close the owned-task list and drop every task's future, with the runtime entered:
//!    no worker is polling any more, so every future is dropped before this returns.
//! 5. Drain the injector of the wakes those drops pushed there.
//! 6. Shut the IO driver down: its lock is free now that no worker sleeps in it.
//! 7. Shut the timers down, dropping the wakers the wheel held.
//! 8. Shut the blocking pool down with what is left of the deadline.
//!
//! A later call (the owner, after a worker began the shutdown on an unhandled panic)
//! still does steps 3 and 8. Why each step needs the one before, and the park/unpark
//! protocol: [`docs/ARCHITECTURE.md`](../../../../docs/ARCHITECTURE.md), "Shutdown" and
//! "Parking and unparking a worker".

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::idle::Idle;
use super::park::{Parker, SharedDriver, Unparker};
use super::queue_seam::{Injector, LocalQueue, Steal, Stealer};
use super::Handle;
use crate::blocking;
use std::sync::atomic::AtomicU64;

use crossbeam_utils::CachePadded;

use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::driver::{Driver, DriverConfig};
use crate::runtime::{PollSlot, WorkerMetrics};
use crate::scheduler;
use crate::task::list::OwnedTasks;
use crate::task::Notified;
use spindle_loom_shim::{AtomicBool, AtomicUsize, Condvar, Mutex, Ordering};

/// The most tasks one look at the injector moves to the local queue (crossbeam takes
/// about half of what is queued, and never more than the rest of one of its 63-slot
/// blocks). Its default, 33, left a worker that is busy with local work draining a
/// long injector 33 tasks per `global_queue_interval` ticks; tokio takes up to 128.
const INJECTOR_BATCH: usize = 64;

/// How many tasks in a row may run from the LIFO slot before it is bypassed.
const MAX_LIFO_POLLS_IN_A_ROW: u8 = 3;

/// What all workers of one runtime share.
pub(crate) struct Shared {
    remotes: Box<[Remote]>,
    injector: Injector<Notified>,
    idle: Idle,
    pub(crate) owned: OwnedTasks,
    is_shutdown: AtomicBool,
    /// `block_on` callers polling their future right now (not parked).
    active_block_on: AtomicUsize,
    /// Wakers of the threads inside `block_on`, woken when the runtime shuts itself
    /// down after an unhandled panic.
    block_on_wakers: Mutex<Vec<std::task::Waker>>,
    unhandled_panic_fired: AtomicBool,
    worker_metrics: Box<[CachePadded<WorkerMetrics>]>,
    poll_slots: Box<[CachePadded<PollSlot>]>,
    /// Pushes to the injector; counted there because that path is shared anyway.
    remote_schedules: AtomicU64,
    driver: Arc<SharedDriver>,
    live_workers: Mutex<usize>,
    workers_exited: Condvar,
}

/// What other threads may touch of one worker.
struct Remote {
    stealer: Stealer<Notified>,
    unparker: Unparker,
}

/// A worker thread's scheduler context.
pub(crate) struct Context {
    handle: Arc<Handle>,
    index: usize,
    core: RefCell<Option<Box<Core>>>,
}

/// The state a worker owns exclusively.
struct Core {
    /// Ticks (tasks started or parks) left before the next driver poll and shutdown
    /// check; reset to `Config::event_interval`. A countdown rather than `tick %
    /// interval`, which costs a division on every task.
    ticks_to_maintenance: u32,
    /// Ticks left before `next_task` looks at the injector first; reset to
    /// `Config::global_queue_interval`.
    ticks_to_injector_first: u32,
    lifo_slot: Option<Notified>,
    lifo_enabled: bool,
    lifo_polls_in_a_row: u8,
    local: LocalQueue<Notified>,
    /// Tasks that yielded (`Schedule::defer`): moved to `local` after the next driver
    /// poll (`maintenance`), which the worker does before it would park.
    deferred: Vec<Notified>,
    is_searching: bool,
    is_shutdown: bool,
    /// Taken out while the worker sleeps, so the core itself can sit in the thread's
    /// context meanwhile (see `Context::park_with_core_in_context`).
    park: Option<Parker>,
    rand: FastRand,
    /// When this worker last woke up, for its busy-time metric.
    busy_since: Instant,
    /// Polls started by this worker's core, numbering its slow-poll reports.
    polls_started: u64,
}

impl Core {
    /// Counts a poll about to start on this core and returns its number, which names
    /// the poll in the watchdog's slot.
    fn number_next_poll(&mut self) -> u64 {
        self.polls_started += 1;
        self.polls_started
    }
}

pub(super) fn create(
    num_workers: usize,
    config: Arc<Config>,
    blocking: blocking::Spawner,
    driver_config: DriverConfig,
) -> std::io::Result<Arc<Handle>> {
    let (driver, driver_handle) = Driver::new(driver_config)?;
    let shared_driver = Arc::new(SharedDriver::new(driver, driver_handle.clone()));
    let mut cores = Vec::with_capacity(num_workers);
    let mut remotes = Vec::with_capacity(num_workers);
    for index in 0..num_workers {
        let local = LocalQueue::new_fifo();
        let park = Parker::new(shared_driver.clone());
        remotes.push(Remote {
            stealer: local.stealer(),
            unparker: park.unparker(),
        });
        cores.push(Box::new(Core {
            ticks_to_maintenance: config.event_interval,
            ticks_to_injector_first: config.global_queue_interval,
            lifo_slot: None,
            deferred: Vec::new(),
            lifo_enabled: true,
            lifo_polls_in_a_row: 0,
            local,
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: FastRand::new(index as u32),
            busy_since: Instant::now(),
            polls_started: 0,
        }));
    }
    let handle = Arc::new(Handle {
        shared: Shared {
            remotes: remotes.into_boxed_slice(),
            injector: Injector::new(),
            idle: Idle::new(num_workers),
            owned: OwnedTasks::new(num_workers * 4),
            is_shutdown: AtomicBool::new(false),
            active_block_on: AtomicUsize::new(0),
            block_on_wakers: Mutex::new(Vec::new()),
            unhandled_panic_fired: AtomicBool::new(false),
            worker_metrics: (0..num_workers)
                .map(|_| CachePadded::new(WorkerMetrics::default()))
                .collect(),
            poll_slots: (0..num_workers)
                .map(|_| CachePadded::new(PollSlot::default()))
                .collect(),
            remote_schedules: AtomicU64::new(0),
            driver: shared_driver,
            live_workers: Mutex::new(0),
            workers_exited: Condvar::new(),
        },
        blocking,
        driver: driver_handle,
        config,
    });
    for (index, core) in cores.into_iter().enumerate() {
        *handle.shared.live_workers.lock() += 1;
        let worker_handle = handle.clone();
        let exiting_handle = handle.clone();
        let started = handle.config.spawn_thread(
            move || run_worker(worker_handle, index, core),
            move || worker_exited(&exiting_handle),
        );
        if let Err(error) = started {
            *handle.shared.live_workers.lock() -= 1;
            handle.shutdown(Some(Duration::from_secs(1)));
            return Err(error);
        }
    }
    Ok(handle)
}

/// Counts a worker thread out when it ends, however it ends (after its stop hook).
fn worker_exited(handle: &Handle) {
    let shared = &handle.shared;
    let mut live = shared.live_workers.lock();
    *live -= 1;
    if *live == 0 {
        shared.workers_exited.notify_all();
    }
}

fn run_worker(handle: Arc<Handle>, index: usize, core: Box<Core>) {
    let _in_runtime = context::try_enter_runtime();
    let _entered = context::set_current_handle(&scheduler::Handle::MultiThread(handle.clone()));
    let cx = scheduler::Context::MultiThread(Context {
        handle,
        index,
        core: RefCell::new(None),
    });
    context::set_scheduler(&cx, || {
        if let scheduler::Context::MultiThread(cx) = &cx {
            cx.run(core);
        }
    });
}

impl Shared {
    pub(crate) fn poll_slots(&self) -> &[CachePadded<PollSlot>] {
        &self.poll_slots
    }

    pub(crate) fn worker_metrics(&self) -> &[CachePadded<WorkerMetrics>] {
        &self.worker_metrics
    }

    pub(crate) fn injector_len(&self) -> usize {
        self.injector.len()
    }

    pub(crate) fn remote_schedule_count(&self) -> u64 {
        self.remote_schedules.load(Ordering::Relaxed)
    }

    pub(crate) fn local_queue_depth(&self, worker: usize) -> usize {
        self.remotes
            .get(worker)
            .map_or(0, |remote| remote.stealer.len())
    }
}

impl Context {
    /// This worker's index, as the `worker_*` metrics number workers.
    pub(crate) fn worker_index(&self) -> usize {
        self.index
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    fn metrics(&self) -> &WorkerMetrics {
        &self.shared().worker_metrics[self.index]
    }

    fn run(&self, mut core: Box<Core>) {
        while !core.is_shutdown {
            core.ticks_to_maintenance -= 1;
            if core.ticks_to_maintenance == 0 {
                core.ticks_to_maintenance = self.handle.config.event_interval;
                core = self.maintenance(core);
                if core.is_shutdown {
                    break;
                }
            }
            let task = match self.next_task(&mut core) {
                Some(task) => Some(task),
                None => self.steal_work(&mut core),
            };
            match task {
                Some(task) => match self.run_task(task, core) {
                    Some(returned) => core = returned,
                    None => return,
                },
                // Only yielded tasks are left: poll the drivers, then run them.
                None if !core.deferred.is_empty() => {
                    core = self.maintenance(core);
                    if core.is_shutdown {
                        break;
                    }
                }
                None => core = self.park(core),
            }
        }
        self.retire(*core);
    }

    fn maintenance(&self, core: Box<Core>) -> Box<Core> {
        // The core sits in the context meanwhile, so the tasks the poll wakes go to
        // this worker's own queue, as in `park`.
        *self.core.borrow_mut() = Some(core);
        self.shared().driver.poll_without_blocking();
        let Some(mut core) = self.core.borrow_mut().take() else {
            unreachable!("the core was put in the context just above");
        };
        core.is_shutdown = self.shared().is_shutdown.load(Ordering::Acquire);
        // The drivers were polled: tasks that yielded may run again.
        for task in core.deferred.drain(..) {
            core.local.push(task);
        }
        core
    }

    fn next_task(&self, core: &mut Core) -> Option<Notified> {
        core.ticks_to_injector_first -= 1;
        if core.ticks_to_injector_first == 0 {
            core.ticks_to_injector_first = self.handle.config.global_queue_interval;
            self.steal_from_injector(core)
                .or_else(|| core.lifo_slot.take())
                .or_else(|| core.local.pop())
        } else {
            core.lifo_slot
                .take()
                .or_else(|| core.local.pop())
                .or_else(|| self.steal_from_injector(core))
        }
    }

    fn steal_from_injector(&self, core: &mut Core) -> Option<Notified> {
        let injector = &self.shared().injector;
        let first = take_injector_batch(injector, &core.local)?;
        // One look yields at most the rest of one of crossbeam's 63-slot blocks. While
        // the injector still holds more than a batch per worker, a second look takes
        // the next block too (up to ~126, tokio's 128), so a worker that is busy with
        // local work drains remote spawns twice as fast per check without taking more
        // than its share.
        if injector.len() > INJECTOR_BATCH * self.shared().remotes.len() {
            if let Some(second) = take_injector_batch(injector, &core.local) {
                core.local.push(second);
            }
        }
        Some(first)
    }

    /// Becomes a searcher (if fewer than half the workers are) and steals half of a
    /// random victim's queue, or a batch from the injector.
    fn steal_work(&self, core: &mut Core) -> Option<Notified> {
        if !core.is_searching {
            if !self.shared().idle.transition_worker_to_searching() {
                return None;
            }
            core.is_searching = true;
        }
        let remotes = &self.shared().remotes;
        let start = core.rand.below(remotes.len());
        for offset in 0..remotes.len() {
            let victim = (start + offset) % remotes.len();
            if victim == self.index {
                continue;
            }
            loop {
                match remotes[victim].stealer.steal_batch_and_pop(&core.local) {
                    Steal::Success(task) => {
                        WorkerMetrics::add(&self.metrics().steal_count, 1);
                        return Some(task);
                    }
                    Steal::Empty => break,
                    Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        self.steal_from_injector(core)
    }

    /// Runs `task`, then whatever it put in the LIFO slot, while budget lasts. Returns
    /// the core, or `None` if a task took it away.
    fn run_task(&self, task: Notified, mut core: Box<Core>) -> Option<Box<Core>> {
        if core.is_searching {
            core.is_searching = false;
            if self.shared().idle.transition_worker_from_searching() {
                // The last searcher found work: there may be more, so wake a helper.
                self.handle.notify_parked();
            }
        }
        core.lifo_enabled = true;
        core.lifo_polls_in_a_row = 0;
        let first_poll = core.number_next_poll();
        *self.core.borrow_mut() = Some(core);
        let metrics = self.metrics();
        spindle_sync::coop::with_budget(|| {
            WorkerMetrics::add(&metrics.poll_count, 1);
            self.run_watched(task, first_poll);
            loop {
                let mut slot = self.core.borrow_mut();
                let Some(core) = slot.as_mut() else {
                    return;
                };
                let Some(next) = core.lifo_slot.take() else {
                    return;
                };
                if !spindle_sync::coop::has_budget_remaining()
                    || core.lifo_polls_in_a_row >= MAX_LIFO_POLLS_IN_A_ROW
                {
                    core.lifo_enabled = false;
                    core.local.push(next);
                    drop(slot);
                    self.handle.notify_parked();
                    return;
                }
                core.lifo_polls_in_a_row += 1;
                let number = core.number_next_poll();
                drop(slot);
                WorkerMetrics::add(&metrics.poll_count, 1);
                self.run_watched(next, number);
            }
        });
        self.core.borrow_mut().take()
    }

    /// Runs one task with its poll (numbered `number` by the core) published to the
    /// slow-poll watchdog. If the task handed the core away (`block_in_place`), the
    /// slot belongs to the core's new thread and is left alone.
    #[inline]
    fn run_watched(&self, task: Notified, number: u64) {
        let header = task.header();
        let (id, key) = (header.id, header.owned_key.load(Ordering::Relaxed));
        let slot = &self.shared().poll_slots[self.index];
        slot.begin(number, id, key);
        task.run();
        if self.core.borrow().is_some() {
            slot.end(number);
        }
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let config = &self.handle.config;
        if let Some(hook) = &config.on_thread_park {
            hook();
        }
        let metrics = self.metrics();
        WorkerMetrics::add(&metrics.park_count, 1);
        WorkerMetrics::add(&metrics.park_unpark_count, 1);
        let busy = core.busy_since.elapsed();
        WorkerMetrics::add(&metrics.busy_nanos, busy.as_nanos() as u64);
        let idle = &self.shared().idle;
        let was_last_searcher = idle.transition_worker_to_parked(self.index, core.is_searching);
        core.is_searching = false;
        if was_last_searcher {
            self.handle.notify_if_work_pending();
        }
        self.handle.wake_driver_if_idle_and_paused();
        let runtime_idle = || self.handle.is_idle();
        loop {
            core = self.park_with_core_in_context(core, runtime_idle);
            core.is_shutdown = self.shared().is_shutdown.load(Ordering::Acquire);
            if idle.was_notified(self.index) {
                core.is_searching = true;
                break;
            }
            if core.has_local_work() {
                // Woken by its own driver: the tasks the driver woke on this thread
                // sit in this core's LIFO slot or queue. Nobody was notified for them
                // (`schedule_task` does not notify while this worker parks: the
                // sleeper it would pick is often this very worker), so the worker
                // leaves the sleepers itself, as a non-searcher. If a notifier took it
                // out of the sleepers meanwhile, it is counted as searching: take that
                // role. Then, with the whole batch in view, it wakes one helper if
                // there is more than the LIFO slot's task to run.
                core.is_searching = !idle.unpark_worker_found_work(self.index);
                if !core.local.is_empty() {
                    self.handle.notify_parked();
                }
                break;
            }
            if core.is_shutdown {
                idle.unpark_worker_by_index(self.index);
                core.is_searching = true;
                break;
            }
        }
        core.busy_since = Instant::now();
        WorkerMetrics::add(&self.metrics().park_unpark_count, 1);
        if let Some(hook) = &config.on_thread_unpark {
            hook();
        }
        core
    }

    /// Sleeps in the worker's parker with the core in the thread's context, so that a
    /// task woken on this thread while it sleeps (by the driver it parks in: IO
    /// readiness, timers) goes to this core's LIFO slot or queue, with no injector
    /// push and no wake-up of another worker, and runs right after the park.
    ///
    /// No wake is lost: such a task is only ever scheduled by this thread, from inside
    /// `park`, so it is in the core by the time `park` returns, and the caller checks
    /// the core (`has_local_work`) before it would sleep again. Other threads cannot
    /// reach the core (it is in a thread-local context) and keep using the injector
    /// and `notify_parked` as before.
    fn park_with_core_in_context(
        &self,
        mut core: Box<Core>,
        runtime_idle: impl Fn() -> bool,
    ) -> Box<Core> {
        let Some(mut parker) = core.park.take() else {
            unreachable!("a worker's parker is only taken out while it parks");
        };
        *self.core.borrow_mut() = Some(core);
        parker.park(runtime_idle);
        let Some(mut core) = self.core.borrow_mut().take() else {
            unreachable!("nothing takes the core from a parked worker's context");
        };
        core.park = Some(parker);
        core
    }

    /// The worker stops: its queued references are dropped here, so none stays in a
    /// stealer that the shared state (and so the tasks themselves) would keep alive.
    fn retire(&self, mut core: Core) {
        if core.is_searching {
            self.shared().idle.transition_worker_from_searching();
        }
        drop(core.lifo_slot.take());
        core.deferred.clear();
        while let Some(task) = core.local.pop() {
            drop(task);
        }
    }
}

impl Handle {
    /// No task can run: every worker is parked, no `block_on` future is being polled,
    /// and no blocking work is in flight. A paused test clock may then jump ahead.
    fn is_idle(&self) -> bool {
        self.shared.idle.all_parked()
            && self.shared.active_block_on.load(Ordering::SeqCst) == 0
            && self.blocking.num_running() == 0
    }

    /// The driver's sleeper checked for idleness before the caller went idle; wake it
    /// so that it sees the runtime idle and advances a paused clock.
    fn wake_driver_if_idle_and_paused(&self) {
        if self.driver.is_clock_paused() && self.is_idle() {
            self.driver.unpark();
        }
    }

    /// True once a task panicked unobserved and the runtime shut itself down.
    pub(crate) fn unhandled_panic_fired(&self) -> bool {
        self.shared.unhandled_panic_fired.load(Ordering::Acquire)
    }

    /// Adds (`register`) or removes a `block_on` thread's waker.
    pub(crate) fn register_block_on(&self, waker: &std::task::Waker, register: bool) {
        let mut wakers = self.shared.block_on_wakers.lock();
        if register {
            wakers.push(waker.clone());
        } else if let Some(position) = wakers.iter().position(|held| held.will_wake(waker)) {
            wakers.swap_remove(position);
        }
    }

    /// A `block_on` caller starts (`true`) or stops (`false`) polling its future.
    pub(crate) fn set_block_on_active(&self, active: bool) {
        if active {
            self.shared.active_block_on.fetch_add(1, Ordering::SeqCst);
        } else {
            self.shared.active_block_on.fetch_sub(1, Ordering::SeqCst);
            self.wake_driver_if_idle_and_paused();
        }
    }

    /// Wakes one parked worker if nobody is searching.
    #[inline]
    pub(super) fn notify_parked(&self) {
        if let Some(worker) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[worker].unparker.unpark();
        }
    }

    fn notify_if_work_pending(&self) {
        let pending = !self.shared.injector.is_empty()
            || self
                .shared
                .remotes
                .iter()
                .any(|remote| !remote.stealer.is_empty());
        if pending {
            self.notify_parked();
        }
    }
}

/// Runs `work` on this worker thread after handing the worker's core to a new thread,
/// so the queue keeps being served while `work` blocks. Returns `Err(work)` when this
/// thread is not a worker of a multi-thread runtime holding its core.
pub(crate) fn block_in_place<F: FnOnce() -> R, R>(work: F) -> Result<R, F> {
    let handed_off = context::with_scheduler(|cx| {
        let Some(scheduler::Context::MultiThread(cx)) = cx else {
            return None;
        };
        let core = cx.core.try_borrow_mut().ok()?.take()?;
        Some((cx.handle.clone(), cx.index, core))
    });
    let Some((handle, index, core)) = handed_off else {
        return Err(work);
    };
    *handle.shared.live_workers.lock() += 1;
    let worker_handle = handle.clone();
    let exiting_handle = handle.clone();
    let started = handle.config.spawn_thread(
        move || run_worker(worker_handle, index, core),
        move || worker_exited(&exiting_handle),
    );
    if let Err(error) = started {
        // The core was moved into the closure that failed to start; without a thread
        // to run it, this worker's queue would be stranded.
        panic!(
            "block_in_place: the OS refused to start a thread to take over the worker's queue \
             ({error}); use spawn_blocking instead, or raise the process's thread limit"
        );
    }
    // This thread is no longer a worker: after `work`, the task that called us finishes
    // its poll here and the thread then leaves the worker loop (it has no core).
    struct Unmark;
    impl Drop for Unmark {
        fn drop(&mut self) {
            context::set_current_task_blocking(false);
        }
    }
    context::set_current_task_blocking(true);
    let _unmark = Unmark;
    // `work` is blocking code: the task's cooperative budget does not apply to it
    // (a futures executor inside it would spin on a spent budget).
    Ok(context::exit_runtime(|| {
        spindle_sync::coop::with_unconstrained(work)
    }))
}

pub(super) fn schedule_task(handle: &Arc<Handle>, task: Notified, is_yield: bool) {
    let mut task = Some(task);
    context::with_scheduler(|cx| {
        let Some(scheduler::Context::MultiThread(cx)) = cx else {
            return;
        };
        if !Arc::ptr_eq(&cx.handle, handle) {
            return;
        }
        let Ok(mut slot) = cx.core.try_borrow_mut() else {
            return;
        };
        let Some(core) = slot.as_mut() else {
            return;
        };
        let Some(task) = task.take() else {
            return;
        };
        let queued_behind = if is_yield || !core.lifo_enabled {
            core.local.push(task);
            true
        } else {
            match core.lifo_slot.replace(task) {
                Some(previous) => {
                    core.local.push(previous);
                    true
                }
                None => false,
            }
        };
        // A worker whose parker is out is inside `park`, dispatching its driver's
        // events: it notifies once for the whole batch when the driver returns.
        let should_notify = queued_behind && core.park.is_some();
        drop(slot);
        if should_notify {
            handle.notify_parked();
        }
    });
    if let Some(task) = task {
        schedule_remote(handle, task);
    }
}

/// Puts a task that yielded aside until this worker's next driver poll, when called
/// on a worker of `handle` that holds its core; otherwise schedules it as a yield.
pub(super) fn defer_task(handle: &Arc<Handle>, task: Notified) {
    let mut task = Some(task);
    context::with_scheduler(|cx| {
        let Some(scheduler::Context::MultiThread(cx)) = cx else {
            return;
        };
        if !Arc::ptr_eq(&cx.handle, handle) {
            return;
        }
        let Ok(mut slot) = cx.core.try_borrow_mut() else {
            return;
        };
        // Only take the task once the core is known to be here (a thread that
        // handed its core away in `block_in_place` has none): otherwise it falls
        // through to ordinary scheduling below.
        if let Some(core) = slot.as_mut() {
            if let Some(deferred) = task.take() {
                core.deferred.push(deferred);
            }
        }
    });
    if let Some(task) = task {
        schedule_task(handle, task, true);
    }
}

/// Moves up to `INJECTOR_BATCH` tasks from the injector to `local` and returns one more.
fn take_injector_batch(
    injector: &Injector<Notified>,
    local: &LocalQueue<Notified>,
) -> Option<Notified> {
    loop {
        match injector.steal_batch_with_limit_and_pop(local, INJECTOR_BATCH) {
            Steal::Success(task) => return Some(task),
            Steal::Empty => return None,
            Steal::Retry => std::hint::spin_loop(),
        }
    }
}

fn schedule_remote(handle: &Handle, task: Notified) {
    let shared = &handle.shared;
    shared.remote_schedules.fetch_add(1, Ordering::Relaxed);
    shared.injector.push(task);
    if shared.is_shutdown.load(Ordering::SeqCst) {
        // Shutdown drains the injector after setting the flag; a push that raced
        // with it is drained here, so no reference is stranded in the queue.
        drain_injector(shared);
        return;
    }
    handle.notify_parked();
}

fn drain_injector(shared: &Shared) {
    loop {
        match shared.injector.steal() {
            Steal::Success(task) => drop(task),
            Steal::Empty => return,
            Steal::Retry => std::hint::spin_loop(),
        }
    }
}

/// `UnhandledPanic::ShutdownRuntime`: stop everything without waiting (this runs on
/// the worker that ran the panicking task) and wake every `block_on`, which then
/// panics with the reason.
pub(super) fn shut_down_after_unhandled_panic(handle: &Arc<Handle>) {
    if handle
        .shared
        .unhandled_panic_fired
        .swap(true, Ordering::AcqRel)
    {
        return;
    }
    let wakers = std::mem::take(&mut *handle.shared.block_on_wakers.lock());
    for waker in wakers {
        waker.wake();
    }
    shutdown(handle, Some(Duration::ZERO));
}

pub(super) fn shutdown(handle: &Arc<Handle>, timeout: Option<Duration>) {
    let shared = &handle.shared;
    // A worker may have begun the shutdown already (after an unhandled panic), with no
    // time to wait for anything. A later call, from the runtime's owner, must still
    // wait for the workers: a task that was being polled when the list was closed is
    // dropped by its worker, and the owner is promised every task dropped on return.
    let first = !shared.is_shutdown.swap(true, Ordering::SeqCst);
    // A timeout too long to represent (`Duration::MAX`) waits without a bound.
    let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
    let scheduler_handle = scheduler::Handle::MultiThread(handle.clone());
    let entered = first.then(|| context::set_current_handle(&scheduler_handle));
    if first {
        for (index, remote) in shared.remotes.iter().enumerate() {
            shared.idle.unpark_worker_by_index(index);
            remote.unparker.unpark();
        }
        // Cancel the tasks before waiting for the threads: a thread blocked in
        // `block_in_place` may be waiting for something a task owns (a channel sender
        // its future holds), and only dropping that task lets it return. A task being
        // polled right now is dropped by its worker, which the wait below covers.
        shared.owned.close_and_shutdown_all();
    }
    let on_own_worker = context::with_scheduler(
        |cx| matches!(cx, Some(scheduler::Context::MultiThread(cx)) if Arc::ptr_eq(&cx.handle, handle)),
    );
    if !on_own_worker {
        let mut live = shared.live_workers.lock();
        while *live > 0 {
            live = match deadline {
                None => shared.workers_exited.wait(live),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    shared.workers_exited.wait_timeout(live, deadline - now)
                }
            };
        }
    }
    let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
    if !first {
        handle.blocking.shutdown(remaining);
        return;
    }
    // Tasks spawned meanwhile (from a blocking closure, say) find the list closed
    // and are cancelled at once; this second pass is for the ones bound just before.
    shared.owned.close_and_shutdown_all();
    drain_injector(shared);
    shared.driver.shutdown_io();
    handle.driver.shutdown();
    let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
    handle.blocking.shutdown(remaining);
    drop(entered);
}

impl Core {
    /// A task waits in the LIFO slot or the local queue.
    fn has_local_work(&self) -> bool {
        self.lifo_slot.is_some() || !self.local.is_empty()
    }
}

/// A small xorshift generator for picking steal victims; quality does not matter,
/// only that workers do not all start at the same victim.
struct FastRand(u32);

impl FastRand {
    fn new(seed: u32) -> FastRand {
        FastRand(seed.wrapping_mul(0x9E37_79B9) | 1)
    }

    fn below(&mut self, bound: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as usize) % bound.max(1)
    }
}
