//! Blocking the calling thread on a future: `block_on`'s engine.
//!
//! Each thread keeps one parker, made on first use; the waker handed to the future is
//! built from it once and cloned after, so `block_on` allocates nothing per call. A
//! wake sets a flag and signals the condvar; `park` sleeps only while the flag is
//! clear, so a wake that comes before the park is never lost.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use spindle_loom_shim::{Condvar, Mutex};

struct ThreadParker {
    woken: Mutex<bool>,
    condvar: Condvar,
}

impl Wake for ThreadParker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.woken.lock() = true;
        self.condvar.notify_one();
    }
}

impl ThreadParker {
    fn park(&self) {
        let mut woken = self.woken.lock();
        while !*woken {
            woken = self.condvar.wait(woken);
        }
        *woken = false;
    }
}

fn new_parker() -> (Arc<ThreadParker>, Waker) {
    let parker = Arc::new(ThreadParker {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(parker.clone());
    (parker, waker)
}

// Under loom the threads of a model share one OS thread, and the parker's lock and
// condvar are loom's, so the slot must be loom's too.
#[cfg(not(loom))]
thread_local! {
    static PARKER: (Arc<ThreadParker>, Waker) = new_parker();
}
#[cfg(loom)]
loom::thread_local! {
    static PARKER: (Arc<ThreadParker>, Waker) = new_parker();
}

/// Polls `future` on this thread, sleeping between wake-ups, until it completes. Each
/// poll gets a fresh cooperative budget.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    block_on_reporting(future, |_| {})
}

/// As [`block_on`], telling `set_active(true)` before it polls and `set_active(false)`
/// before it sleeps (and once when it returns), so a runtime knows whether this thread
/// may still wake its tasks.
pub(crate) fn block_on_reporting<F: Future>(future: F, set_active: impl Fn(bool)) -> F::Output {
    struct Inactive<'a, A: Fn(bool)>(&'a A);
    impl<A: Fn(bool)> Drop for Inactive<'_, A> {
        fn drop(&mut self) {
            (self.0)(false);
        }
    }
    let mut future = pin!(future);
    let (parker, waker) = PARKER.with(|(parker, waker)| (parker.clone(), waker.clone()));
    let mut cx = Context::from_waker(&waker);
    loop {
        set_active(true);
        let inactive = Inactive(&set_active);
        if let Poll::Ready(output) =
            spindle_sync::coop::with_budget(|| future.as_mut().poll(&mut cx))
        {
            return output;
        }
        drop(inactive);
        parker.park();
    }
}

/// A waker that unparks this thread's parker, and a function that parks on it; for
/// loops that interleave their own work with waiting (the current-thread scheduler
/// waiting for its core).
pub(crate) fn current_thread_waker() -> (Waker, impl Fn()) {
    let (parker, waker) = PARKER.with(|(parker, waker)| (parker.clone(), waker.clone()));
    (waker, move || parker.park())
}
