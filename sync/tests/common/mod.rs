//! Helpers shared by the integration tests: wakers that count their wake-ups, and a
//! way to poll a future exactly once.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker plus a handle to read its wake count.
pub struct Counter {
    inner: Arc<CountingWaker>,
    pub waker: Waker,
}

impl Counter {
    pub fn new() -> Self {
        let inner = Arc::new(CountingWaker::default());
        let waker = Waker::from(Arc::clone(&inner));
        Counter { inner, waker }
    }

    pub fn wakes(&self) -> usize {
        self.inner.wakes.load(Ordering::SeqCst)
    }

    pub fn was_woken(&self) -> bool {
        self.wakes() > 0
    }

    /// Polls `future` once with this waker.
    pub fn poll<F: Future + Unpin>(&self, future: &mut F) -> Poll<F::Output> {
        let mut cx = Context::from_waker(&self.waker);
        Pin::new(future).poll(&mut cx)
    }
}

/// Polls `future` once with a no-op waker.
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    Pin::new(future).poll(&mut cx)
}
