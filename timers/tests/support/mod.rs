//! Test support: a driver loop on its own thread (what the executor's parked worker
//! does, reduced to the timer part), recording wakers, and small helpers.

#![allow(dead_code)] // each test file uses a different part

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use spindle_timers::{Driver, Handle};

/// Wakes the loop thread: the unpark hook and `stop` both set the flag under the lock.
#[derive(Default)]
struct Parker {
    unparked: Mutex<bool>,
    condvar: Condvar,
}

impl Parker {
    fn unpark(&self) {
        *self
            .unparked
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = true;
        self.condvar.notify_one();
    }

    /// Sleeps until unparked or until `timeout` passes (`None`: only unpark).
    fn park(&self, timeout: Option<Duration>, stop: &AtomicBool) {
        let mut unparked = self
            .unparked
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if !*unparked && !stop.load(Ordering::Acquire) {
            unparked = match timeout {
                Some(timeout) => {
                    self.condvar
                        .wait_timeout(unparked, timeout)
                        .unwrap_or_else(|poison| poison.into_inner())
                        .0
                }
                None => self
                    .condvar
                    .wait(unparked)
                    .unwrap_or_else(|poison| poison.into_inner()),
            };
        }
        *unparked = false;
    }
}

/// A driver fired by a plain thread: `fire_due_timers`, park for `begin_park`'s timeout or until
/// unparked, repeat.
pub struct DriverLoop {
    driver: Arc<Driver>,
    stop: Arc<AtomicBool>,
    parker: Arc<Parker>,
    thread: Option<JoinHandle<()>>,
    /// How many times the loop woke up (for diagnostics only).
    pub wakeups: Arc<AtomicUsize>,
}

impl DriverLoop {
    pub fn start() -> DriverLoop {
        let driver = Arc::new(Driver::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let parker = Arc::new(Parker::default());
        let wakeups = Arc::new(AtomicUsize::new(0));
        let hook_parker = Arc::clone(&parker);
        driver
            .handle()
            .new_unpark_hook(Arc::new(move || hook_parker.unpark()));
        let thread = {
            let (driver, stop, parker, wakeups) = (
                Arc::clone(&driver),
                Arc::clone(&stop),
                Arc::clone(&parker),
                Arc::clone(&wakeups),
            );
            std::thread::Builder::new()
                .name("timer-driver-loop".into())
                .spawn(move || {
                    let _entered = driver.handle().enter();
                    while !stop.load(Ordering::Acquire) {
                        driver.fire_due_timers();
                        let timeout = driver.begin_park();
                        parker.park(timeout, &stop);
                        driver.end_park();
                        wakeups.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .expect("spawn the driver loop thread")
        };
        DriverLoop {
            driver,
            stop,
            parker,
            thread: Some(thread),
            wakeups,
        }
    }

    pub fn handle(&self) -> Handle {
        self.driver.handle()
    }

    pub fn driver(&self) -> &Driver {
        &self.driver
    }
}

impl Drop for DriverLoop {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.parker.unpark();
        if let Some(thread) = self.thread.take() {
            let joined = thread.join();
            if joined.is_err() && !std::thread::panicking() {
                panic!("the driver loop thread panicked");
            }
        }
    }
}

/// A waker that counts its wakes and can be waited on.
#[derive(Default)]
pub struct CountingWaker {
    wakes: Mutex<usize>,
    condvar: Condvar,
}

impl CountingWaker {
    pub fn new() -> Arc<CountingWaker> {
        Arc::new(CountingWaker::default())
    }

    pub fn count(&self) -> usize {
        *self
            .wakes
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Blocks until woken at least `count` times; a generous limit turns a hang into a
    /// failure instead of a stuck test.
    pub fn wait_for(&self, count: usize) {
        let wakes = self
            .wakes
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let (wakes, _) = self
            .condvar
            .wait_timeout_while(wakes, Duration::from_secs(60), |wakes| *wakes < count)
            .unwrap_or_else(|poison| poison.into_inner());
        assert!(*wakes >= count, "woken {} times, expected {count}", *wakes);
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self
            .wakes
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) += 1;
        self.condvar.notify_all();
    }
}

/// Polls `future` once with `waker`.
pub fn poll_once<F: std::future::Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    let mut cx = Context::from_waker(waker);
    std::pin::Pin::new(future).poll(&mut cx)
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_noop<F: std::future::Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_once(future, Waker::noop())
}

/// The message of a caught panic.
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => (*message).to_string(),
            Err(_) => "<non-string panic>".to_string(),
        },
    }
}

/// Runs `f`, expecting a panic, and returns its message.
pub fn expect_panic<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> String {
    match std::panic::catch_unwind(f) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload),
    }
}

/// splitmix64: a deterministic generator for random deadlines.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound.max(1)
    }
}

/// Runs `scenario` on its own thread and fails the test if it does not finish within
/// 30 s: a deadlocked driver would otherwise hang the test run.
pub fn within_deadline<T: Send + 'static>(scenario: impl FnOnce() -> T + Send + 'static) -> T {
    let limit = Duration::from_secs(30);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scenario));
        let _ = done_tx.send(outcome);
    });
    match done_rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            thread.join().expect("scenario thread");
            value
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the scenario hung for {limit:?}"),
    }
}
