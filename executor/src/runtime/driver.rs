//! The driver: what a worker with nothing to do parks in.
//!
//! One driver per runtime. The worker that parks in it sleeps until it is unparked or
//! until the next timer is due, and on waking fires the timers that came due. The IO
//! reactor slots in here (its `Poller::wait` replaces the condvar wait); until then, a
//! driver is a condvar wait plus the timer wheel. Only one thread parks in it at a
//! time: the multi-thread scheduler shares it behind a try-lock, so the other idle
//! workers park on their own condvars.
//!
//! The timer wheel calls the unpark hook only when a timer is inserted with a deadline
//! earlier than the one the parked thread sleeps to, so ordinary inserts cost no
//! wake-up. With the test clock paused, a parked driver whose runtime is wholly idle
//! jumps the clock to the next deadline instead of sleeping (auto-advance).

use std::sync::Arc;
use std::time::Duration;

use crate::loom::{Condvar, Mutex};

/// The parkable half, owned by whichever thread parks in it.
pub(crate) struct Driver {
    signal: Arc<Signal>,
    time: Option<Arc<spindle_timers::Driver>>,
}

/// Wakes the thread parked in the driver, and reaches the drivers' handles, from
/// anywhere.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    signal: Arc<Signal>,
    time: Option<Arc<spindle_timers::Driver>>,
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
    pub(crate) enable_time: bool,
    pub(crate) start_paused: bool,
}

impl Driver {
    pub(crate) fn new(config: DriverConfig) -> (Driver, DriverHandle) {
        let signal = Arc::new(Signal {
            notified: Mutex::new(false),
            condvar: Condvar::new(),
        });
        let time = config.enable_time.then(|| {
            let time = Arc::new(spindle_timers::Driver::new(config.start_paused));
            let hook_signal = signal.clone();
            time.handle()
                .new_unpark_hook(Arc::new(move || hook_signal.unpark()));
            time
        });
        (
            Driver {
                signal: signal.clone(),
                time: time.clone(),
            },
            DriverHandle { signal, time },
        )
    }

    /// Sleeps until unparked (or, with `Some`, until `timeout` passes, or the next
    /// timer is due), then fires whatever became ready. `runtime_idle` says that no
    /// task can run and no blocking work is in flight: with the test clock paused,
    /// the driver then advances the clock instead of sleeping.
    pub(crate) fn park(&mut self, timeout: Option<Duration>, runtime_idle: bool) {
        if let Some(time) = &self.time {
            if time.process() > 0 {
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
        let mut notified = self.signal.notified.lock();
        if !*notified {
            notified = match timeout {
                Some(timeout) if timeout.is_zero() => notified,
                Some(timeout) => self.signal.condvar.wait_timeout(notified, timeout),
                None => self.signal.condvar.wait(notified),
            };
        }
        *notified = false;
        drop(notified);
        if let Some(time) = &self.time {
            time.end_park();
            time.process();
        }
    }
}

impl DriverHandle {
    /// Wakes the parked thread, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        self.signal.unpark();
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
