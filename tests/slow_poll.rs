//! Slow-poll detection: a task that blocks its worker is named while it is still
//! blocking, and again with its duration once the poll returns.

use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use spindle::runtime::SlowPoll;
use spindle::task;

mod support;

use support::{Flavour, GENEROUS};

flavour_tests!(
    blocking_task_is_reported_while_stuck_and_after,
    quick_polls_are_never_reported,
);

fn blocking_task_is_reported_while_stuck_and_after(flavour: Flavour) {
    let (reports_tx, reports_rx) = mpsc::channel::<SlowPoll>();
    let reports_tx = Mutex::new(reports_tx);
    let rt = flavour
        .builder()
        .slow_poll_threshold(Some(Duration::from_millis(40)))
        .on_slow_poll(move |report| {
            let _ = reports_tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    // The watchdog's first report arrives while the task still blocks; only then is
    // the task released, so the test proves the report came during the stall.
    let releaser = std::thread::spawn(move || {
        let stuck = reports_rx
            .recv_timeout(GENEROUS)
            .expect("a report while stuck");
        release_tx.send(()).unwrap();
        let finished = reports_rx.recv_timeout(GENEROUS).expect("a report after");
        (stuck, finished)
    });
    rt.block_on(async {
        task::Builder::new()
            .name("blocks-its-worker")
            .spawn(async move {
                // Deliberately blocking the worker: this is the misuse under test.
                release_rx.recv_timeout(GENEROUS).expect("released");
            })
            .unwrap()
            .await
            .unwrap();
    });
    let (stuck, finished) = releaser.join().unwrap();
    assert!(stuck.still_running);
    assert_eq!(stuck.name.as_deref(), Some("blocks-its-worker"));
    let location = stuck
        .spawned_at
        .expect("spawn site known while the task lives");
    assert!(location.file().ends_with("slow_poll.rs"), "{location}");
    assert!(stuck.duration >= Duration::from_millis(40));
    assert!(!finished.still_running);
    assert_eq!(finished.task, stuck.task);
    assert!(finished.duration >= stuck.duration);
    assert!(stuck.to_string().contains("spawn_blocking"), "{stuck}");
}

fn quick_polls_are_never_reported(flavour: Flavour) {
    let (reports_tx, reports_rx) = mpsc::channel::<SlowPoll>();
    let reports_tx = Mutex::new(reports_tx);
    let rt = flavour
        .builder()
        .slow_poll_threshold(Some(Duration::from_secs(5)))
        .on_slow_poll(move |report| {
            let _ = reports_tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..1_000 {
            spindle::spawn(async { task::yield_now().await })
                .await
                .unwrap();
        }
    });
    drop(rt);
    assert!(reports_rx.try_recv().is_err(), "no poll came near 5 s");
}

#[test]
fn dump_charges_sampled_busy_time_to_a_blocking_poll() {
    let (reports_tx, reports_rx) = mpsc::channel::<SlowPoll>();
    let reports_tx = Mutex::new(reports_tx);
    let rt = spindle::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(Some(Duration::from_millis(40)))
        .on_slow_poll(move |report| {
            let _ = reports_tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocked = rt.spawn(async move {
        release_rx.recv_timeout(GENEROUS).expect("released");
    });
    let stuck = reports_rx
        .recv_timeout(GENEROUS)
        .expect("a slow-poll report");
    let dump = rt.handle().dump();
    let info = dump
        .tasks()
        .iter()
        .find(|info| info.id == stuck.task)
        .expect("the stuck task is listed");
    assert_eq!(info.state, spindle::runtime::TaskState::Running);
    assert!(
        info.busy >= Duration::from_millis(10),
        "busy {:?}",
        info.busy
    );
    release_tx.send(()).unwrap();
    rt.block_on(blocked).unwrap();
}

#[test]
fn dump_shows_a_task_inside_block_in_place_as_blocking() {
    let rt = spindle::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocker = rt.spawn(async move {
        task::block_in_place(move || {
            entered_tx.send(()).unwrap();
            release_rx.recv_timeout(GENEROUS).expect("released");
        });
        task::id()
    });
    entered_rx
        .recv_timeout(GENEROUS)
        .expect("inside block_in_place");
    let states: Vec<_> = rt
        .handle()
        .dump()
        .tasks()
        .iter()
        .map(|info| info.state)
        .collect();
    assert_eq!(states, vec![spindle::runtime::TaskState::Blocking]);
    release_tx.send(()).unwrap();
    rt.block_on(blocker).unwrap();
}

#[test]
fn end_report_names_the_stuck_task_after_its_worker_moved_on_to_another() {
    let (reports_tx, reports_rx) = mpsc::channel::<SlowPoll>();
    let reports_tx = Mutex::new(reports_tx);
    let rt = spindle::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .slow_poll_threshold(Some(Duration::from_millis(40)))
        .on_slow_poll(move |report| {
            let _ = reports_tx.lock().unwrap().send(report.clone());
        })
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (next_polled_tx, next_polled_rx) = mpsc::channel::<()>();
    let handle = rt.handle().clone();
    let releaser = std::thread::spawn(move || {
        let stuck = reports_rx
            .recv_timeout(GENEROUS)
            .expect("a report while stuck");
        // Queue a task behind the stuck one: the worker polls it next, and it holds the
        // worker long enough for the watchdog to find it in the slot.
        handle.spawn(async move {
            // Deliberately blocking, below the threshold: it only has to be seen.
            std::thread::sleep(Duration::from_millis(20));
            let _ = next_polled_tx.send(());
        });
        release_tx.send(()).unwrap();
        let finished = reports_rx.recv_timeout(GENEROUS).expect("a report after");
        (stuck, finished)
    });
    rt.block_on(async {
        task::Builder::new()
            .name("stuck-first")
            .spawn(async move {
                // Deliberately blocking the worker: this is the misuse under test.
                release_rx.recv_timeout(GENEROUS).expect("released");
            })
            .unwrap()
            .await
            .unwrap();
    });
    next_polled_rx
        .recv_timeout(GENEROUS)
        .expect("the next task ran");
    let (stuck, finished) = releaser.join().unwrap();
    assert!(!finished.still_running);
    assert_eq!(finished.task, stuck.task);
    assert_eq!(finished.name.as_deref(), Some("stuck-first"));
    assert_eq!(finished.spawned_at, stuck.spawned_at);
}
