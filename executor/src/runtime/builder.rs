//! `Builder`: every runtime setting, checked when it is given.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::config::{contain_panics, Callback, Config, ThreadNameFn};
use super::driver::DriverConfig;
use super::hooks::TaskHooks;
use super::watchdog::SlowPollHook;
use super::{Runtime, RuntimeFlavor};
use super::{SlowPoll, TaskMeta, UnhandledPanic};

/// The environment variable that sets the default number of worker threads.
const WORKER_THREADS_ENV: &str = "SPINDLE_WORKER_THREADS";

/// Builds a [`Runtime`] with custom settings.
///
/// ```
/// use spindle_executor::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    flavor: RuntimeFlavor,
    worker_threads: Option<usize>,
    thread_name: ThreadNameFn,
    thread_stack_size: Option<usize>,
    on_thread_start: Option<Callback>,
    on_thread_stop: Option<Callback>,
    on_thread_park: Option<Callback>,
    on_thread_unpark: Option<Callback>,
    global_queue_interval: Option<u32>,
    event_interval: u32,
    max_blocking_threads: usize,
    thread_keep_alive: Duration,
    enable_io: bool,
    max_io_events_per_tick: usize,
    enable_time: bool,
    start_paused: bool,
    /// Set by `sim::Builder`: the current-thread scheduler draws tasks from it.
    pub(crate) sim: Option<Arc<crate::sim::SimState>>,
    task_hooks: TaskHooks,
    slow_poll_threshold: Option<Duration>,
    on_slow_poll: Option<SlowPollHook>,
    unhandled_panic: UnhandledPanic,
    name: Option<String>,
}

impl Builder {
    /// A builder for the work-stealing multi-thread runtime.
    pub fn new_multi_thread() -> Builder {
        Builder::new(RuntimeFlavor::MultiThread)
    }

    /// A builder for the current-thread runtime, which runs every task on the thread
    /// that calls `block_on`.
    pub fn new_current_thread() -> Builder {
        Builder::new(RuntimeFlavor::CurrentThread)
    }

    fn new(flavor: RuntimeFlavor) -> Builder {
        Builder {
            flavor,
            worker_threads: None,
            thread_name: Arc::new(|| "spindle-runtime-worker".to_owned()),
            thread_stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            on_thread_park: None,
            on_thread_unpark: None,
            global_queue_interval: None,
            event_interval: 61,
            max_blocking_threads: 512,
            thread_keep_alive: Duration::from_secs(10),
            enable_io: false,
            max_io_events_per_tick: 1024,
            enable_time: false,
            start_paused: false,
            sim: None,
            task_hooks: TaskHooks::default(),
            slow_poll_threshold: Some(Duration::from_millis(100)),
            on_slow_poll: None,
            unhandled_panic: UnhandledPanic::Ignore,
            name: None,
        }
    }

    /// Sets the number of worker threads of a multi-thread runtime (ignored by the
    /// current-thread runtime). The default is the `SPINDLE_WORKER_THREADS`
    /// environment variable if set, else the number of CPUs available.
    ///
    /// # Panics
    ///
    /// Panics when `count` is 0.
    #[track_caller]
    pub fn worker_threads(&mut self, count: usize) -> &mut Self {
        assert!(
            count > 0,
            "Builder::worker_threads(0): a runtime needs at least one worker thread; pass 1 or \
             more, or use Builder::new_current_thread() to run tasks on the calling thread"
        );
        self.worker_threads = Some(count);
        self
    }

    /// Names every thread the runtime starts (workers and blocking threads).
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// Names each new runtime thread by calling `name`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use spindle_executor::runtime::Builder;
    ///
    /// static NEXT: AtomicUsize = AtomicUsize::new(0);
    /// let rt = Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .thread_name_fn(|| format!("worker-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn<F>(&mut self, name: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = Arc::new(name);
        self
    }

    /// Sets the stack size, in bytes, of every thread the runtime starts.
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `hook` on each runtime thread (worker or blocking) as it starts.
    ///
    /// A panic in `hook` is caught and reported through `tracing`; the thread carries
    /// on, so a faulty hook cannot take a worker (and the tasks queued on it) down.
    pub fn on_thread_start<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_start = Some(contain_panics("on_thread_start", hook));
        self
    }

    /// Runs `hook` on each runtime thread (worker or blocking) as it stops.
    ///
    /// A panic in `hook` is caught and reported through `tracing`; the thread carries
    /// on, so a faulty hook cannot take a worker (and the tasks queued on it) down.
    pub fn on_thread_stop<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_stop = Some(contain_panics("on_thread_stop", hook));
        self
    }

    /// Runs `hook` on a worker just before it parks for lack of work.
    ///
    /// A panic in `hook` is caught and reported through `tracing`; the thread carries
    /// on, so a faulty hook cannot take a worker (and the tasks queued on it) down.
    pub fn on_thread_park<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_park = Some(contain_panics("on_thread_park", hook));
        self
    }

    /// Runs `hook` on a worker just after it wakes from parking.
    ///
    /// A panic in `hook` is caught and reported through `tracing`; the thread carries
    /// on, so a faulty hook cannot take a worker (and the tasks queued on it) down.
    pub fn on_thread_unpark<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_unpark = Some(contain_panics("on_thread_unpark", hook));
        self
    }

    /// Runs `hook` when a task is spawned, with its id, name and spawn site.
    ///
    /// Hooks run on the runtime's threads in the middle of scheduling: keep them short
    /// and non-blocking. A panic in a hook is caught and ignored.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use spindle_executor::runtime::Builder;
    ///
    /// let spawned = Arc::new(AtomicUsize::new(0));
    /// let counter = spawned.clone();
    /// let rt = Builder::new_current_thread()
    ///     .on_task_spawn(move |_task| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { spindle_executor::spawn(async {}).await.unwrap() });
    /// assert_eq!(spawned.load(Ordering::Relaxed), 1);
    /// ```
    pub fn on_task_spawn<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.task_hooks.on_spawn = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` when a task finishes: completes, panics or is cancelled.
    pub fn on_task_terminate<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.task_hooks.on_terminate = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` just before each poll of a task, on the polling thread.
    pub fn on_before_task_poll<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.task_hooks.before_poll = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` just after each poll of a task, on the polling thread.
    pub fn on_after_task_poll<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.task_hooks.after_poll = Some(Arc::new(hook));
        self
    }

    /// What to do when a task panics and nobody holds its `JoinHandle` (or the handle
    /// is dropped without reading the panic): carry on (the default) or shut the whole
    /// runtime down, so that `block_on` panics instead of a failure going unnoticed.
    ///
    /// ```
    /// use spindle_executor::runtime::{Builder, UnhandledPanic};
    ///
    /// let rt = Builder::new_current_thread()
    ///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
    ///     .build()
    ///     .unwrap();
    /// let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(async {
    ///         drop(spindle_executor::spawn(async { panic!("nobody is watching") }));
    ///         std::future::pending::<()>().await
    ///     })
    /// }));
    /// assert!(outcome.is_err());
    /// ```
    pub fn unhandled_panic(&mut self, behavior: UnhandledPanic) -> &mut Self {
        self.unhandled_panic = behavior;
        self
    }

    /// Reports polls that block a worker longer than `threshold` (default 100 ms, as
    /// asyncio's debug mode): a watchdog thread names the task, its name and spawn
    /// site while it is still blocking, and again with the full duration when the poll
    /// returns, as a `tracing` warning and through [`on_slow_poll`](Builder::on_slow_poll).
    /// `None` turns detection (and the watchdog thread) off.
    pub fn slow_poll_threshold(&mut self, threshold: Option<Duration>) -> &mut Self {
        self.slow_poll_threshold = threshold;
        self
    }

    /// Runs `hook` for every slow poll report (see
    /// [`slow_poll_threshold`](Builder::slow_poll_threshold)), on the watchdog thread.
    ///
    /// ```
    /// use std::sync::{mpsc, Mutex};
    /// use std::time::Duration;
    /// use spindle_executor::runtime::Builder;
    ///
    /// let (reports, received) = mpsc::channel();
    /// let reports = Mutex::new(reports);
    /// let rt = Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .slow_poll_threshold(Some(Duration::from_millis(20)))
    ///     .on_slow_poll(move |report| {
    ///         let _ = reports.lock().unwrap().send(report.to_string());
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let (release, released) = mpsc::channel::<()>();
    /// rt.spawn(async move {
    ///     released.recv().unwrap(); // a blocking call inside a task: the mistake
    /// });
    /// let report = received.recv().unwrap(); // reported while the worker is stuck
    /// assert!(report.contains("has been blocking worker 0"));
    /// release.send(()).unwrap();
    /// ```
    pub fn on_slow_poll<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&SlowPoll) + Send + Sync + 'static,
    {
        self.on_slow_poll = Some(Arc::new(hook));
        self
    }

    /// How many ticks a worker runs between checks of the shared (remote) queue ahead
    /// of its own. Lower is fairer to remote wakes, higher keeps more work local.
    /// Default 31.
    ///
    /// # Panics
    ///
    /// Panics when `ticks` is 0.
    #[track_caller]
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(
            ticks > 0,
            "Builder::global_queue_interval(0): the interval counts ticks between checks of \
             the shared queue and must be at least 1"
        );
        self.global_queue_interval = Some(ticks);
        self
    }

    /// How many ticks a busy worker runs between polls of the IO and timer driver.
    /// Default 61.
    ///
    /// # Panics
    ///
    /// Panics when `ticks` is 0.
    #[track_caller]
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(
            ticks > 0,
            "Builder::event_interval(0): the interval counts ticks between driver polls and \
             must be at least 1"
        );
        self.event_interval = ticks;
        self
    }

    /// The most threads the blocking pool starts at once. Default 512.
    ///
    /// # Panics
    ///
    /// Panics when `count` is 0.
    #[track_caller]
    pub fn max_blocking_threads(&mut self, count: usize) -> &mut Self {
        assert!(
            count > 0,
            "Builder::max_blocking_threads(0): spawn_blocking needs at least one thread; pass 1 \
             or more"
        );
        self.max_blocking_threads = count;
        self
    }

    /// How long an idle blocking thread waits for work before it exits. Default 10 s.
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.thread_keep_alive = duration;
        self
    }

    /// Enables the IO driver, which `spindle::net` and `AsyncFd` need. Without it,
    /// they fail with a message that says to call this.
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    /// How many IO events the parked worker takes from the OS per wake-up (default
    /// 1024); the rest wait for the next one, so one burst cannot monopolise a worker.
    ///
    /// # Panics
    ///
    /// Panics when `events` is 0.
    #[track_caller]
    pub fn max_io_events_per_tick(&mut self, events: usize) -> &mut Self {
        assert!(
            events > 0,
            "Builder::max_io_events_per_tick(0): the driver must take at least one event per \
             wake-up; pass 1 or more"
        );
        self.max_io_events_per_tick = events;
        self
    }

    /// How many IO events a worker takes when it polls the driver while it still has
    /// tasks to run (tokio's "busy tick").
    ///
    /// Accepted for programs written against tokio; spindle does not size busy polls
    /// separately. A busy worker here polls the driver without blocking every
    /// [`event_interval`](Builder::event_interval) ticks and takes up to
    /// [`max_io_events_per_tick`](Builder::max_io_events_per_tick) events, and its
    /// local queue is unbounded, so a large batch cannot overflow it.
    ///
    /// # Panics
    ///
    /// Panics when `events` is 0, as tokio does.
    #[track_caller]
    pub fn max_io_events_per_busy_tick(&mut self, events: usize) -> &mut Self {
        assert!(
            events > 0,
            "Builder::max_io_events_per_busy_tick(0): a busy poll must be allowed at least one \
             event; pass 1 or more"
        );
        self
    }

    /// Names the runtime; [`Handle::name`](super::Handle::name) returns it. The
    /// name is for the program's own bookkeeping (logs, metrics labels); worker
    /// threads are named with [`thread_name`](Builder::thread_name).
    ///
    /// ```
    /// use spindle_executor::runtime::Builder;
    ///
    /// let rt = Builder::new_current_thread().name("ingest").build().unwrap();
    /// assert_eq!(rt.handle().name(), Some("ingest"));
    /// ```
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = Some(name.into());
        self
    }

    /// Enables the timer driver, which `spindle::time` (sleep, timeout, interval)
    /// needs. Without it, those panic with a message that says to call this.
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Starts the runtime with the test clock paused: time stands still until a task
    /// advances it, and whenever every task is idle (and no blocking work is in
    /// flight) it jumps straight to the next timer, so a test of an hour-long timeout
    /// finishes at once. Needs [`enable_time`](Builder::enable_time).
    ///
    /// ```
    /// use std::time::Duration;
    /// use spindle_executor::runtime::Builder;
    ///
    /// let rt = Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let before = spindle_timers::time::Instant::now();
    ///     spindle_timers::time::sleep(Duration::from_secs(3600)).await;
    ///     assert!(before.elapsed() >= Duration::from_secs(3600));
    /// });
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// Enables every driver: IO and time.
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io().enable_time()
    }

    /// Builds the runtime, starting its worker threads.
    ///
    /// # Errors
    ///
    /// Fails when a worker thread cannot be started, when the OS refuses an IO poller,
    /// when `SPINDLE_WORKER_THREADS` is
    /// set to something other than a positive integer, or when `start_paused` is asked
    /// for without `enable_time`.
    pub fn build(&mut self) -> io::Result<Runtime> {
        let worker_threads = match self.worker_threads {
            Some(count) => count,
            None => default_worker_threads()?,
        };
        let config = Arc::new(Config {
            id: super::Id::next(),
            name: self.name.clone(),
            global_queue_interval: self.global_queue_interval.unwrap_or(31),
            event_interval: self.event_interval,
            thread_name: self.thread_name.clone(),
            thread_stack_size: self.thread_stack_size,
            on_thread_start: self.on_thread_start.clone(),
            on_thread_stop: self.on_thread_stop.clone(),
            on_thread_park: self.on_thread_park.clone(),
            on_thread_unpark: self.on_thread_unpark.clone(),
            max_blocking_threads: self.max_blocking_threads,
            thread_keep_alive: self.thread_keep_alive,
            task_hooks: (!self.task_hooks.is_empty()).then(|| self.task_hooks.clone()),
            slow_poll_threshold: self.slow_poll_threshold,
            unhandled_panic: self.unhandled_panic,
            on_slow_poll: self.on_slow_poll.clone(),
            shutdown_token: spindle_sync::CancellationToken::new(),
            sim: self.sim.clone(),
        });
        if self.start_paused && !self.enable_time {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Builder::start_paused(true) needs the timer driver: call enable_time() or \
                 enable_all() too",
            ));
        }
        let drivers = DriverConfig {
            enable_io: self.enable_io,
            max_io_events_per_tick: self.max_io_events_per_tick,
            enable_time: self.enable_time,
            start_paused: self.start_paused,
        };
        match self.flavor {
            RuntimeFlavor::CurrentThread => Runtime::new_current_thread(config, drivers),
            RuntimeFlavor::MultiThread => {
                Runtime::new_multi_thread(worker_threads, config, drivers)
            }
        }
    }
}

impl Builder {
    /// Builds a [`LocalRuntime`](super::LocalRuntime): a current-thread runtime whose
    /// `block_on` and `spawn_local` accept futures that are not `Send`. `options`
    /// has no settings yet; pass `LocalOptions::default()`.
    ///
    /// ```
    /// use spindle_executor::runtime::{Builder, LocalOptions};
    ///
    /// let rt = Builder::new_current_thread()
    ///     .enable_all()
    ///     .build_local(LocalOptions::default())
    ///     .unwrap();
    /// let shared = std::rc::Rc::new(7);
    /// assert_eq!(rt.block_on(async move { *shared }), 7);
    /// ```
    ///
    /// # Errors
    ///
    /// Fails when this builder is for the multi-thread runtime (use
    /// `Builder::new_current_thread()`), or as [`build`](Builder::build) does.
    pub fn build_local(&mut self, options: super::LocalOptions) -> io::Result<super::LocalRuntime> {
        let _ = options;
        if self.flavor != RuntimeFlavor::CurrentThread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Builder::build_local needs a current-thread builder: start from \
                 Builder::new_current_thread(), since !Send tasks stay on one thread",
            ));
        }
        Ok(super::LocalRuntime::from_runtime(self.build()?))
    }
}

fn default_worker_threads() -> io::Result<usize> {
    match std::env::var(WORKER_THREADS_ENV) {
        Ok(value) => match value.trim().parse::<usize>() {
            Ok(count) if count > 0 => Ok(count),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{WORKER_THREADS_ENV} must be a positive integer, got {value:?}; unset it to \
                     use one worker per CPU"
                ),
            )),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, |count| count.get())),
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.thread_keep_alive)
            .field("enable_io", &self.enable_io)
            .field("enable_time", &self.enable_time)
            .field("start_paused", &self.start_paused)
            .finish_non_exhaustive()
    }
}
