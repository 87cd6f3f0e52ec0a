//! JoinSet, TaskGroup, task::Builder names and task-locals, on both flavours.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use spindle::sync::oneshot;
use spindle::task::{self, JoinSet, TaskGroup, TaskGroupError};

mod support;

use support::{DropCounter, Flavour};

flavour_tests!(
    join_set_returns_every_output_in_completion_order,
    join_set_drop_aborts_its_tasks,
    join_set_abort_all_reports_cancelled_for_unfinished_tasks,
    join_set_try_join_next_only_returns_finished_tasks,
    join_set_join_all_collects_every_output,
    join_set_detach_all_lets_tasks_run_on,
    task_group_returns_outputs_in_spawn_order,
    task_group_first_error_cancels_siblings_and_is_returned,
    task_group_panic_cancels_siblings_and_is_returned,
    task_group_drop_cancels_everything,
    named_task_sees_its_name_and_unnamed_sees_none,
    task_local_values_do_not_leak_between_tasks,
    task_local_scope_nests_and_restores,
);

fn join_set_returns_every_output_in_completion_order(flavour: Flavour) {
    let rt = flavour.runtime();
    let outputs = rt.block_on(async {
        let mut set = JoinSet::new();
        let (second_tx, second_rx) = oneshot::channel::<()>();
        set.spawn(async move {
            second_rx.await.unwrap();
            "second"
        });
        let (first_done_tx, first_done_rx) = oneshot::channel::<()>();
        set.spawn(async move {
            let _ = first_done_tx.send(());
            "first"
        });
        first_done_rx.await.unwrap();
        let first = set.join_next().await.unwrap().unwrap();
        second_tx.send(()).unwrap();
        let second = set.join_next().await.unwrap().unwrap();
        assert!(set.join_next().await.is_none());
        vec![first, second]
    });
    assert_eq!(outputs, vec!["first", "second"]);
}

fn join_set_drop_aborts_its_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut set = JoinSet::new();
        let mut ids = Vec::new();
        for _ in 0..10 {
            let counter = DropCounter(drops.clone());
            set.spawn(async move {
                let _counter = counter;
                std::future::pending::<()>().await;
            });
        }
        ids.extend(set.ids());
        assert_eq!(ids.len(), 10);
        drop(set);
        // Aborted tasks are dropped by their workers; wait until all ten are gone.
        while drops.load(SeqCst) < 10 {
            task::yield_now().await;
        }
    });
    assert_eq!(drops.load(SeqCst), 10);
}

fn join_set_abort_all_reports_cancelled_for_unfinished_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let cancelled = rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..5 {
            set.spawn(std::future::pending::<()>());
        }
        set.abort_all();
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            cancelled += usize::from(result.unwrap_err().is_cancelled());
        }
        cancelled
    });
    assert_eq!(cancelled, 5);
}

fn join_set_try_join_next_only_returns_finished_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let mut set = JoinSet::new();
        let (release_tx, release_rx) = oneshot::channel::<()>();
        set.spawn(async move {
            release_rx.await.unwrap();
            1
        });
        assert!(set.try_join_next().is_none(), "nothing has finished yet");
        release_tx.send(()).unwrap();
        let output = loop {
            if let Some(result) = set.try_join_next() {
                break result.unwrap();
            }
            task::yield_now().await;
        };
        assert_eq!(output, 1);
        assert!(set.is_empty());
    });
}

fn join_set_join_all_collects_every_output(flavour: Flavour) {
    let rt = flavour.runtime();
    let mut outputs = rt.block_on(async {
        let mut set = JoinSet::new();
        for n in 0..100u32 {
            set.spawn(async move { n });
        }
        set.join_all().await
    });
    outputs.sort_unstable();
    assert_eq!(outputs, (0..100).collect::<Vec<_>>());
}

fn join_set_detach_all_lets_tasks_run_on(flavour: Flavour) {
    let rt = flavour.runtime();
    let received = rt.block_on(async {
        let (tx, rx) = oneshot::channel();
        let mut set = JoinSet::new();
        set.spawn(async move {
            task::yield_now().await;
            let _ = tx.send("ran to the end");
        });
        set.detach_all();
        drop(set);
        rx.await
    });
    assert_eq!(received.unwrap(), "ran to the end");
}

fn task_group_returns_outputs_in_spawn_order(flavour: Flavour) {
    let rt = flavour.runtime();
    let outputs = rt.block_on(async {
        let mut group = TaskGroup::<u32, String>::new();
        for n in 0..20u32 {
            group.spawn(async move {
                for _ in 0..(20 - n) {
                    task::yield_now().await;
                }
                Ok(n)
            });
        }
        group.join().await
    });
    assert_eq!(outputs.unwrap(), (0..20).collect::<Vec<_>>());
}

fn task_group_first_error_cancels_siblings_and_is_returned(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let result = rt.block_on(async {
        let mut group = TaskGroup::<(), &'static str>::new();
        for _ in 0..5 {
            let counter = DropCounter(drops.clone());
            group.spawn(async move {
                let _counter = counter;
                std::future::pending::<Result<(), &'static str>>().await
            });
        }
        group.spawn(async { Err("the first failure") });
        group.join().await
    });
    match result {
        Err(TaskGroupError::Failed { error, .. }) => assert_eq!(error, "the first failure"),
        other => panic!("expected the task's error, got {other:?}"),
    }
    assert_eq!(
        drops.load(SeqCst),
        5,
        "every sibling was cancelled and dropped"
    );
}

fn task_group_panic_cancels_siblings_and_is_returned(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let result = rt.block_on(async {
        let mut group = TaskGroup::<(), String>::new();
        let counter = DropCounter(drops.clone());
        group.spawn(async move {
            let _counter = counter;
            std::future::pending::<Result<(), String>>().await
        });
        group.spawn(async { panic!("sibling panicked") });
        group.join().await
    });
    match result {
        Err(TaskGroupError::Aborted(error)) => assert!(error.is_panic()),
        other => panic!("expected the panic, got {other:?}"),
    }
    assert_eq!(drops.load(SeqCst), 1);
}

fn task_group_drop_cancels_everything(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut group = TaskGroup::<(), ()>::new();
        for _ in 0..3 {
            let counter = DropCounter(drops.clone());
            group.spawn(async move {
                let _counter = counter;
                std::future::pending::<Result<(), ()>>().await
            });
        }
        drop(group);
        while drops.load(SeqCst) < 3 {
            task::yield_now().await;
        }
    });
    assert_eq!(drops.load(SeqCst), 3);
}

fn named_task_sees_its_name_and_unnamed_sees_none(flavour: Flavour) {
    let rt = flavour.runtime();
    let (named, unnamed) = rt.block_on(async {
        let named = task::Builder::new()
            .name("worker-7")
            .spawn(async { task::name() })
            .expect("inside a runtime")
            .await
            .unwrap();
        let unnamed = spindle::spawn(async { task::name() }).await.unwrap();
        (named, unnamed)
    });
    assert_eq!(named.as_deref(), Some("worker-7"));
    assert_eq!(unnamed, None);
}

spindle::task_local! {
    static REQUEST: u32;
}

fn task_local_values_do_not_leak_between_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let seen = rt.block_on(async {
        let tasks: Vec<_> = (0..50u32)
            .map(|n| {
                spindle::spawn(REQUEST.scope(n, async move {
                    for _ in 0..5 {
                        task::yield_now().await;
                        assert_eq!(REQUEST.get(), n, "another task's value leaked in");
                    }
                    REQUEST.get()
                }))
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            seen.push(task.await.unwrap());
        }
        seen
    });
    assert_eq!(seen, (0..50).collect::<Vec<_>>());
    assert!(
        REQUEST.try_with(|_| ()).is_err(),
        "no value outside a scope"
    );
}

fn task_local_scope_nests_and_restores(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(REQUEST.scope(1, async {
        assert_eq!(REQUEST.get(), 1);
        REQUEST
            .scope(2, async { assert_eq!(REQUEST.get(), 2) })
            .await;
        assert_eq!(REQUEST.get(), 1);
        REQUEST.sync_scope(3, || assert_eq!(REQUEST.get(), 3));
        assert_eq!(REQUEST.get(), 1);
    }));
}

#[test]
fn builder_spawn_outside_a_runtime_is_an_error_not_a_panic() {
    let error = task::Builder::new().spawn(async {}).unwrap_err();
    assert!(error.to_string().contains("outside a runtime"));
}
