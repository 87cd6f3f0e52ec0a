//! Shared by spindle-io's integration tests: a deadline for every scenario, and a
//! waker that counts its wake-ups.

#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;

/// The limit every scenario runs under; generous, it only turns a hang into a failure.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `future` to completion on `futures::executor::block_on`, on a thread of its
/// own, and fails the test if it takes longer than [`DEADLINE`] (the stuck thread is
/// leaked): a future that never wakes fails with the test's name instead of hanging.
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures::executor::block_on(future)
        }));
        let _ = done_tx.send(outcome);
    });
    match done_rx.recv_timeout(DEADLINE) {
        Ok(Ok(value)) => {
            thread.join().expect("scenario thread");
            value
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the scenario hung for {DEADLINE:?}"),
    }
}

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A new counter and a waker that bumps it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(Arc::clone(&counter));
        (counter, waker)
    }

    /// How many wake-ups so far.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}
