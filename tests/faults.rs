//! Faults in user code: a panic in a future's `Drop` during shutdown, in a thread
//! hook, in a `spawn_blocking` closure or in a waker's `clone`; a future that wakes
//! itself forever; a task that blocks its worker. In every case the runtime keeps
//! serving the other tasks, loses nothing, and shuts down without hanging.
//!
//! A broken runtime would hang rather than fail, so each scenario that could hang runs
//! on its own thread under `support::within`, which fails the test instead.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle::runtime::SlowPoll;
use spindle::task;

mod support;

use support::{within, DropCounter, Flavour, GENEROUS};

flavour_tests!(
    panicking_drops_during_shutdown_do_not_stop_the_other_drops,
    panicking_thread_start_hook_leaves_the_runtime_working,
    panicking_thread_stop_hook_does_not_hang_shutdown,
    panicking_park_and_unpark_hooks_leave_the_runtime_working,
    panicking_blocking_closures_come_back_as_errors_and_drop_their_captures,
    waker_whose_clone_panics_fails_only_its_task_and_leaves_resources_working,
    future_that_wakes_itself_forever_does_not_starve_the_others,
    panic_read_by_nobody_shuts_the_runtime_down_even_if_the_task_finished_first,
);

/// Panics when dropped.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("a future's destructor panicked on purpose");
    }
}

fn panicking_drops_during_shutdown_do_not_stop_the_other_drops(flavour: Flavour) {
    const TASKS: usize = 200;
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            let (started_tx, mut started_rx) = spindle::sync::mpsc::unbounded_channel();
            for n in 0..TASKS {
                let counter = DropCounter(counted.clone());
                let started_tx = started_tx.clone();
                spindle::spawn(async move {
                    // Declared first, dropped last: the counter still counts when its
                    // neighbour's destructor panics.
                    let _counter = counter;
                    let _bomb = if n % 3 == 0 { Some(PanicsOnDrop) } else { None };
                    let _ = started_tx.send(());
                    std::future::pending::<()>().await;
                });
            }
            for _ in 0..TASKS {
                started_rx.recv().await.expect("a task started");
            }
        });
        let dropped = panic::catch_unwind(AssertUnwindSafe(move || drop(rt)));
        assert!(
            dropped.is_ok(),
            "a destructor's panic escaped the runtime's drop"
        );
    });
    assert_eq!(drops.load(SeqCst), TASKS, "every future was dropped");
}

/// Spawns a task, a blocking job and a timer on `rt` and checks that all three finish.
fn runtime_still_works(rt: &spindle::runtime::Runtime) {
    let output = rt.block_on(async {
        let spawned = spindle::spawn(async { 1 }).await.unwrap();
        let blocking = spindle::task::spawn_blocking(|| 2).await.unwrap();
        spindle::time::sleep(Duration::from_millis(1)).await;
        spawned + blocking
    });
    assert_eq!(output, 3);
}

fn panicking_thread_start_hook_leaves_the_runtime_working(flavour: Flavour) {
    let calls = Arc::new(AtomicUsize::new(0));
    let hook_calls = calls.clone();
    within(GENEROUS, move || {
        let rt = flavour
            .builder()
            .enable_all()
            .on_thread_start(move || {
                hook_calls.fetch_add(1, SeqCst);
                panic!("on_thread_start failed on purpose");
            })
            .build()
            .unwrap();
        runtime_still_works(&rt);
        drop(rt);
    });
    assert!(calls.load(SeqCst) >= 1, "the hook ran");
}

fn panicking_thread_stop_hook_does_not_hang_shutdown(flavour: Flavour) {
    let calls = Arc::new(AtomicUsize::new(0));
    let hook_calls = calls.clone();
    within(GENEROUS, move || {
        let rt = flavour
            .builder()
            .enable_all()
            .on_thread_stop(move || {
                hook_calls.fetch_add(1, SeqCst);
                panic!("on_thread_stop failed on purpose");
            })
            .build()
            .unwrap();
        runtime_still_works(&rt);
        let dropped = panic::catch_unwind(AssertUnwindSafe(move || drop(rt)));
        assert!(
            dropped.is_ok(),
            "the hook's panic escaped the runtime's drop"
        );
    });
    assert!(calls.load(SeqCst) >= 1, "the hook ran");
}

fn panicking_park_and_unpark_hooks_leave_the_runtime_working(flavour: Flavour) {
    let parks = Arc::new(AtomicUsize::new(0));
    let unparks = Arc::new(AtomicUsize::new(0));
    let (park_calls, unpark_calls) = (parks.clone(), unparks.clone());
    within(GENEROUS, move || {
        let rt = flavour
            .builder()
            .enable_all()
            .on_thread_park(move || {
                park_calls.fetch_add(1, SeqCst);
                panic!("on_thread_park failed on purpose");
            })
            .on_thread_unpark(move || {
                unpark_calls.fetch_add(1, SeqCst);
                panic!("on_thread_unpark failed on purpose");
            })
            .build()
            .unwrap();
        // Every round parks and unparks the runtime's threads (the timer is waited
        // for in the driver), so the hooks panic many times over.
        for _ in 0..5 {
            runtime_still_works(&rt);
        }
        drop(rt);
    });
    assert!(parks.load(SeqCst) >= 1, "the park hook ran");
    assert!(unparks.load(SeqCst) >= 1, "the unpark hook ran");
}

fn panicking_blocking_closures_come_back_as_errors_and_drop_their_captures(flavour: Flavour) {
    const JOBS: usize = 64;
    const CAP: usize = 4;
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = flavour.builder().max_blocking_threads(CAP).build().unwrap();
    let handles: Vec<_> = (0..JOBS)
        .map(|job| {
            let counter = DropCounter(drops.clone());
            rt.spawn_blocking(move || {
                let _counter = counter;
                if job % 2 == 0 {
                    panic!("blocking job {job} failed on purpose");
                }
                job
            })
        })
        .collect();
    let outcomes = rt.block_on(async {
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await);
        }
        outcomes
    });
    for (job, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(value) => assert_eq!(value, job),
            Err(error) => {
                assert!(job % 2 == 0, "job {job} failed without panicking");
                assert!(error.is_panic());
            }
        }
    }
    assert_eq!(
        drops.load(SeqCst),
        JOBS,
        "every closure's capture was dropped"
    );
    assert!(rt.handle().num_blocking_threads() <= CAP);
    assert_eq!(rt.block_on(rt.spawn_blocking(|| "after")).unwrap(), "after");
}

/// A waker whose `clone` panics; waking or dropping it does nothing.
fn waker_whose_clone_panics() -> Waker {
    fn clone(_: *const ()) -> RawWaker {
        panic!("a waker's clone panicked on purpose");
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    // SAFETY: every vtable function ignores the data pointer, which is never read.
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

/// Polls `future` once with a waker whose `clone` panics, and returns whether the
/// poll panicked; the future is dropped afterwards, as a task that unwound drops it.
fn poll_once_with_panicking_clone<F: Future>(future: F) -> bool {
    let waker = waker_whose_clone_panics();
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(&waker);
    panic::catch_unwind(AssertUnwindSafe(|| {
        let _ = future.as_mut().poll(&mut cx);
    }))
    .is_err()
}

fn waker_whose_clone_panics_fails_only_its_task_and_leaves_resources_working(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            // A contended async mutex: the bad poll would queue as a waiter.
            let mutex = Arc::new(spindle::sync::Mutex::new(0u32));
            let guard = mutex.clone().lock_owned().await;
            let bad_mutex = mutex.clone();
            let bad = spindle::spawn(async move {
                if poll_once_with_panicking_clone(bad_mutex.lock()) {
                    panic!("the clone panic reached the task");
                }
            });
            assert!(bad.await.unwrap_err().is_panic(), "the bad task failed");
            let good_mutex = mutex.clone();
            let good = spindle::spawn(async move { *good_mutex.lock().await += 1 });
            spindle::task::yield_now().await;
            drop(guard);
            good.await.unwrap();
            assert_eq!(*mutex.lock().await, 1, "the waiter behind got the lock");

            // A sleep registers its waker with the timer wheel.
            assert!(poll_once_with_panicking_clone(spindle::time::sleep(
                Duration::from_secs(60)
            )));
            spindle::time::sleep(Duration::from_millis(1)).await;

            // A oneshot receiver and a Notify.
            let (tx, rx) = spindle::sync::oneshot::channel::<u8>();
            let mut rx = Box::pin(rx);
            assert!(poll_once_with_panicking_clone(rx.as_mut()));
            tx.send(7).unwrap();
            assert_eq!(rx.await.unwrap(), 7);
            let notify = Arc::new(spindle::sync::Notify::new());
            assert!(poll_once_with_panicking_clone(notify.notified()));
            let waiter = {
                let notify = notify.clone();
                spindle::spawn(async move { notify.notified().await })
            };
            spindle::task::yield_now().await;
            notify.notify_waiters();
            notify.notify_one();
            waiter.await.unwrap();

            // A socket read registers with the reactor.
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let mut client = TcpStream::connect(address).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let mut buffer = [0u8; 4];
            assert!(poll_once_with_panicking_clone(server.read(&mut buffer)));
            client.write_all(b"ping").await.unwrap();
            server.read_exact(&mut buffer).await.unwrap();
            assert_eq!(&buffer, b"ping");

            // A JoinHandle stores its waker in the task cell.
            let (release_tx, release_rx) = spindle::sync::oneshot::channel::<()>();
            let mut joined = spindle::spawn(async move {
                let _ = release_rx.await;
                5
            });
            assert!(poll_once_with_panicking_clone(&mut joined));
            let _ = release_tx.send(());
            assert_eq!(joined.await.unwrap(), 5);
        });
    });
}

/// Wakes itself and returns `Pending`, forever, without touching the budget.
struct WakesItselfForever {
    polls: Arc<AtomicUsize>,
}

impl Future for WakesItselfForever {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, SeqCst);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn future_that_wakes_itself_forever_does_not_starve_the_others(flavour: Flavour) {
    let polls = Arc::new(AtomicUsize::new(0));
    let spinner_polls = polls.clone();
    within(GENEROUS, move || {
        // One worker: the spinner and everyone else share one thread.
        let rt = flavour
            .builder()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let spinner = spindle::spawn(WakesItselfForever {
                polls: spinner_polls,
            });
            // Tasks, a timer and a socket all make progress beside it.
            let tasks: Vec<_> = (0..100u32)
                .map(|n| {
                    spindle::spawn(async move {
                        task::yield_now().await;
                        n
                    })
                })
                .collect();
            let mut total = 0;
            for handle in tasks {
                total += handle.await.unwrap();
            }
            assert_eq!(total, 4950);
            spindle::spawn(spindle::time::sleep(Duration::from_millis(1)))
                .await
                .unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let echo = spindle::spawn(async move {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buffer = [0u8; 4];
                stream.read_exact(&mut buffer).await.unwrap();
                stream.write_all(&buffer).await.unwrap();
            });
            let mut client = TcpStream::connect(address).await.unwrap();
            client.write_all(b"spin").await.unwrap();
            let mut buffer = [0u8; 4];
            client.read_exact(&mut buffer).await.unwrap();
            assert_eq!(&buffer, b"spin");
            echo.await.unwrap();
            spinner.abort();
            assert!(spinner.await.unwrap_err().is_cancelled());
        });
    });
    assert!(polls.load(SeqCst) > 1, "the spinner kept running meanwhile");
}

#[test]
fn task_blocking_its_worker_is_named_while_the_others_keep_running() {
    let (reports_tx, reports_rx) = mpsc::channel::<SlowPoll>();
    let reports_tx = Mutex::new(reports_tx);
    let rt = Flavour::MultiThread
        .builder()
        .enable_all()
        .slow_poll_threshold(Some(Duration::from_millis(50)))
        .on_slow_poll(move |report| {
            let _ = reports_tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap();
    let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let released = Arc::new(AtomicBool::new(false));
    let blocker_saw_release = released.clone();
    let blocker = task::Builder::new()
        .name("blocks-its-worker")
        .spawn_on(
            async move {
                blocked_tx.send(()).unwrap();
                // Deliberately blocking the worker: this is the misuse under test.
                release_rx.recv_timeout(GENEROUS).expect("released");
                blocker_saw_release.load(SeqCst)
            },
            rt.handle(),
        )
        .unwrap();
    blocked_rx
        .recv_timeout(GENEROUS)
        .expect("the blocker is blocking");
    // One worker is stuck; the other serves tasks, timers and tasks spawned by tasks.
    let total = rt.block_on(async {
        let tasks: Vec<_> = (0..1_000u64)
            .map(|n| {
                spindle::spawn(async move {
                    task::yield_now().await;
                    let inner = spindle::spawn(async move { n }).await.unwrap();
                    spindle::time::sleep(Duration::from_micros(100)).await;
                    inner
                })
            })
            .collect();
        let mut total = 0;
        for handle in tasks {
            total += handle.await.unwrap();
        }
        total
    });
    assert_eq!(total, 999 * 1_000 / 2);
    // On a loaded machine another task's poll may be slow too; find the blocker's.
    let report = loop {
        let report = reports_rx
            .recv_timeout(GENEROUS)
            .expect("a slow-poll report naming the blocker");
        if report.task == blocker.id() {
            break report;
        }
    };
    assert_eq!(report.name.as_deref(), Some("blocks-its-worker"));
    assert!(report.still_running, "reported while it still blocks");
    released.store(true, SeqCst);
    release_tx.send(()).unwrap();
    assert!(rt.block_on(blocker).unwrap());
}

fn panic_read_by_nobody_shuts_the_runtime_down_even_if_the_task_finished_first(flavour: Flavour) {
    let message = within(GENEROUS, move || {
        let rt = flavour
            .builder()
            .unhandled_panic(spindle::runtime::UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                let handle = spindle::spawn(async { panic!("nobody reads this panic") });
                // The task finishes while its handle is still held; the handle is then
                // dropped without reading the panic.
                while !handle.is_finished() {
                    task::yield_now().await;
                }
                drop(handle);
                // Without the shutdown, this would wait forever.
                std::future::pending::<()>().await
            })
        }));
        support::panic_message(outcome.expect_err("block_on must panic"))
    });
    assert!(
        message.contains("UnhandledPanic::ShutdownRuntime"),
        "{message}"
    );
}
