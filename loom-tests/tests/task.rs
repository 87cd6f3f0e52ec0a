//! Models of the task state word and harness (`executor/src/task/`): real task cells,
//! real wakers, `JoinHandle` and `AbortHandle`, on `loom_hooks::TestScheduler`, whose
//! run queue is a loom `Mutex<VecDeque>` standing in for crossbeam's deques.
//!
//! What they prove, for every interleaving at two preemptions:
//! - a wake that lands while the task is being polled is never lost: the runner sees
//!   `NOTIFIED` at `transition_to_idle` and queues the task again;
//! - a waker that outlives its task (woken or dropped after completion, possibly as
//!   the very last reference) frees the cell exactly once, and one dropped while the
//!   run its own wake caused is in progress keeps the count exact;
//! - abort racing completion gives exactly one outcome: the output, or a cancelled
//!   `JoinError` with the future dropped unpolled-to-completion, and the future is
//!   dropped exactly once either way;
//! - dropping the `JoinHandle` while the task completes drops the output exactly once
//!   (by whichever side gets it) and drops the join waker the handle stored;
//! - a `JoinHandle` polled while the task completes is either ready or woken;
//! - runtime shutdown (close the owned list, cancel, drain the queue) racing a wake
//!   cancels the idle task once, and the late `Notified` is dropped harmlessly.
//!
//! Every model ends with `cells_freed() == 1`: a leaked or doubly freed cell fails it.

#![cfg(loom)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use spindle_executor::loom_hooks::TestScheduler;
use spindle_loom_tests::{model, poll_noop, poll_once, CountingWaker};

/// Counts its drops, so a model can assert a future or an output is dropped once.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Ready once `ready` is set; otherwise parks its waker in `slot` (before checking the
/// flag, so a setter that then looks in the slot cannot miss it) and is pending.
struct WaitForFlag {
    ready: Arc<AtomicBool>,
    slot: Arc<Mutex<Option<Waker>>>,
    _drops: DropCounter,
}

impl Future for WaitForFlag {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        if self.ready.load(Ordering::SeqCst) {
            Poll::Ready(42)
        } else {
            Poll::Pending
        }
    }
}

/// Pending once (waking itself, as `yield_now` does), then ready.
struct YieldOnce {
    yielded: bool,
    _drops: DropCounter,
}

impl Future for YieldOnce {
    type Output = DropCounter;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<DropCounter> {
        if self.yielded {
            let counter = self._drops.0.clone();
            return Poll::Ready(DropCounter(counter));
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn wake_while_running_is_not_lost() {
    model("wake_while_running_is_not_lost", || {
        let scheduler = TestScheduler::new();
        let ready = Arc::new(AtomicBool::new(false));
        let slot = Arc::new(Mutex::new(None::<Waker>));
        let drops = Arc::new(AtomicUsize::new(0));
        let mut join = scheduler.spawn(WaitForFlag {
            ready: ready.clone(),
            slot: slot.clone(),
            _drops: DropCounter(drops.clone()),
        });

        let waker_slot = slot.clone();
        let waker_thread = loom::thread::spawn(move || {
            ready.store(true, Ordering::SeqCst);
            let waker = waker_slot.lock().unwrap().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        scheduler.run_one();
        waker_thread.join().unwrap();
        scheduler.run_until_idle();
        drop(slot.lock().unwrap().take());

        // Whichever order: the poll saw the flag, or the wake queued the task again.
        assert_eq!(poll_noop(&mut join).map(Result::unwrap), Poll::Ready(42));
        assert_eq!(drops.load(Ordering::SeqCst), 1, "future dropped once");
        drop(join);
        scheduler.shutdown();
        assert_eq!(scheduler.cells_freed(), 1);
    });
}

#[test]
fn waker_outliving_its_task_frees_the_cell_exactly_once() {
    model(
        "waker_outliving_its_task_frees_the_cell_exactly_once",
        || {
            let scheduler = TestScheduler::new();
            let ready = Arc::new(AtomicBool::new(true));
            let slot = Arc::new(Mutex::new(None::<Waker>));
            let drops = Arc::new(AtomicUsize::new(0));
            let join = scheduler.spawn(WaitForFlag {
                ready,
                slot: slot.clone(),
                _drops: DropCounter(drops.clone()),
            });
            drop(join); // detached: the wakers and the owned list are the only references
            scheduler.run_one(); // completes, leaving its waker in the slot
            let waker = slot
                .lock()
                .unwrap()
                .take()
                .expect("the poll stored a waker");
            let clone = waker.clone();

            let by_val = loom::thread::spawn(move || waker.wake());
            let by_drop = loom::thread::spawn(move || {
                clone.wake_by_ref();
                drop(clone);
            });
            by_val.join().unwrap();
            by_drop.join().unwrap();

            assert_eq!(
                scheduler.queued(),
                0,
                "a complete task is never queued again"
            );
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert_eq!(scheduler.cells_freed(), 1, "the last waker freed the cell");
            scheduler.shutdown();
            assert_eq!(scheduler.cells_freed(), 1);
        },
    );
}

#[test]
fn waker_dropped_while_its_wake_runs_the_task_keeps_the_count_exact() {
    model(
        "waker_dropped_while_its_wake_runs_the_task_keeps_the_count_exact",
        || {
            let scheduler = TestScheduler::new();
            let ready = Arc::new(AtomicBool::new(false));
            let slot = Arc::new(Mutex::new(None::<Waker>));
            let drops = Arc::new(AtomicUsize::new(0));
            let join = scheduler.spawn(WaitForFlag {
                ready: ready.clone(),
                slot: slot.clone(),
                _drops: DropCounter(drops.clone()),
            });
            drop(join);
            scheduler.run_one(); // pending, waker stored
            let waker = slot
                .lock()
                .unwrap()
                .take()
                .expect("the poll stored a waker");

            let cloner = loom::thread::spawn(move || {
                let clone = waker.clone();
                ready.store(true, Ordering::SeqCst);
                clone.wake();
                drop(waker);
            });
            scheduler.run_until_idle();
            cloner.join().unwrap();
            scheduler.run_until_idle();
            // The second poll (if it ran) stored a new waker; release it too.
            drop(slot.lock().unwrap().take());

            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert_eq!(
                scheduler.live_tasks(),
                0,
                "the woken task ran to completion"
            );
            assert_eq!(scheduler.cells_freed(), 1);
            scheduler.shutdown();
        },
    );
}

#[test]
fn abort_racing_completion_has_exactly_one_outcome() {
    model("abort_racing_completion_has_exactly_one_outcome", || {
        let scheduler = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let mut join = scheduler.spawn(YieldOnce {
            yielded: false,
            _drops: DropCounter(drops.clone()),
        });
        let abort = join.abort_handle();

        let aborter = loom::thread::spawn(move || abort.abort());
        scheduler.run_until_idle();
        aborter.join().unwrap();
        scheduler.run_until_idle();

        let Poll::Ready(result) = poll_noop(&mut join) else {
            panic!("an aborted or completed task is finished");
        };
        match result {
            // Completed: the future and, once dropped here, its output.
            Ok(output) => {
                assert_eq!(drops.load(Ordering::SeqCst), 1);
                drop(output);
                assert_eq!(drops.load(Ordering::SeqCst), 2);
            }
            // Cancelled: the future was dropped, no output was ever made.
            Err(error) => {
                assert!(error.is_cancelled());
                assert_eq!(drops.load(Ordering::SeqCst), 1);
            }
        }
        drop(join);
        scheduler.shutdown();
        assert_eq!(scheduler.cells_freed(), 1);
    });
}

#[test]
fn join_handle_drop_racing_completion_drops_output_and_join_waker_once() {
    model(
        "join_handle_drop_racing_completion_drops_output_and_join_waker_once",
        || {
            let scheduler = TestScheduler::new();
            let drops = Arc::new(AtomicUsize::new(0));
            let mut join = scheduler.spawn(YieldOnce {
                yielded: false,
                _drops: DropCounter(drops.clone()),
            });
            // The handle registers a join waker, so the race covers `JOIN_WAKER` too.
            let (counter, waker) = CountingWaker::new();
            assert!(poll_once(&mut join, &waker).is_pending());
            drop(waker);

            let dropper = loom::thread::spawn(move || drop(join));
            scheduler.run_until_idle();
            dropper.join().unwrap();

            assert_eq!(
                drops.load(Ordering::SeqCst),
                2,
                "future and output, once each"
            );
            assert_eq!(
                std::sync::Arc::strong_count(&counter),
                1,
                "the stored join waker was dropped"
            );
            scheduler.shutdown();
            assert_eq!(scheduler.cells_freed(), 1);
        },
    );
}

#[test]
fn join_handle_dropped_unpolled_racing_completion_drops_output_and_cell_once() {
    // No join waker: the handle may leave with its one-step fast path, or find the
    // task complete and drop the output itself.
    model(
        "join_handle_dropped_unpolled_racing_completion_drops_output_and_cell_once",
        || {
            let scheduler = TestScheduler::new();
            let drops = Arc::new(AtomicUsize::new(0));
            let join = scheduler.spawn(YieldOnce {
                yielded: false,
                _drops: DropCounter(drops.clone()),
            });

            let dropper = loom::thread::spawn(move || drop(join));
            scheduler.run_until_idle();
            dropper.join().unwrap();

            assert_eq!(
                drops.load(Ordering::SeqCst),
                2,
                "future and output, once each"
            );
            scheduler.shutdown();
            assert_eq!(scheduler.cells_freed(), 1);
        },
    );
}

#[test]
fn join_handle_polled_during_completion_is_ready_or_woken() {
    model(
        "join_handle_polled_during_completion_is_ready_or_woken",
        || {
            let scheduler = TestScheduler::new();
            let drops = Arc::new(AtomicUsize::new(0));
            let mut join = scheduler.spawn(YieldOnce {
                yielded: false,
                _drops: DropCounter(drops.clone()),
            });

            let joiner = loom::thread::spawn(move || {
                let (counter, waker) = CountingWaker::new();
                let first = poll_once(&mut join, &waker).is_ready();
                (join, counter, first)
            });
            scheduler.run_until_idle();
            let (mut join, counter, first_was_ready) = joiner.join().unwrap();

            if !first_was_ready {
                assert_eq!(counter.wakes(), 1, "completion woke the waiting handle");
                assert!(poll_noop(&mut join).is_ready());
            }
            drop(join);
            scheduler.shutdown();
            assert_eq!(drops.load(Ordering::SeqCst), 2);
            assert_eq!(scheduler.cells_freed(), 1);
        },
    );
}

#[test]
fn shutdown_racing_a_wake_cancels_the_task_once() {
    model("shutdown_racing_a_wake_cancels_the_task_once", || {
        let scheduler = TestScheduler::new();
        let slot = Arc::new(Mutex::new(None::<Waker>));
        let drops = Arc::new(AtomicUsize::new(0));
        let mut join = scheduler.spawn(WaitForFlag {
            ready: Arc::new(AtomicBool::new(false)),
            slot: slot.clone(),
            _drops: DropCounter(drops.clone()),
        });
        scheduler.run_one(); // idle on its waker

        let waker_thread = loom::thread::spawn(move || {
            let waker = slot.lock().unwrap().take();
            waker.expect("the poll stored a waker").wake();
        });
        scheduler.shutdown();
        waker_thread.join().unwrap();
        scheduler.run_until_idle();

        let Poll::Ready(Err(error)) = poll_noop(&mut join) else {
            panic!("shutdown cancels a task that never became ready");
        };
        assert!(error.is_cancelled());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(join);
        assert_eq!(scheduler.cells_freed(), 1);
    });
}
