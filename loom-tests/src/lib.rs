//! loom models of spindle's atomic protocols; the models live in `tests/`, one file a
//! protocol, each gated on `cfg(loom)` so that a normal `cargo test --workspace` builds
//! them away. See `README.md` for the command and what each model proves.
//!
//! This library holds only the helpers the models share: `model`, which runs loom and
//! reports how many interleavings it explored, polling a future once by hand, and a
//! waker that counts its wakes so a model can tell "woken" from "lost".
//!
//! ```
//! use spindle_loom_tests::CountingWaker;
//!
//! let (counter, waker) = CountingWaker::new();
//! waker.wake_by_ref();
//! assert_eq!(counter.wakes(), 1);
//! ```

#![deny(missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts how often it was woken. It is std-`Arc` based (a `Waker` must
/// be), and its counter is a plain atomic: models read it only after joining the
/// threads that wake it, so the join orders every access.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A fresh counter and a `Waker` that bumps it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    /// How many times a waker of this counter was woken.
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

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_noop<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_once(future, Waker::noop())
}

/// Runs `body` under `loom::model` and prints how many interleavings loom explored
/// (visible with `--nocapture`; the README's table was made that way).
///
/// Code under test that catches panics (the task harness wraps every poll and every
/// output drop in `catch_unwind`) would also catch a failure loom raises inside it,
/// such as a causality violation on a cell, and the model could pass regardless. So a
/// panic hook counts the panics raised by loom itself on this thread, and the model
/// fails if any was raised, caught or not.
#[cfg(loom)]
pub fn model<F>(name: &str, body: F)
where
    F: Fn() + Sync + Send + 'static,
{
    install_loom_panic_counter();
    LOOM_PANICS.with(|count| count.set(0));
    let iterations = Arc::new(AtomicUsize::new(0));
    let counter = iterations.clone();
    loom::model(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        body();
    });
    eprintln!(
        "loom model {name}: {} iterations",
        iterations.load(Ordering::Relaxed)
    );
    let swallowed = LOOM_PANICS.with(|count| count.get());
    assert_eq!(
        swallowed, 0,
        "loom model {name}: loom reported {swallowed} failure(s) that the code under test \
         caught with catch_unwind; the panic messages above say which"
    );
}

#[cfg(loom)]
std::thread_local! {
    /// Panics raised from loom's own source on this OS thread (where loom runs every
    /// thread of a model).
    static LOOM_PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Chains a panic hook, once per process, that counts panics whose location is in
/// loom's runtime (`loom-*/src/rt/`), then defers to the previous hook.
#[cfg(loom)]
fn install_loom_panic_counter() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let from_loom = info.location().is_some_and(|location| {
                let file = location.file();
                file.contains("/loom-") && file.contains("/src/rt/")
            });
            if from_loom {
                let _ = LOOM_PANICS.try_with(|count| count.set(count.get() + 1));
            }
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_waker_counts_wake_and_wake_by_ref() {
        let (counter, waker) = CountingWaker::new();
        waker.wake_by_ref();
        waker.wake();
        assert_eq!(counter.wakes(), 2);
    }

    #[test]
    fn poll_once_returns_a_ready_future_output() {
        assert_eq!(poll_noop(&mut std::future::ready(7)), Poll::Ready(7));
    }
}
