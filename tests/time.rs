//! `spindle::time` driven by the runtime, on both flavours: the worker parked in the
//! driver fires the timers, and the paused test clock auto-advances when every task
//! is idle.

use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use spindle::runtime::Builder;
use spindle::time::{self, Instant, MissedTickBehavior};

mod support;

use support::{panic_message, DropCounter, Flavour};

flavour_tests!(
    sleep_completes_no_earlier_than_its_deadline,
    many_concurrent_sleeps_all_complete_and_none_early,
    timeout_of_a_pending_future_reports_elapsed,
    timeout_of_a_ready_future_returns_its_value,
    paused_clock_finishes_an_hour_long_sleep_at_once,
    paused_clock_fires_sleeps_in_deadline_order,
    interval_under_paused_clock_ticks_once_per_period,
    earlier_timer_inserted_from_another_thread_wakes_the_parked_driver,
    dropping_runtime_drops_tasks_parked_on_sleeps,
    sleep_used_after_runtime_shutdown_panics_with_a_message,
);

fn sleep_completes_no_earlier_than_its_deadline(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_millis(20);
        time::sleep_until(deadline).await;
        assert!(Instant::now() >= deadline);
    });
}

fn many_concurrent_sleeps_all_complete_and_none_early(flavour: Flavour) {
    let rt = flavour.runtime();
    let early = rt.block_on(async {
        let tasks: Vec<_> = (0..1_000u64)
            .map(|n| {
                spindle::spawn(async move {
                    let deadline = Instant::now() + Duration::from_micros(n * 37 % 30_000);
                    time::sleep_until(deadline).await;
                    Instant::now() < deadline
                })
            })
            .collect();
        let mut early = 0;
        for task in tasks {
            early += usize::from(task.await.unwrap());
        }
        early
    });
    assert_eq!(early, 0, "a sleep completed before its deadline");
}

fn timeout_of_a_pending_future_reports_elapsed(flavour: Flavour) {
    let rt = flavour.runtime();
    let result = rt.block_on(async {
        time::timeout(Duration::from_millis(10), std::future::pending::<()>()).await
    });
    assert!(result.is_err());
}

fn timeout_of_a_ready_future_returns_its_value(flavour: Flavour) {
    let rt = flavour.runtime();
    let result = rt.block_on(async { time::timeout(Duration::from_secs(60), async { 8 }).await });
    assert_eq!(result.unwrap(), 8);
}

fn paused_clock_finishes_an_hour_long_sleep_at_once(flavour: Flavour) {
    let rt = flavour.paused_runtime();
    let slept = rt.block_on(async {
        let task = spindle::spawn(async {
            let start = Instant::now();
            time::sleep(Duration::from_secs(3600)).await;
            start.elapsed()
        });
        task.await.unwrap()
    });
    // The clock says an hour passed; the test run itself is the proof that the
    // thread did not really sleep it.
    assert!(slept >= Duration::from_secs(3600));
}

fn paused_clock_fires_sleeps_in_deadline_order(flavour: Flavour) {
    let rt = flavour.paused_runtime();
    let order = rt.block_on(async {
        let (tx, mut rx) = spindle::sync::mpsc::unbounded_channel();
        for seconds in [30u64, 10, 20, 40] {
            let tx = tx.clone();
            spindle::spawn(async move {
                time::sleep(Duration::from_secs(seconds)).await;
                let _ = tx.send(seconds);
            });
        }
        drop(tx);
        let mut order = Vec::new();
        while let Some(seconds) = rx.recv().await {
            order.push(seconds);
        }
        order
    });
    assert_eq!(order, vec![10, 20, 30, 40]);
}

fn interval_under_paused_clock_ticks_once_per_period(flavour: Flavour) {
    let rt = flavour.paused_runtime();
    let gaps = rt.block_on(async {
        let mut interval = time::interval(Duration::from_secs(5));
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut previous = interval.tick().await;
        let mut gaps = Vec::new();
        for _ in 0..4 {
            let now = interval.tick().await;
            gaps.push(now - previous);
            previous = now;
        }
        gaps
    });
    assert_eq!(gaps, vec![Duration::from_secs(5); 4]);
}

/// The runtime parks until its only timer, an hour away; another thread then registers
/// a 5 ms sleep. Nothing else wakes the runtime (no spawn, no IO), so unless inserting
/// an earlier deadline unparks the driver, that sleep fires an hour late and the test's
/// deadline fails it.
fn earlier_timer_inserted_from_another_thread_wakes_the_parked_driver(flavour: Flavour) {
    let rt = flavour.runtime();
    let handle = rt.handle().clone();
    rt.block_on(async move {
        spindle::spawn(time::sleep(Duration::from_secs(3600)));
        let (fired_tx, fired_rx) = spindle::sync::oneshot::channel();
        let parks_before = total_parks(&handle);
        std::thread::spawn(move || {
            // Wait until a thread of the runtime has gone to park since we started.
            while total_parks(&handle) == parks_before {
                std::thread::yield_now();
            }
            let _entered = handle.enter();
            let mut sleep = std::pin::pin!(time::sleep(Duration::from_millis(5)));
            let waker = std::task::Waker::from(Arc::new(UnparkThread(std::thread::current())));
            let mut cx = std::task::Context::from_waker(&waker);
            while std::future::Future::poll(sleep.as_mut(), &mut cx).is_pending() {
                std::thread::park();
            }
            let _ = fired_tx.send(());
        });
        fired_rx
            .await
            .expect("the foreign thread reports its sleep");
    });
}

fn total_parks(handle: &spindle::runtime::Handle) -> u64 {
    let metrics = handle.metrics();
    (0..metrics.num_workers())
        .map(|worker| metrics.worker_park_count(worker))
        .sum()
}

struct UnparkThread(std::thread::Thread);

impl std::task::Wake for UnparkThread {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn dropping_runtime_drops_tasks_parked_on_sleeps(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        for _ in 0..100 {
            let counter = DropCounter(drops.clone());
            spindle::spawn(async move {
                let _counter = counter;
                time::sleep(Duration::from_secs(3600)).await;
            });
        }
        spindle::task::yield_now().await;
    });
    drop(rt);
    assert_eq!(drops.load(SeqCst), 100);
}

fn sleep_used_after_runtime_shutdown_panics_with_a_message(flavour: Flavour) {
    let rt = flavour.runtime();
    let sleep = {
        let _guard = rt.enter();
        time::sleep(Duration::from_secs(1))
    };
    drop(rt);
    let caught = panic::catch_unwind(panic::AssertUnwindSafe(|| {
        futures::executor::block_on(sleep);
    }));
    let message = panic_message(caught.expect_err("a sleep of a dead runtime must panic"));
    assert!(message.contains("shut down"), "{message}");
}

#[test]
fn sleep_on_a_runtime_without_time_panics_with_advice() {
    let rt = Builder::new_current_thread().build().unwrap();
    let caught = panic::catch_unwind(panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::sleep(Duration::from_millis(1)).await });
    }));
    let message = panic_message(caught.expect_err("sleep without enable_time must panic"));
    assert!(message.contains("enable_time"), "{message}");
}

#[test]
fn start_paused_without_time_is_a_build_error() {
    let error = Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("enable_time"));
}

#[test]
fn time_misuse_panics_point_at_the_caller() {
    use spindle::time::{interval, interval_at, timeout};
    support::within(support::GENEROUS, || {
        assert_eq!(
            support::panic_file(|| drop(interval(Duration::ZERO))),
            file!()
        );
        assert_eq!(
            support::panic_file(|| drop(interval_at(Instant::now(), Duration::ZERO))),
            file!()
        );
        let rt = Builder::new_current_thread().build().unwrap();
        let no_timer = || {
            rt.block_on(async {
                drop(timeout(
                    Duration::from_millis(5),
                    std::future::pending::<()>(),
                ))
            })
        };
        assert_eq!(support::panic_file(no_timer), file!());
        let rt = Builder::new_current_thread().enable_time().build().unwrap();
        assert_eq!(
            support::panic_file(|| rt.block_on(async { time::resume() })),
            file!()
        );
    });
}
