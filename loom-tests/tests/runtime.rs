//! Models of the whole multi-thread runtime (`executor/src/scheduler/multi_thread/`):
//! a real `Runtime` built with `Builder::new_multi_thread().worker_threads(2)`, whose
//! worker threads are loom threads running the real worker loop, `Idle`, `Parker`,
//! driver, owned list, thread-local context and shutdown. Only the queues are
//! stand-ins (`queue_seam.rs`: a loom mutex around a `VecDeque` with crossbeam's method
//! names and batch sizes), because crossbeam's lock-free deques are invisible to loom.
//! The slow-poll watchdog (a plain timing thread, not part of any protocol) is off.
//!
//! What they prove, for every interleaving at two preemptions:
//! - spawn, join and shutdown: a task spawned from outside goes through the injector,
//!   a parked worker is woken for it (or a searching one finds it), it runs once, the
//!   `block_on` waiting on its `JoinHandle` is woken with the output, and dropping the
//!   runtime stops both workers without a hang and drops the future exactly once;
//! - local queue push and steal: a task running on a worker spawns two children; the
//!   first goes to the LIFO slot, the second displaces it to the worker's local queue
//!   and wakes the sibling worker, which may steal it (steal-half) while the owner
//!   pops it. Each child runs exactly once and is dropped exactly once, whoever takes
//!   it, and both `JoinHandle`s complete. (The local queue is unbounded, as
//!   crossbeam's is, so there is no overflow to the injector to model.)
//!
//! A lost wake-up anywhere shows as a loom deadlock (every thread blocked); a task
//! run twice or never shows in the counters; a leaked task cell shows in the drop
//! counts. The counters are std atomics, read only after the runtime is dropped: the
//! model's threads share one OS thread, so they are exact and add no interleavings.

#![cfg(loom)]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use spindle_executor::runtime::{Builder, Runtime};
use spindle_loom_tests::model;

/// Counts its drops, so a model can assert a future is dropped exactly once.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The smallest runtime that has a sibling to steal: two workers, no IO, no time, no
/// watchdog thread.
fn two_worker_runtime() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(None)
        .build()
        .expect("a runtime without IO builds under loom")
}

#[test]
fn spawn_join_shutdown_runs_the_task_once_and_drops_it_once() {
    model(
        "spawn_join_shutdown_runs_the_task_once_and_drops_it_once",
        || {
            let runs = Arc::new(AtomicUsize::new(0));
            let drops = Arc::new(AtomicUsize::new(0));
            let rt = two_worker_runtime();
            let task = {
                let (runs, guard) = (runs.clone(), DropCounter(drops.clone()));
                rt.spawn(async move {
                    let _guard = guard;
                    runs.fetch_add(1, Ordering::SeqCst);
                    7
                })
            };
            assert_eq!(rt.block_on(task).expect("the task completes"), 7);
            drop(rt);
            assert_eq!(runs.load(Ordering::SeqCst), 1, "the task ran once");
            assert_eq!(drops.load(Ordering::SeqCst), 1, "its future dropped once");
        },
    );
}

#[test]
fn tasks_pushed_to_a_local_queue_run_once_whoever_takes_them() {
    // Steals seen over the whole exploration: the model must reach the race it is
    // about, not only the schedules where the owner runs both children itself.
    static STEALS: AtomicU64 = AtomicU64::new(0);
    model(
        "tasks_pushed_to_a_local_queue_run_once_whoever_takes_them",
        || {
            let runs = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
            let drops = Arc::new(AtomicUsize::new(0));
            let rt = two_worker_runtime();
            let parent = {
                let (runs, drops) = (runs.clone(), drops.clone());
                rt.spawn(async move {
                    // On a worker: the first child goes to the LIFO slot, the second
                    // pushes it to the local queue and wakes the sibling, which may
                    // steal it. Awaiting them parks this task until a child wakes it,
                    // from this worker or from the thief.
                    let mut children = Vec::new();
                    for child in 0..2 {
                        let (runs, guard) = (runs.clone(), DropCounter(drops.clone()));
                        children.push(spindle_executor::spawn(async move {
                            let _guard = guard;
                            runs[child].fetch_add(1, Ordering::SeqCst);
                            child
                        }));
                    }
                    let mut outputs = Vec::new();
                    for child in children {
                        outputs.push(child.await.expect("a child completes"));
                    }
                    outputs
                })
            };
            let outputs = rt.block_on(parent).expect("the parent completes");
            let metrics = rt.handle().metrics();
            let steals = metrics.worker_steal_count(0) + metrics.worker_steal_count(1);
            STEALS.fetch_add(steals, Ordering::Relaxed);
            drop(rt);
            assert_eq!(outputs, [0, 1]);
            for (child, runs) in runs.iter().enumerate() {
                assert_eq!(runs.load(Ordering::SeqCst), 1, "child {child} ran once");
            }
            assert_eq!(drops.load(Ordering::SeqCst), 2, "each child dropped once");
        },
    );
    assert!(
        STEALS.load(Ordering::Relaxed) > 0,
        "no explored schedule had the sibling steal"
    );
}
