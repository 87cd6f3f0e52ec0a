//! [`Driver::block_on`]: a minimal single-threaded runner for code that uses only
//! timers, for tests and examples of this crate without the executor.
//!
//! It polls one future on the calling thread with the driver's handle entered. Between
//! polls it fires due timers and parks the thread until the next deadline; the future's
//! waker unparks it. With a paused clock, a poll that leaves the future idle (its waker
//! not called) lets the clock auto-advance to the next deadline, as an idle runtime
//! does.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use crate::driver::Driver;

/// Wakes the thread running `block_on` and records that the future wants a poll.
struct ThreadWaker {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

impl Driver {
    /// Runs `future` to completion on this thread, with this driver's handle entered,
    /// parking on the driver between polls: a minimal executor for code that uses only
    /// timers (tests, examples). A runtime uses its own executor instead.
    ///
    /// With a paused clock, time auto-advances to the next deadline whenever the future
    /// is idle. A future that waits for something other than a timer must be woken by
    /// its waker from another thread, as with any executor.
    ///
    /// ```
    /// use spindle_timers::{time, Driver};
    ///
    /// let driver = Driver::new(true);
    /// let slept = driver.block_on(async {
    ///     let start = time::Instant::now();
    ///     time::sleep(time::Duration::from_secs(3600)).await;
    ///     start.elapsed()
    /// });
    /// assert_eq!(slept, time::Duration::from_secs(3600));
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _entered = self.handle().enter();
        let mut future = pin!(future);
        let thread_waker = Arc::new(ThreadWaker {
            thread: thread::current(),
            woken: AtomicBool::new(true),
        });
        let waker = Waker::from(Arc::clone(&thread_waker));
        let mut cx = Context::from_waker(&waker);
        loop {
            if thread_waker.woken.swap(false, Ordering::AcqRel) {
                if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
                continue;
            }
            self.fire_due_timers();
            if thread_waker.woken.load(Ordering::Acquire) {
                continue;
            }
            if self.is_paused() {
                if !self.auto_advance() {
                    thread::park();
                }
                continue;
            }
            match self.park_timeout() {
                Some(timeout) => thread::park_timeout(timeout),
                None => thread::park(),
            }
        }
    }
}
