//! The settings a built runtime keeps: scheduling intervals, thread naming and hooks.
//! Shared (behind an `Arc`) by the scheduler and the blocking pool, which both start
//! threads.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::hooks::TaskHooks;
use spindle_loom_shim::thread;

/// A user callback run on a runtime thread.
pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;
/// Wraps a user thread hook so that a panic in it stays in it.
///
/// Hooks run on runtime threads at points where unwinding would lose state: a start
/// hook runs before a worker takes its core, a park hook inside the worker loop, a
/// stop hook possibly while the thread is already unwinding (a second panic would
/// abort the process). Catching here keeps every worker alive and its queue served.
pub(crate) fn contain_panics(
    which: &'static str,
    hook: impl Fn() + Send + Sync + 'static,
) -> Callback {
    Arc::new(move || {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(&hook)).is_err() {
            tracing::warn!("the {which} hook panicked; the runtime thread carries on");
        }
    })
}

/// A user callback that names a new runtime thread.
pub(crate) type ThreadNameFn = Arc<dyn Fn() -> String + Send + Sync>;

pub(crate) struct Config {
    /// The runtime's process-unique id (`Handle::id`).
    pub(crate) id: super::Id,
    /// The name given with `Builder::name` (`Handle::name`).
    pub(crate) name: Option<String>,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) thread_name: ThreadNameFn,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) on_thread_start: Option<Callback>,
    pub(crate) on_thread_stop: Option<Callback>,
    pub(crate) on_thread_park: Option<Callback>,
    pub(crate) on_thread_unpark: Option<Callback>,
    pub(crate) max_blocking_threads: usize,
    /// Set only when at least one task hook is.
    pub(crate) task_hooks: Option<TaskHooks>,
    pub(crate) slow_poll_threshold: Option<Duration>,
    pub(crate) unhandled_panic: super::UnhandledPanic,
    pub(crate) on_slow_poll: Option<super::watchdog::SlowPollHook>,
    pub(crate) thread_keep_alive: Duration,
    /// Cancelled when a graceful shutdown begins; see `Handle::shutdown_token`.
    pub(crate) shutdown_token: spindle_sync::CancellationToken,
    /// The simulation policy, for a runtime built by `sim::Builder` (current-thread).
    pub(crate) sim: Option<Arc<crate::sim::SimState>>,
}

impl Config {
    /// Starts a runtime thread with the configured name, stack size and start/stop
    /// hooks around `body`; `after_stop` runs last, after the stop hook, also when
    /// `body` or a hook unwinds (shutdown waits on it to know the thread is done).
    pub(crate) fn spawn_thread(
        self: &Arc<Self>,
        body: impl FnOnce() + Send + 'static,
        after_stop: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let mut builder = thread::Builder::new().name((self.thread_name)());
        if let Some(size) = self.thread_stack_size {
            builder = builder.stack_size(size);
        }
        let config = self.clone();
        builder.spawn(move || {
            struct RunOnDrop<F: FnOnce()>(Option<F>);
            impl<F: FnOnce()> Drop for RunOnDrop<F> {
                fn drop(&mut self) {
                    if let Some(f) = self.0.take() {
                        f();
                    }
                }
            }
            let _after_stop = RunOnDrop(Some(after_stop));
            let stop_config = config.clone();
            let _stop = RunOnDrop(Some(move || {
                if let Some(stop) = &stop_config.on_thread_stop {
                    stop();
                }
            }));
            if let Some(start) = &config.on_thread_start {
                start();
            }
            body();
        })
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.thread_keep_alive)
            .finish_non_exhaustive()
    }
}
