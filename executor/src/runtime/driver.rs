//! The driver: what a worker with nothing to do parks in.
//!
//! One driver per runtime. The worker that parks in it sleeps until it is unparked, an
//! IO event arrives, or the next timer is due; on waking it dispatches IO readiness and
//! fires the timers that came due. With IO enabled the sleep is the reactor's
//! `Poller::wait` (and an unpark is `Poller::notify`); without it, a condvar wait. Only
//! one thread parks in it at a time: the multi-thread scheduler shares it behind a
//! try-lock, so the other idle workers park on their own condvars.
//!
//! The timer wheel calls the unpark hook only when a timer is inserted with a deadline
//! earlier than the one the parked thread sleeps to, so ordinary inserts cost no
//! wake-up. With the test clock paused, a parked driver whose runtime is wholly idle
//! jumps the clock to the next deadline instead of sleeping (auto-advance).

use std::sync::atomic::{AtomicU64, Ordering};

use super::io_seam::{IoDriver, IoHandle};
use std::sync::Arc;
use std::time::Duration;

use spindle_loom_shim::{Condvar, Mutex};

/// The parkable half, owned by whichever thread parks in it.
pub(crate) struct Driver {
    signal: Arc<Signal>,
    io: Option<IoDriver>,
    time: Option<Arc<spindle_timers::Driver>>,
    io_events: Arc<AtomicU64>,
}

/// Wakes the thread parked in the driver, and reaches the drivers' handles, from
/// anywhere.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    signal: Arc<Signal>,
    io: Option<IoHandle>,
    time: Option<Arc<spindle_timers::Driver>>,
    /// IO events dispatched so far (written by the thread parked in the driver).
    io_events: Arc<AtomicU64>,
}

/// Ends a park: the reactor's notify when IO is enabled, else the condvar.
#[derive(Clone)]
enum Unparker {
    Condvar(Arc<Signal>),
    Io(IoHandle),
}

impl Unparker {
    fn unpark(&self) {
        match self {
            Unparker::Condvar(signal) => signal.unpark(),
            Unparker::Io(io) => io.unpark(),
        }
    }
}

struct Signal {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Signal {
    fn unpark(&self) {
        let mut notified = self.notified.lock();
        *notified = true;
        drop(notified);
        self.condvar.notify_one();
    }
}

/// Which drivers a runtime asked for.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DriverConfig {
    pub(crate) enable_io: bool,
    pub(crate) max_io_events_per_tick: usize,
    pub(crate) enable_time: bool,
    pub(crate) start_paused: bool,
}

impl Driver {
    /// Builds the drivers `config` asks for.
    ///
    /// # Errors
    ///
    /// Fails when the OS refuses a poller (for example when the fd table is full).
    pub(crate) fn new(config: DriverConfig) -> std::io::Result<(Driver, DriverHandle)> {
        let signal = Arc::new(Signal {
            notified: Mutex::new(false),
            condvar: Condvar::new(),
        });
        let io = if config.enable_io {
            let mut io = IoDriver::new()?;
            io.set_max_events(config.max_io_events_per_tick);
            Some(io)
        } else {
            None
        };
        let io_handle = io.as_ref().map(|io| io.handle());
        let unparker = match &io_handle {
            Some(io) => Unparker::Io(io.clone()),
            None => Unparker::Condvar(signal.clone()),
        };
        let time = config.enable_time.then(|| {
            let time = Arc::new(spindle_timers::Driver::new(config.start_paused));
            let hook_unparker = unparker.clone();
            time.handle()
                .new_unpark_hook(Arc::new(move || hook_unparker.unpark()));
            time
        });
        let io_events = Arc::new(AtomicU64::new(0));
        Ok((
            Driver {
                signal: signal.clone(),
                io,
                time: time.clone(),
                io_events: io_events.clone(),
            },
            DriverHandle {
                signal,
                io: io_handle,
                time,
                io_events,
            },
        ))
    }

    /// Shuts the IO driver down: every socket of this runtime then fails with an
    /// error saying so, and the tasks waiting on them are woken.
    pub(crate) fn shutdown_io(&self) {
        if let Some(io) = &self.io {
            io.shutdown();
        }
    }

    /// For the simulation, when no task can run: fires due timers, or jumps the paused
    /// clock to the next deadline. False when no timer is pending at all.
    pub(crate) fn sim_idle(&mut self) -> bool {
        self.time
            .as_ref()
            .is_some_and(|time| time.fire_due_timers() > 0 || time.auto_advance())
    }

    /// Sleeps until unparked (or, with `Some`, until `timeout` passes, or the next
    /// timer is due), then fires whatever became ready. `runtime_idle` says that no
    /// task can run and no blocking work is in flight: with the test clock paused,
    /// the driver then advances the clock instead of sleeping.
    pub(crate) fn park(&mut self, timeout: Option<Duration>, runtime_idle: bool) {
        if let Some(time) = &self.time {
            if time.fire_due_timers() > 0 {
                // Tasks were woken: let the caller run them before sleeping.
                return;
            }
            if runtime_idle && time.is_paused() && time.auto_advance() {
                return;
            }
        }
        let timer_timeout = self.time.as_ref().and_then(|time| time.begin_park());
        let timeout = match (timeout, timer_timeout) {
            (Some(caller), Some(timer)) => Some(caller.min(timer)),
            (caller, timer) => caller.or(timer),
        };
        if let Some(io) = &mut self.io {
            let events = io.park(timeout) as u64;
            let total = &self.io_events;
            total.store(total.load(Ordering::Relaxed) + events, Ordering::Relaxed);
        } else {
            let mut notified = self.signal.notified.lock();
            if !*notified {
                notified = match timeout {
                    Some(timeout) if timeout.is_zero() => notified,
                    Some(timeout) => self.signal.condvar.wait_timeout(notified, timeout),
                    None => self.signal.condvar.wait(notified),
                };
            }
            *notified = false;
        }
        if let Some(time) = &self.time {
            time.end_park();
            time.fire_due_timers();
        }
    }
}

impl DriverHandle {
    /// Wakes the parked thread, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        match &self.io {
            Some(io) => io.unpark(),
            None => self.signal.unpark(),
        }
    }

    /// The IO driver's handle, when IO is enabled.
    pub(crate) fn io(&self) -> Option<&IoHandle> {
        self.io.as_ref()
    }

    /// IO events dispatched since the runtime started.
    pub(crate) fn io_ready_count(&self) -> u64 {
        self.io_events.load(Ordering::Relaxed)
    }

    /// The timer driver's handle, when time is enabled.
    pub(crate) fn time(&self) -> Option<spindle_timers::Handle> {
        self.time.as_ref().map(|time| time.handle())
    }

    pub(crate) fn is_clock_paused(&self) -> bool {
        self.time.as_ref().is_some_and(|time| time.is_paused())
    }

    /// Shuts the drivers down: every pending sleep is woken and later timer use
    /// reports that the runtime is gone. Drops the wakers the wheel held, which would
    /// otherwise keep tasks (and so the runtime) alive.
    pub(crate) fn shutdown(&self) {
        if let Some(time) = &self.time {
            time.shutdown();
        }
    }
}
