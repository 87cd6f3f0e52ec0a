//! Parking one worker: on the shared driver if it is free, else on its own condvar.
//!
//! The first idle worker to take the driver's try-lock sleeps in it (and so fires
//! timers and IO); the others wait on a condvar of their own. The state word
//! records which, so `unpark` knows whether to signal the condvar or the driver. An
//! `unpark` that comes before the `park` leaves `NOTIFIED` behind, and the `park`
//! returns at once: no wake-up is lost in the gap between deciding to park and parking.

use std::time::Duration;

use std::sync::Arc;

use crate::runtime::driver::{Driver, DriverHandle};
use spindle_loom_shim::{AtomicUsize, Condvar, Mutex, Ordering};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The driver, shared by all workers of one runtime.
pub(crate) struct SharedDriver {
    driver: Mutex<Driver>,
    handle: DriverHandle,
}

impl SharedDriver {
    pub(crate) fn new(driver: Driver, handle: DriverHandle) -> SharedDriver {
        SharedDriver {
            driver: Mutex::new(driver),
            handle,
        }
    }

    /// Shuts the IO driver down (runtime shutdown; the workers have stopped parking).
    pub(crate) fn shutdown_io(&self) {
        self.driver.lock().shutdown_io();
    }

    /// Fires what is ready without sleeping, if no other thread holds the driver.
    pub(crate) fn poll_without_blocking(&self) {
        if let Some(mut driver) = self.driver.try_lock() {
            driver.park(Some(Duration::ZERO), false);
        }
    }
}

pub(crate) struct Parker {
    inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    shared: Arc<SharedDriver>,
}

impl Parker {
    pub(crate) fn new(shared: Arc<SharedDriver>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
                shared,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked. May return spuriously; the caller re-checks its queues.
    /// `runtime_idle` is asked only by the thread that takes the driver, to decide
    /// whether a paused test clock may jump ahead.
    pub(crate) fn park(&mut self, runtime_idle: impl Fn() -> bool) {
        let inner = &self.inner;
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
        if let Some(mut driver) = inner.shared.driver.try_lock() {
            if inner
                .state
                .compare_exchange(EMPTY, PARKED_DRIVER, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                // Notified in between.
                inner.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
            driver.park(None, runtime_idle());
            inner.state.swap(EMPTY, Ordering::SeqCst);
            return;
        }
        let mut guard = inner.lock.lock();
        if inner
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            inner.state.swap(EMPTY, Ordering::SeqCst);
            return;
        }
        loop {
            guard = inner.condvar.wait(guard);
            if inner
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        let inner = &self.inner;
        match inner.state.swap(NOTIFIED, Ordering::SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Taking the lock orders this notify after the parker's wait began.
                drop(inner.lock.lock());
                inner.condvar.notify_one();
            }
            PARKED_DRIVER => inner.shared.handle.unpark(),
            actual => unreachable!("worker park state corrupted: {actual}"),
        }
    }
}
