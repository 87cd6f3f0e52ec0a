//! The pool's threads and their accounting (see the module above for the design).

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::channel_seam::{self, Receiver, RecvTimeoutError, Sender};
use super::task::{BlockingSchedule, BlockingTask};
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::scheduler;
use crate::task::{self, JoinHandle, Notified, SpawnMeta};
use spindle_loom_shim::{AtomicBool, AtomicUsize, Condvar, Mutex, Ordering};

/// Spawns onto one runtime's blocking pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    pool: Arc<Pool>,
}

struct Pool {
    queue: Mutex<Option<Sender<Notified>>>,
    receiver: Receiver<Notified>,
    state: Mutex<PoolState>,
    thread_exited: Condvar,
    is_shutdown: AtomicBool,
    /// Closures running right now; a paused test clock does not auto-advance while
    /// blocking work is in flight, since it may be about to wake a task.
    running: AtomicUsize,
    config: Arc<Config>,
}

struct PoolState {
    num_threads: usize,
    /// Idle threads minus queued tasks (see the module documentation).
    num_idle: usize,
    is_shutdown: bool,
}

impl Spawner {
    pub(crate) fn new(config: Arc<Config>) -> Spawner {
        let (sender, receiver) = channel_seam::unbounded();
        Spawner {
            pool: Arc::new(Pool {
                queue: Mutex::new(Some(sender)),
                receiver,
                state: Mutex::new(PoolState {
                    num_threads: 0,
                    num_idle: 0,
                    is_shutdown: false,
                }),
                thread_exited: Condvar::new(),
                is_shutdown: AtomicBool::new(false),
                running: AtomicUsize::new(0),
                config,
            }),
        }
    }

    /// Queues `work`. When the pool is shut down, the closure is dropped unrun and the
    /// `JoinHandle` reports a cancellation. When no thread exists and none can be
    /// started, the closure is dropped too and the OS error is returned beside the
    /// handle, so the caller can report it.
    pub(crate) fn spawn_blocking<F, R>(
        &self,
        runtime: &scheduler::Handle,
        work: F,
        meta: SpawnMeta,
    ) -> (JoinHandle<R>, Option<io::Error>)
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (notified, join) =
            task::new_unowned_task(BlockingTask::new(work), BlockingSchedule, meta);
        let result = self.submit(notified, runtime);
        (join, result.err())
    }

    /// Queues `task`; `Err` only when no thread could be started to run it.
    fn submit(&self, task: Notified, runtime: &scheduler::Handle) -> io::Result<()> {
        let pool = &self.pool;
        let mut state = pool.state.lock();
        let sender = pool.queue.lock().clone();
        let Some(sender) = sender.filter(|_| !state.is_shutdown) else {
            drop(state);
            task.shutdown();
            return Ok(());
        };
        if sender.send(task).is_err() {
            // The receiver lives in `pool`, so the channel cannot be disconnected.
            unreachable!("blocking pool queue disconnected while the pool is alive");
        }
        if state.num_idle > 0 {
            state.num_idle -= 1;
            return Ok(());
        }
        if state.num_threads >= pool.config.max_blocking_threads {
            // Every thread is busy and the cap is reached: the task waits its turn.
            return Ok(());
        }
        let worker_pool = pool.clone();
        let exiting_pool = pool.clone();
        let runtime = runtime.clone();
        let started = pool.config.spawn_thread(
            move || worker_pool.run(runtime),
            move || exiting_pool.thread_finished(),
        );
        match started {
            Ok(_) => {
                state.num_threads += 1;
                Ok(())
            }
            Err(error) if state.num_threads == 0 => {
                // No thread will ever take the queue: cancel what is in it.
                drop(state);
                while let Ok(task) = pool.receiver.try_recv() {
                    task.shutdown();
                }
                Err(error)
            }
            // The running threads will get to it.
            Err(_) => Ok(()),
        }
    }

    /// Cancels queued tasks and waits at most `timeout` (`None`: forever) for
    /// running ones to finish.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) {
        let pool = &self.pool;
        let first = {
            let mut state = pool.state.lock();
            let first = !state.is_shutdown;
            state.is_shutdown = true;
            pool.is_shutdown.store(true, Ordering::SeqCst);
            // Dropping the only sender lets idle threads see the queue disconnect.
            pool.queue.lock().take();
            first
        };
        if first {
            while let Ok(task) = pool.receiver.try_recv() {
                task.shutdown();
            }
        }
        // A later call (the runtime's owner, after a worker began the shutdown with no
        // time to wait) still waits for the threads, up to its own timeout.
        // A timeout too long to represent (`Duration::MAX`) waits without a bound.
        let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        let mut state = pool.state.lock();
        while state.num_threads > 0 {
            state = match deadline {
                None => pool.thread_exited.wait(state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return;
                    }
                    pool.thread_exited.wait_timeout(state, deadline - now)
                }
            };
        }
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.pool.state.lock().num_threads
    }

    pub(crate) fn num_idle_threads(&self) -> usize {
        let state = self.pool.state.lock();
        let queued = self.pool.receiver.len();
        state.num_idle + queued.min(state.num_threads)
    }

    /// Closures queued or running: work that may still wake a task.
    pub(crate) fn num_running(&self) -> usize {
        self.pool.running.load(Ordering::SeqCst) + self.pool.receiver.len()
    }

    pub(crate) fn queue_depth(&self) -> usize {
        self.pool.receiver.len()
    }
}

impl Pool {
    fn run(&self, runtime: scheduler::Handle) {
        let _entered = context::set_current_handle(&runtime);
        let keep_alive = self.config.thread_keep_alive;
        loop {
            match self.receiver.recv_timeout(keep_alive) {
                Ok(task) => {
                    if self.is_shutdown.load(Ordering::SeqCst) {
                        task.shutdown();
                    } else {
                        self.running.fetch_add(1, Ordering::SeqCst);
                        task.run();
                        self.running.fetch_sub(1, Ordering::SeqCst);
                        // With the test clock paused, a parked runtime does not
                        // auto-advance while blocking work is in flight; now that this
                        // work is done it may, even if nobody awaits its JoinHandle.
                        if runtime.driver().is_clock_paused() {
                            runtime.driver().unpark();
                        }
                    }
                    self.state.lock().num_idle += 1;
                }
                Err(RecvTimeoutError::Timeout) => {
                    let mut state = self.state.lock();
                    if state.num_idle == 0 {
                        // A queued task is counted against us: take it.
                        continue;
                    }
                    state.num_idle -= 1;
                    return;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let mut state = self.state.lock();
                    state.num_idle = state.num_idle.saturating_sub(1);
                    return;
                }
            }
        }
    }

    fn thread_finished(&self) {
        let mut state = self.state.lock();
        state.num_threads -= 1;
        self.thread_exited.notify_all();
    }
}
