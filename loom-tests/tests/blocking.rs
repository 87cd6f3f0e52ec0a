//! Models of the blocking pool (`executor/src/blocking/pool.rs`) racing runtime
//! shutdown: the real `Spawner`, its accounting, its loom threads and its shutdown,
//! over the channel stand-in (`channel_seam.rs`: a loom mutex, `VecDeque` and condvar
//! with crossbeam-channel's method names), inside a real current-thread `Runtime`
//! (the smallest runtime that owns a pool: no worker threads to add interleavings;
//! the multi-thread runtime shuts its pool down through the same `Spawner::shutdown`).
//!
//! What it proves, for every interleaving at two preemptions: a `spawn_blocking` made
//! from another thread while the runtime is dropped either runs its closure exactly
//! once (and the `JoinHandle` returns its value) or drops it unrun (and the handle
//! reports a cancellation), never both, never neither; the closure is dropped exactly
//! once; and shutdown waits for the pool thread it started without deadlocking with
//! it. A hang shows as a loom deadlock.
//!
//! loom has no time, so the pool threads' keep-alive timeout never fires here; a
//! thread leaves only when shutdown disconnects the queue.

#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use spindle_executor::runtime::Builder;
use spindle_loom_tests::{model, poll_noop};

/// Counts its drops, so a model can assert a closure is dropped exactly once.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn spawn_blocking_racing_shutdown_runs_or_cancels_exactly_once() {
    // Outcomes seen over the whole exploration: both must occur, or the model never
    // reached the race it is about.
    static RAN: AtomicUsize = AtomicUsize::new(0);
    static CANCELLED: AtomicUsize = AtomicUsize::new(0);
    model(
        "spawn_blocking_racing_shutdown_runs_or_cancels_exactly_once",
        || {
            let runs = Arc::new(AtomicUsize::new(0));
            let drops = Arc::new(AtomicUsize::new(0));
            let rt = Builder::new_current_thread()
                .slow_poll_threshold(None)
                .build()
                .expect("a runtime without IO builds under loom");
            let handle = rt.handle().clone();
            let spawner = {
                let (runs, guard) = (runs.clone(), DropCounter(drops.clone()));
                loom::thread::spawn(move || {
                    handle.spawn_blocking(move || {
                        let _guard = guard;
                        runs.fetch_add(1, Ordering::SeqCst);
                        5
                    })
                })
            };
            drop(rt);
            let mut join = spawner.join().expect("the spawning thread does not panic");
            // Everything is settled: the runtime waited for its pool thread, and a
            // spawn after shutdown is cancelled on the spot.
            let outcome = match poll_noop(&mut join) {
                std::task::Poll::Ready(outcome) => outcome,
                std::task::Poll::Pending => {
                    panic!("a blocking task was lost: neither run nor cancelled")
                }
            };
            match outcome {
                Ok(value) => {
                    assert_eq!(value, 5);
                    assert_eq!(runs.load(Ordering::SeqCst), 1, "ran once");
                    RAN.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    assert!(error.is_cancelled(), "cancelled, not panicked: {error}");
                    assert_eq!(runs.load(Ordering::SeqCst), 0, "cancelled unrun");
                    CANCELLED.fetch_add(1, Ordering::Relaxed);
                }
            }
            assert_eq!(drops.load(Ordering::SeqCst), 1, "the closure dropped once");
        },
    );
    let (ran, cancelled) = (
        RAN.load(Ordering::Relaxed),
        CANCELLED.load(Ordering::Relaxed),
    );
    assert!(ran > 0 && cancelled > 0, "ran {ran}, cancelled {cancelled}");
    eprintln!("  ran in {ran} interleavings, cancelled in {cancelled}");
}
