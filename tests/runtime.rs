//! The executor's behaviour, as a user sees it, on both runtime flavours.
//!
//! Every test is a function of the flavour; `flavour_tests!` runs each one on the
//! multi-thread runtime (2 workers, so stealing and cross-thread wakes happen) and on
//! the current-thread runtime.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Barrier, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use spindle::runtime::{Builder, Handle, Runtime, RuntimeFlavor};
use spindle::task::{self, AbortHandle};

mod support;

use support::{panic_message, DropCounter, Flavour, GENEROUS};

flavour_tests!(
    hundred_thousand_spawned_tasks_all_complete_with_their_outputs,
    spawns_from_inside_tasks_complete,
    spawns_from_foreign_threads_through_a_handle_complete,
    abort_of_idle_task_drops_its_future_and_reports_cancelled,
    abort_during_the_tasks_own_poll_cancels_it_after_that_poll,
    abort_after_completion_keeps_the_output,
    panicking_task_reports_its_panic_and_runtime_keeps_working,
    task_id_inside_matches_join_handle_id,
    yielding_loop_does_not_starve_other_tasks,
    budget_forces_a_busy_task_to_let_others_run,
    dropping_runtime_drops_every_pending_future,
    join_handle_of_task_dropped_by_shutdown_reports_cancelled,
    spawn_after_shutdown_is_cancelled_at_once,
    dropped_join_handle_detaches_and_task_still_runs,
    thread_hooks_run_on_start_and_stop,
    blocking_pool_never_exceeds_max_blocking_threads,
    spawn_blocking_panic_comes_back_as_join_error,
    block_on_inside_a_runtime_panics_with_advice,
    handle_current_finds_the_runtime_inside_tasks,
    shutdown_timeout_returns_while_blocking_work_still_runs,
    waker_woken_from_another_thread_reschedules_the_task,
    runtime_flavor_is_reported,
    unobserved_panic_is_ignored_by_default,
    unobserved_panic_shuts_the_runtime_down_when_asked,
);

fn unobserved_panic_is_ignored_by_default(flavour: Flavour) {
    let rt = flavour.runtime();
    let after = rt.block_on(async {
        let (done_tx, done_rx) = spindle::sync::oneshot::channel::<()>();
        drop(spindle::spawn(async move {
            let _done = done_tx; // dropped by the unwinding, which closes the channel
            panic!("nobody awaits this task");
        }));
        let _ = done_rx.await;
        spindle::spawn(async { "still running" }).await.unwrap()
    });
    assert_eq!(after, "still running");
}

fn unobserved_panic_shuts_the_runtime_down_when_asked(flavour: Flavour) {
    let rt = flavour
        .builder()
        .unhandled_panic(spindle::runtime::UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async move {
            spindle::spawn(async move {
                let _counter = counter;
                std::future::pending::<()>().await;
            });
            drop(spindle::spawn(async { panic!("nobody awaits this task") }));
            // Without the shutdown, this would wait forever.
            std::future::pending::<()>().await
        })
    }));
    let message = panic_message(outcome.expect_err("block_on must panic"));
    assert!(
        message.contains("UnhandledPanic::ShutdownRuntime"),
        "{message}"
    );
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1, "the other task was cancelled");
}

fn hundred_thousand_spawned_tasks_all_complete_with_their_outputs(flavour: Flavour) {
    let rt = flavour.runtime();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|n| spindle::spawn(async move { n * 2 }))
            .collect();
        let mut sum = 0u64;
        for (n, handle) in handles.into_iter().enumerate() {
            let output = handle.await.expect("task completes");
            assert_eq!(output, n as u64 * 2);
            sum += output;
        }
        sum
    });
    assert_eq!(sum, 99_999 * 100_000);
    assert_eq!(rt.handle().num_alive_tasks(), 0);
}

fn spawns_from_inside_tasks_complete(flavour: Flavour) {
    let rt = flavour.runtime();
    let total = rt.block_on(async {
        let outer = spindle::spawn(async {
            let inner: Vec<_> = (0..100u32)
                .map(|n| spindle::spawn(async move { n }))
                .collect();
            let mut total = 0;
            for handle in inner {
                total += handle.await.unwrap();
            }
            total
        });
        outer.await.unwrap()
    });
    assert_eq!(total, 4950);
}

fn spawns_from_foreign_threads_through_a_handle_complete(flavour: Flavour) {
    let rt = flavour.runtime();
    let handle = rt.handle().clone();
    let threads: Vec<_> = (0..4u32)
        .map(|thread| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                (0..250u32)
                    .map(|n| handle.spawn(async move { thread * 1000 + n }))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let join_handles: Vec<_> = threads
        .into_iter()
        .flat_map(|thread| thread.join().expect("spawning thread"))
        .collect();
    let outputs = rt.block_on(async {
        let mut outputs = Vec::new();
        for handle in join_handles {
            outputs.push(handle.await.unwrap());
        }
        outputs
    });
    assert_eq!(outputs.len(), 1000);
    for thread in 0..4u32 {
        for n in 0..250u32 {
            assert!(outputs.contains(&(thread * 1000 + n)));
        }
    }
}

fn abort_of_idle_task_drops_its_future_and_reports_cancelled(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let error = rt.block_on(async move {
        let (started_tx, started_rx) = spindle::sync::oneshot::channel::<()>();
        let handle = spindle::spawn(async move {
            let _counter = counter;
            let _ = started_tx.send(());
            std::future::pending::<()>().await;
        });
        started_rx.await.expect("task started");
        handle.abort();
        handle.await.unwrap_err()
    });
    assert!(error.is_cancelled());
    assert!(!error.is_panic());
    assert_eq!(drops.load(SeqCst), 1);
}

/// Polls once: aborts itself through the handle it was given, then returns Pending.
struct AbortsItselfDuringPoll {
    abort: Arc<Mutex<Option<AbortHandle>>>,
    polls: Arc<AtomicUsize>,
    _counter: DropCounter,
}

impl Future for AbortsItselfDuringPoll {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, SeqCst);
        if let Some(abort) = self.abort.lock().unwrap().take() {
            abort.abort();
        }
        // Even a wake must not get this future polled again once it is cancelled.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn abort_during_the_tasks_own_poll_cancels_it_after_that_poll(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let polls = Arc::new(AtomicUsize::new(0));
    let slot = Arc::new(Mutex::new(None));
    let future = AbortsItselfDuringPoll {
        abort: slot.clone(),
        polls: polls.clone(),
        _counter: DropCounter(drops.clone()),
    };
    let error = rt.block_on(async {
        // The task cannot poll past the lock until its abort handle is in place.
        let handle = {
            let mut guard = slot.lock().unwrap();
            let handle = spindle::spawn(future);
            *guard = Some(handle.abort_handle());
            handle
        };
        handle.await.unwrap_err()
    });
    assert!(error.is_cancelled());
    assert_eq!(
        polls.load(SeqCst),
        1,
        "a cancelled future is never polled again"
    );
    assert_eq!(drops.load(SeqCst), 1);
}

fn abort_after_completion_keeps_the_output(flavour: Flavour) {
    let rt = flavour.runtime();
    let output = rt.block_on(async {
        let (done_tx, done_rx) = spindle::sync::oneshot::channel();
        let handle = spindle::spawn(async move {
            let _ = done_tx.send(());
            7
        });
        done_rx.await.unwrap();
        while !handle.is_finished() {
            task::yield_now().await;
        }
        handle.abort();
        handle.await
    });
    assert_eq!(output.unwrap(), 7);
}

fn panicking_task_reports_its_panic_and_runtime_keeps_working(flavour: Flavour) {
    let rt = flavour.builder().worker_threads(1).build().unwrap();
    let (error, later) = rt.block_on(async {
        let error = spindle::spawn(async {
            panic!("task failed on purpose");
        })
        .await
        .unwrap_err();
        let later = spindle::spawn(async { "still working" }).await.unwrap();
        (error, later)
    });
    assert!(error.is_panic());
    assert!(error.to_string().contains("task failed on purpose"));
    let payload = error.into_panic();
    assert_eq!(
        *payload.downcast::<&str>().unwrap(),
        "task failed on purpose"
    );
    assert_eq!(later, "still working");
}

fn task_id_inside_matches_join_handle_id(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let handle = spindle::spawn(async { task::id() });
        let outside_id = handle.id();
        assert_eq!(handle.await.unwrap(), outside_id);
        assert!(
            task::try_id().is_none(),
            "block_on's own future is not a task"
        );
    });
}

fn yielding_loop_does_not_starve_other_tasks(flavour: Flavour) {
    let rt = flavour.builder().worker_threads(1).build().unwrap();
    let observed = rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let spinner_flag = flag.clone();
        let spinner = spindle::spawn(async move {
            for _ in 0..1_000_000 {
                if spinner_flag.load(SeqCst) {
                    return true;
                }
                task::yield_now().await;
            }
            false
        });
        let setter = spindle::spawn(async move { flag.store(true, SeqCst) });
        setter.await.unwrap();
        spinner.await.unwrap()
    });
    assert!(observed, "the yielding task never saw the other task run");
}

fn budget_forces_a_busy_task_to_let_others_run(flavour: Flavour) {
    let rt = flavour.builder().worker_threads(1).build().unwrap();
    let observed = rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let busy_flag = flag.clone();
        let busy = spindle::spawn(async move {
            for _ in 0..1_000_000 {
                if busy_flag.load(SeqCst) {
                    return true;
                }
                // Never Pending by itself; only the budget running out yields.
                task::consume_budget().await;
            }
            false
        });
        let setter = spindle::spawn(async move { flag.store(true, SeqCst) });
        setter.await.unwrap();
        busy.await.unwrap()
    });
    assert!(observed, "the busy task was never forced to yield");
}

fn dropping_runtime_drops_every_pending_future(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        for _ in 0..1_000 {
            let counter = DropCounter(drops.clone());
            let started = started.clone();
            spindle::spawn(async move {
                let _counter = counter;
                started.fetch_add(1, SeqCst);
                std::future::pending::<()>().await;
            });
        }
        // Some tasks stay queued, never polled; their futures must be dropped too.
    });
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1_000);
}

fn join_handle_of_task_dropped_by_shutdown_reports_cancelled(flavour: Flavour) {
    let rt = flavour.runtime();
    let handle = rt.spawn(std::future::pending::<()>());
    drop(rt);
    let error = futures::executor::block_on(handle).unwrap_err();
    assert!(error.is_cancelled());
    // As an io::Error it must not read as `Interrupted`, which IO loops retry forever.
    let io_error = std::io::Error::from(error);
    assert_eq!(io_error.kind(), std::io::ErrorKind::Other);
    assert!(io_error.to_string().contains("cancelled"), "{io_error}");
}

fn spawn_after_shutdown_is_cancelled_at_once(flavour: Flavour) {
    let rt = flavour.runtime();
    let handle = rt.handle().clone();
    drop(rt);
    assert!(handle.is_shut_down());
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let join = handle.spawn(async move {
        let _counter = counter;
    });
    assert_eq!(drops.load(SeqCst), 1, "the future was dropped, not kept");
    assert!(futures::executor::block_on(join)
        .unwrap_err()
        .is_cancelled());
}

fn dropped_join_handle_detaches_and_task_still_runs(flavour: Flavour) {
    let rt = flavour.runtime();
    let received = rt.block_on(async {
        let (tx, rx) = spindle::sync::oneshot::channel();
        drop(spindle::spawn(async move {
            task::yield_now().await;
            let _ = tx.send("ran");
        }));
        rx.await
    });
    assert_eq!(received.unwrap(), "ran");
}

fn thread_hooks_run_on_start_and_stop(flavour: Flavour) {
    let starts = Arc::new(AtomicUsize::new(0));
    let stops = Arc::new(AtomicUsize::new(0));
    let (parked_tx, parked_rx) = mpsc::channel();
    let parked_tx = Mutex::new(parked_tx);
    let rt = {
        let starts = starts.clone();
        let stops = stops.clone();
        flavour
            .builder()
            .on_thread_start(move || {
                starts.fetch_add(1, SeqCst);
            })
            .on_thread_stop(move || {
                stops.fetch_add(1, SeqCst);
            })
            .on_thread_park(move || {
                let _ = parked_tx.lock().unwrap().send(());
            })
            .build()
            .unwrap()
    };
    // A blocking task starts a thread on either flavour.
    rt.block_on(async {
        spindle::task::spawn_blocking(|| ()).await.unwrap();
        // An idle runtime parks; on current-thread, block_on parks while it waits.
        let (tx, rx) = spindle::sync::oneshot::channel();
        std::thread::spawn(move || {
            parked_rx
                .recv_timeout(GENEROUS)
                .expect("a runtime thread parked");
            let _ = tx.send(());
        });
        rx.await.unwrap();
    });
    // Shutdown waits for every runtime thread, so after the drop all hooks have run.
    drop(rt);
    let started = starts.load(SeqCst);
    let expected_minimum = match flavour {
        Flavour::MultiThread => 3, // two workers and one blocking thread
        Flavour::CurrentThread => 1,
    };
    assert!(
        started >= expected_minimum,
        "only {started} threads started"
    );
    assert_eq!(stops.load(SeqCst), started, "every started thread stopped");
}

fn blocking_pool_never_exceeds_max_blocking_threads(flavour: Flavour) {
    const CAP: usize = 3;
    const JOBS: usize = 10;
    let rt = flavour.builder().max_blocking_threads(CAP).build().unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let max_running = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let (started_tx, started_rx) = mpsc::channel();
    let handles: Vec<_> = (0..JOBS)
        .map(|job| {
            let running = running.clone();
            let max_running = max_running.clone();
            let gate = gate.clone();
            let started_tx = started_tx.clone();
            rt.spawn_blocking(move || {
                let now = running.fetch_add(1, SeqCst) + 1;
                max_running.fetch_max(now, SeqCst);
                let _ = started_tx.send(job);
                let (open, condvar) = &*gate;
                let mut open = open.lock().unwrap();
                while !*open {
                    open = condvar.wait(open).unwrap();
                }
                running.fetch_sub(1, SeqCst);
                job
            })
        })
        .collect();
    for _ in 0..CAP {
        started_rx
            .recv_timeout(GENEROUS)
            .expect("a blocking job started");
    }
    // The first CAP jobs hold every thread at the gate: the rest must be queued.
    assert_eq!(rt.handle().num_blocking_threads(), CAP);
    assert_eq!(rt.handle().blocking_queue_depth(), JOBS - CAP);
    {
        let (open, condvar) = &*gate;
        *open.lock().unwrap() = true;
        condvar.notify_all();
    }
    let outputs = rt.block_on(async {
        let mut outputs = Vec::new();
        for handle in handles {
            outputs.push(handle.await.unwrap());
        }
        outputs
    });
    assert_eq!(outputs, (0..JOBS).collect::<Vec<_>>());
    assert!(max_running.load(SeqCst) <= CAP);
    assert!(rt.handle().num_blocking_threads() <= CAP);
}

fn spawn_blocking_panic_comes_back_as_join_error(flavour: Flavour) {
    let rt = flavour.runtime();
    let error = rt
        .block_on(rt.spawn_blocking(|| panic!("blocking work failed")))
        .unwrap_err();
    assert!(error.is_panic());
    let after = rt.block_on(rt.spawn_blocking(|| 5)).unwrap();
    assert_eq!(after, 5, "the pool still runs work after a panic");
}

fn block_on_inside_a_runtime_panics_with_advice(flavour: Flavour) {
    let rt = flavour.runtime();
    let inner = Runtime::new().unwrap();
    let message = rt.block_on(async {
        let caught = panic::catch_unwind(AssertUnwindSafe(|| inner.block_on(async {})));
        panic_message(caught.expect_err("nested block_on must panic"))
    });
    assert!(message.contains("inside a spindle runtime"), "{message}");
    assert!(message.contains("spawn_blocking"), "{message}");
}

fn handle_current_finds_the_runtime_inside_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let flavor = rt.block_on(async {
        spindle::spawn(async { Handle::current().runtime_flavor() })
            .await
            .unwrap()
    });
    assert_eq!(flavor, rt.handle().runtime_flavor());
}

fn shutdown_timeout_returns_while_blocking_work_still_runs(flavour: Flavour) {
    let rt = flavour.runtime();
    let release = Arc::new(Barrier::new(2));
    let (started_tx, started_rx) = mpsc::channel();
    let job_release = release.clone();
    let _job = rt.spawn_blocking(move || {
        let _ = started_tx.send(());
        job_release.wait();
    });
    started_rx
        .recv_timeout(GENEROUS)
        .expect("blocking job started");
    rt.shutdown_timeout(Duration::from_millis(10));
    // Reaching this line is the behaviour: shutdown did not wait for the job.
    release.wait();
}

fn waker_woken_from_another_thread_reschedules_the_task(flavour: Flavour) {
    let rt = flavour.runtime();
    let output = rt.block_on(async {
        let (tx, rx) = spindle::sync::oneshot::channel();
        let receiver = spindle::spawn(async move { rx.await.unwrap() });
        std::thread::spawn(move || {
            let _ = tx.send(99);
        });
        receiver.await.unwrap()
    });
    assert_eq!(output, 99);
}

fn runtime_flavor_is_reported(flavour: Flavour) {
    let rt = flavour.runtime();
    let expected = match flavour {
        Flavour::MultiThread => RuntimeFlavor::MultiThread,
        Flavour::CurrentThread => RuntimeFlavor::CurrentThread,
    };
    assert_eq!(rt.handle().runtime_flavor(), expected);
}

#[test]
fn spawn_outside_a_runtime_panics_with_advice() {
    let caught = panic::catch_unwind(|| spindle::spawn(async {}));
    let message = panic_message(caught.expect_err("spawn outside a runtime must panic"));
    assert!(message.contains("outside a runtime"), "{message}");
    assert!(message.contains("Runtime::enter"), "{message}");
}

#[test]
fn zero_worker_threads_panics_with_advice() {
    let caught = panic::catch_unwind(|| {
        Builder::new_multi_thread().worker_threads(0);
    });
    let message = panic_message(caught.expect_err("worker_threads(0) must panic"));
    assert!(message.contains("worker_threads(0)"), "{message}");
    assert!(message.contains("new_current_thread"), "{message}");
}

#[test]
fn handle_current_outside_a_runtime_is_an_error_that_says_what_to_do() {
    let error = Handle::try_current().unwrap_err();
    assert!(error.to_string().contains("Runtime::block_on"));
}

#[test]
fn entered_runtime_lets_synchronous_code_spawn() {
    let rt = Runtime::new().unwrap();
    let handle = {
        let _guard = rt.enter();
        spindle::spawn(async { "spawned from sync code" })
    };
    assert!(
        Handle::try_current().is_err(),
        "the guard restored the old context"
    );
    assert_eq!(rt.block_on(handle).unwrap(), "spawned from sync code");
}

#[test]
fn two_threads_block_on_one_current_thread_runtime() {
    let rt = Arc::new(Builder::new_current_thread().build().unwrap());
    let (tx, rx) = spindle::sync::oneshot::channel::<u32>();
    let other = {
        let rt = rt.clone();
        std::thread::spawn(move || rt.block_on(async move { rx.await.unwrap() }))
    };
    let spawned = rt.block_on(async move {
        let task = spindle::spawn(async { 5 });
        let value = task.await.unwrap();
        let _ = tx.send(value * 2);
        value
    });
    assert_eq!(spawned, 5);
    assert_eq!(other.join().unwrap(), 10);
}
