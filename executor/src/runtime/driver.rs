//! The driver: what a worker with nothing to do parks in.
//!
//! One driver per runtime. The worker that parks in it sleeps until it is unparked or
//! until the next timer is due, and on waking fires what became ready. The IO reactor
//! slots in here (its `Poller::wait` replaces the condvar wait); until then, a driver
//! is a condvar wait plus the timer wheel. Only one thread parks in it at a time: the
//! multi-thread scheduler shares it behind a try-lock, so the other idle workers park
//! on their own condvars.

use std::time::Duration;

use crate::loom::{Arc, Condvar, Mutex};

/// The parkable half, owned by whichever thread parks in it.
pub(crate) struct Driver {
    signal: Arc<Signal>,
}

/// Wakes the thread parked in the driver, from anywhere.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    signal: Arc<Signal>,
}

struct Signal {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Driver {
    pub(crate) fn new() -> (Driver, DriverHandle) {
        let signal = Arc::new(Signal {
            notified: Mutex::new(false),
            condvar: Condvar::new(),
        });
        (
            Driver {
                signal: signal.clone(),
            },
            DriverHandle { signal },
        )
    }

    /// Sleeps until unparked (or, with `Some`, until `timeout` passes), then fires
    /// whatever became ready.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
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
}

impl DriverHandle {
    /// Wakes the parked thread, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        let mut notified = self.signal.notified.lock();
        *notified = true;
        drop(notified);
        self.signal.condvar.notify_one();
    }
}
