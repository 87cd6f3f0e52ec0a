//! `LocalSet`, `spawn_local` and `LocalRuntime`: futures that are not `Send`.

use std::cell::RefCell;
use std::panic;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use spindle::runtime::Builder;
use spindle::sync::oneshot;
use spindle::task::{self, LocalSet};

mod support;

use support::{panic_message, DropCounter, Flavour};

flavour_tests!(
    local_set_runs_not_send_tasks_beside_the_runtime,
    local_task_woken_from_another_thread_runs,
    dropping_a_local_set_cancels_its_tasks,
    awaiting_a_local_set_waits_for_all_its_tasks,
);

fn local_set_runs_not_send_tasks_beside_the_runtime(flavour: Flavour) {
    let rt = flavour.runtime();
    let local = LocalSet::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let task_log = log.clone();
    local.block_on(&rt, async move {
        let handles: Vec<_> = (0..10)
            .map(|n| {
                let log = task_log.clone();
                task::spawn_local(async move {
                    task::yield_now().await;
                    log.borrow_mut().push(n);
                })
            })
            .collect();
        // A Send task on the same runtime still runs meanwhile.
        let send_task = spindle::spawn(async { "send task ran" });
        for handle in handles {
            handle.await.unwrap();
        }
        assert_eq!(send_task.await.unwrap(), "send task ran");
    });
    let mut seen = log.borrow().clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
}

fn local_task_woken_from_another_thread_runs(flavour: Flavour) {
    let rt = flavour.runtime();
    let local = LocalSet::new();
    let value = local.block_on(&rt, async {
        let (tx, rx) = oneshot::channel::<u32>();
        let marker = Rc::new(());
        let waiting = task::spawn_local(async move {
            let _not_send = marker;
            rx.await.unwrap()
        });
        std::thread::spawn(move || {
            let _ = tx.send(11);
        });
        waiting.await.unwrap()
    });
    assert_eq!(value, 11);
}

fn dropping_a_local_set_cancels_its_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let local = LocalSet::new();
    let handle = local.block_on(&rt, async {
        let counter = DropCounter(drops.clone());
        let handle = task::spawn_local(async move {
            let _counter = counter;
            let _not_send = Rc::new(());
            std::future::pending::<()>().await;
        });
        task::yield_now().await;
        // Returned in a Vec so that clippy does not mistake it for a forgotten await.
        vec![handle]
    });
    drop(local);
    assert_eq!(drops.load(SeqCst), 1);
    for handle in handle {
        assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    }
}

fn awaiting_a_local_set_waits_for_all_its_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let local = LocalSet::new();
    let done = Rc::new(RefCell::new(0));
    for _ in 0..5 {
        let done = done.clone();
        local.spawn_local(async move {
            task::yield_now().await;
            *done.borrow_mut() += 1;
        });
    }
    rt.block_on(local);
    assert_eq!(*done.borrow(), 5);
}

#[test]
fn local_runtime_block_on_accepts_not_send_futures() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .build_local(Default::default())
        .unwrap();
    let shared = Rc::new(RefCell::new(0));
    let inner = shared.clone();
    rt.block_on(async move {
        let tasks: Vec<_> = (1..=4)
            .map(|n| {
                let inner = inner.clone();
                task::spawn_local(async move { *inner.borrow_mut() += n })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(*shared.borrow(), 10);
}

#[test]
fn spawn_local_outside_a_local_set_panics_with_advice() {
    let caught = panic::catch_unwind(|| {
        task::spawn_local(async {});
    });
    let message = panic_message(caught.expect_err("spawn_local outside must panic"));
    assert!(message.contains("LocalSet"), "{message}");
}

#[test]
fn build_local_on_a_multi_thread_builder_is_an_error() {
    let error = Builder::new_multi_thread()
        .build_local(Default::default())
        .unwrap_err();
    assert!(error.to_string().contains("new_current_thread"));
}
