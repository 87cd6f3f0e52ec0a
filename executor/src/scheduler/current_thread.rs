//! The current-thread scheduler: every task runs on the thread inside `block_on`.
//!
//! The same task cells as the multi-thread scheduler, one local queue, and a locked
//! queue for wakes from other threads. The `Core` (local queue and driver) belongs to
//! whichever thread is inside `Runtime::block_on`; a second thread that calls
//! `block_on` at the same time polls its own future and waits for the core to come
//! free, then takes over running the tasks. With no thread inside `block_on`,
//! spawned tasks wait (as in tokio).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::blocking;
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::driver::{Driver, DriverConfig, DriverHandle};
use crate::runtime::hooks::TaskHooks;
use crate::runtime::park;
use crate::runtime::{PollSlot, UnhandledPanic, WorkerMetrics};
use crate::scheduler;
use crate::task::cell::Schedule;
use crate::task::list::OwnedTasks;
use crate::task::{self, JoinHandle, Notified, SpawnMeta, Task};
use spindle_loom_shim::{AtomicBool, AtomicUsize, Mutex, Ordering};

/// The scheduler half of a current-thread runtime's handle.
pub(crate) struct Handle {
    remote_queue: Mutex<VecDeque<Notified>>,
    /// Set when `block_on`'s own future was woken.
    main_woken: AtomicBool,
    /// Set when a task panicked unobserved under `UnhandledPanic::ShutdownRuntime`.
    unhandled_panic_fired: AtomicBool,
    is_shutdown: AtomicBool,
    pub(crate) owned: OwnedTasks,
    pub(crate) metrics: CachePadded<WorkerMetrics>,
    pub(crate) poll_slot: PollSlot,
    pub(crate) remote_schedule_count: AtomicU64,
    /// Length of the core's local queue, written by the thread that holds the core.
    local_queue_len: AtomicUsize,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) driver: DriverHandle,
    pub(crate) config: Arc<Config>,
}

/// What the runtime owns: the core, lent to one `block_on` at a time.
pub(crate) struct CurrentThread {
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting in `block_on` for the core to come free.
    core_waiters: Mutex<Vec<Waker>>,
}

struct Core {
    tasks: VecDeque<Notified>,
    /// Tasks that yielded (`Schedule::defer`): queued again after the next driver
    /// poll.
    deferred: Vec<Notified>,
    tick: u32,
    driver: Driver,
}

/// The scheduler context of the thread inside `block_on`.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
    /// When this thread last woke, for the busy-time metric.
    busy_since: Cell<Option<Instant>>,
    /// Polls started here, numbering slow-poll reports.
    polls_started: Cell<u64>,
}

pub(crate) fn create(
    config: Arc<Config>,
    blocking: blocking::Spawner,
    driver_config: DriverConfig,
) -> std::io::Result<(CurrentThread, Arc<Handle>)> {
    let (driver, driver_handle) = Driver::new(driver_config)?;
    let handle = Arc::new(Handle {
        remote_queue: Mutex::new(VecDeque::new()),
        main_woken: AtomicBool::new(true),
        unhandled_panic_fired: AtomicBool::new(false),
        is_shutdown: AtomicBool::new(false),
        owned: OwnedTasks::new(1),
        metrics: CachePadded::new(WorkerMetrics::default()),
        poll_slot: PollSlot::default(),
        remote_schedule_count: AtomicU64::new(0),
        local_queue_len: AtomicUsize::new(0),
        blocking,
        driver: driver_handle,
        config,
    });
    let scheduler = CurrentThread {
        core: Mutex::new(Some(Box::new(Core {
            tasks: VecDeque::new(),
            deferred: Vec::new(),
            tick: 0,
            driver,
        }))),
        core_waiters: Mutex::new(Vec::new()),
    };
    Ok((scheduler, handle))
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
            match handle.owned.bind(owned) {
                Ok(()) => handle.schedule_task(notified),
                Err(owned) => {
                    drop(notified);
                    owned.shutdown();
                }
            }
        })
    }

    /// Puts a task that yielded aside until the next driver poll, when this is the
    /// runtime's own thread with the core; otherwise schedules it as usual.
    fn defer_task(self: &Arc<Self>, task: Notified) {
        let mut task = Some(task);
        context::with_scheduler(|cx| {
            let Some(scheduler::Context::CurrentThread(cx)) = cx else {
                return;
            };
            if !Arc::ptr_eq(&cx.handle, self) {
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
            self.schedule_task(task);
        }
    }

    fn schedule_task(self: &Arc<Self>, task: Notified) {
        let mut task = Some(task);
        context::with_scheduler(|cx| {
            let Some(scheduler::Context::CurrentThread(cx)) = cx else {
                return;
            };
            if !Arc::ptr_eq(&cx.handle, self) {
                return;
            }
            let Ok(mut slot) = cx.core.try_borrow_mut() else {
                return;
            };
            // Only take the task once the core is known to be here: otherwise it
            // must fall through to the remote queue below.
            if let Some(core) = slot.as_mut() {
                if let Some(task) = task.take() {
                    core.tasks.push_back(task);
                    self.local_queue_len
                        .store(core.tasks.len(), Ordering::Relaxed);
                }
            }
        });
        if let Some(task) = task {
            self.schedule_remote(task);
        }
    }

    fn schedule_remote(&self, task: Notified) {
        let mut queue = self.remote_queue.lock();
        if self.is_shutdown.load(Ordering::Acquire) {
            // Shutdown already drained this queue; the task is cancelled through
            // the owned list, so only the reference is dropped.
            drop(queue);
            drop(task);
            return;
        }
        queue.push_back(task);
        drop(queue);
        self.remote_schedule_count.fetch_add(1, Ordering::Relaxed);
        self.driver.unpark();
    }

    pub(crate) fn remote_queue_depth(&self) -> usize {
        self.remote_queue.lock().len()
    }

    pub(crate) fn local_queue_depth(&self) -> usize {
        self.local_queue_len.load(Ordering::Relaxed)
    }

    fn pop_remote(&self) -> Option<Notified> {
        self.remote_queue.lock().pop_front()
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task);
    }

    fn defer(&self, task: Notified) {
        self.defer_task(task);
    }

    fn unhandled_panic(&self) {
        if self.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            self.unhandled_panic_fired.store(true, Ordering::Release);
            self.wake_by_ref();
        }
    }

    fn hooks(&self) -> Option<&TaskHooks> {
        self.config.task_hooks.as_ref()
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.owned.remove(task)
    }
}

/// Wakes `block_on`'s own future: marks it and unparks the driver.
impl Wake for Handle {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.main_woken.store(true, Ordering::Release);
        self.driver.unpark();
    }
}

impl CurrentThread {
    pub(crate) fn block_on<F: Future>(&self, handle: &Arc<Handle>, future: F) -> F::Output {
        let mut future = pin!(future);
        loop {
            let (waker, park) = park::current_thread_waker();
            self.core_waiters.lock().push(waker.clone());
            let free_core = self.core.lock().take();
            if let Some(core) = free_core {
                let lent = LentCore {
                    scheduler: self,
                    cx: scheduler::Context::CurrentThread(Context {
                        handle: handle.clone(),
                        core: RefCell::new(Some(core)),
                        busy_since: Cell::new(Some(Instant::now())),
                        polls_started: Cell::new(0),
                    }),
                };
                return lent.block_on(handle, future.as_mut());
            }
            let mut cx = TaskContext::from_waker(&waker);
            if let Poll::Ready(output) =
                spindle_sync::coop::with_budget(|| future.as_mut().poll(&mut cx))
            {
                return output;
            }
            park();
        }
    }

    /// Cancels every task and shuts the blocking pool down.
    pub(crate) fn shutdown(&self, handle: &Arc<Handle>, timeout: Option<Duration>) {
        if handle.is_shutdown.swap(true, Ordering::SeqCst) {
            return;
        }
        let scheduler_handle = scheduler::Handle::CurrentThread(handle.clone());
        let _entered = context::set_current_handle(&scheduler_handle);
        let core = self.core.lock().take();
        let cx = scheduler::Context::CurrentThread(Context {
            handle: handle.clone(),
            core: RefCell::new(core),
            busy_since: Cell::new(None),
            polls_started: Cell::new(0),
        });
        context::set_scheduler(&cx, || {
            handle.owned.close_and_shutdown_all();
        });
        if let scheduler::Context::CurrentThread(cx) = cx {
            if let Some(mut core) = cx.core.into_inner() {
                core.tasks.clear();
                core.deferred.clear();
                core.driver.shutdown_io();
            }
        }
        let remote = std::mem::take(&mut *handle.remote_queue.lock());
        drop(remote);
        handle.driver.shutdown();
        handle.blocking.shutdown(timeout);
    }
}

/// The core while one `block_on` has it, installed as the thread's scheduler context;
/// returned to the runtime (and the next waiter woken) on drop, also when the future
/// panics.
struct LentCore<'a> {
    scheduler: &'a CurrentThread,
    cx: scheduler::Context,
}

impl Drop for LentCore<'_> {
    fn drop(&mut self) {
        if let scheduler::Context::CurrentThread(cx) = &self.cx {
            if let Some(core) = cx.core.borrow_mut().take() {
                *self.scheduler.core.lock() = Some(core);
            }
        }
        let waiters = std::mem::take(&mut *self.scheduler.core_waiters.lock());
        for waiter in waiters {
            waiter.wake();
        }
    }
}

impl LentCore<'_> {
    fn block_on<F: Future>(&self, handle: &Arc<Handle>, mut future: Pin<&mut F>) -> F::Output {
        context::set_scheduler(&self.cx, || {
            let scheduler::Context::CurrentThread(cx) = &self.cx else {
                unreachable!("a lent core is always a current-thread context");
            };
            cx.run_until(handle, future.as_mut())
        })
    }
}

impl Context {
    /// The simulation this runtime draws its schedule from, if any.
    pub(crate) fn sim(&self) -> Option<&Arc<crate::sim::SimState>> {
        self.handle.config.sim.as_ref()
    }

    fn run_until<F: Future>(&self, handle: &Arc<Handle>, mut future: Pin<&mut F>) -> F::Output {
        let waker = Waker::from(handle.clone());
        let mut cx = TaskContext::from_waker(&waker);
        let config = &handle.config;
        loop {
            if handle.unhandled_panic_fired.load(Ordering::Acquire) {
                panic!("{}", crate::runtime::UNHANDLED_PANIC_SHUTDOWN);
            }
            if handle.main_woken.swap(false, Ordering::AcqRel) {
                if let Poll::Ready(output) =
                    spindle_sync::coop::with_budget(|| future.as_mut().poll(&mut cx))
                {
                    // Leave the flag set for the next `block_on` on this runtime.
                    handle.main_woken.store(true, Ordering::Release);
                    return output;
                }
            }
            // Up to `event_interval` tasks before the main future is polled again, so
            // a main future that keeps waking itself cannot starve the spawned tasks.
            let mut queues_empty = false;
            for _ in 0..config.event_interval {
                let Some(task) = self.next_task(handle) else {
                    queues_empty = true;
                    break;
                };
                let header = task.header();
                let number = self.polls_started.get() + 1;
                self.polls_started.set(number);
                handle
                    .poll_slot
                    .begin(number, header.id, header.owned_key.load(Ordering::Relaxed));
                spindle_sync::coop::with_budget(|| task.run());
                handle.poll_slot.end(number);
            }
            let has_deferred = self
                .core
                .borrow()
                .as_ref()
                .is_some_and(|core| !core.deferred.is_empty());
            let timeout =
                if queues_empty && !has_deferred && !handle.main_woken.load(Ordering::Acquire) {
                    None
                } else {
                    Some(Duration::ZERO)
                };
            self.park(handle, timeout);
        }
    }

    fn next_task(&self, handle: &Handle) -> Option<Notified> {
        let mut slot = self.core.borrow_mut();
        let core = slot.as_mut()?;
        if let Some(sim) = &handle.config.sim {
            // Simulating: every ready task is a candidate, drawn by the seed.
            while let Some(task) = handle.pop_remote() {
                core.tasks.push_back(task);
            }
            let task = sim.pick(&mut core.tasks);
            handle
                .local_queue_len
                .store(core.tasks.len(), Ordering::Relaxed);
            return task;
        }
        core.tick = core.tick.wrapping_add(1);
        let task = if core.tick % handle.config.global_queue_interval == 0 {
            handle.pop_remote().or_else(|| core.tasks.pop_front())
        } else {
            core.tasks.pop_front().or_else(|| handle.pop_remote())
        };
        handle
            .local_queue_len
            .store(core.tasks.len(), Ordering::Relaxed);
        if task.is_some() {
            WorkerMetrics::add(&handle.metrics.poll_count, 1);
        }
        task
    }

    /// Parks in the driver. The core leaves the context meanwhile, so wakes fired by
    /// the driver (timers, IO) go through the remote queue, which unparks.
    fn park(&self, handle: &Handle, timeout: Option<Duration>) {
        let Some(mut core) = self.core.borrow_mut().take() else {
            return;
        };
        let config = &handle.config;
        let sleeping = timeout.is_none();
        if sleeping {
            WorkerMetrics::add(&handle.metrics.park_count, 1);
            WorkerMetrics::add(&handle.metrics.park_unpark_count, 1);
            let busy = self
                .busy_since
                .replace(None)
                .map_or(0, |since| since.elapsed().as_nanos());
            WorkerMetrics::add(&handle.metrics.busy_nanos, busy as u64);
            if let Some(hook) = &config.on_thread_park {
                hook();
            }
        }
        let runtime_idle = sleeping && handle.blocking.num_running() == 0;
        if let (Some(sim), true) = (&config.sim, runtime_idle) {
            // Simulating and nothing can run: time jumps to the next deadline, and
            // with no timer pending either, the run is deadlocked.
            if !core.driver.sim_idle() {
                *self.core.borrow_mut() = Some(core);
                sim.deadlocked();
            }
        } else {
            core.driver.park(timeout, runtime_idle);
        }
        // The drivers were polled: tasks that yielded may run again.
        let Core {
            tasks, deferred, ..
        } = &mut *core;
        tasks.extend(deferred.drain(..));
        if sleeping {
            self.busy_since.set(Some(Instant::now()));
            WorkerMetrics::add(&handle.metrics.park_unpark_count, 1);
            if let Some(hook) = &config.on_thread_unpark {
                hook();
            }
        }
        *self.core.borrow_mut() = Some(core);
    }
}
