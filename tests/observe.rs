//! Seeing inside: metrics, the live task dump, and task hooks, on both flavours.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use spindle::runtime::{Handle, TaskState};
use spindle::task;

mod support;

use support::Flavour;

flavour_tests!(
    metrics_count_spawns_polls_and_alive_tasks,
    metrics_count_remote_schedules_from_a_foreign_thread,
    dump_lists_exactly_the_live_tasks_with_names_and_states,
    task_hooks_fire_once_per_event,
);

fn metrics_count_spawns_polls_and_alive_tasks(flavour: Flavour) {
    let rt = flavour.runtime();
    let metrics = rt.handle().metrics();
    let spawned_before = metrics.spawned_tasks_count();
    let polls_before: u64 = (0..metrics.num_workers())
        .map(|worker| metrics.worker_poll_count(worker))
        .sum();
    rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                spindle::spawn(async {
                    task::yield_now().await;
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(metrics.spawned_tasks_count() - spawned_before, 100);
    assert_eq!(metrics.num_alive_tasks(), 0);
    let polls_after: u64 = (0..metrics.num_workers())
        .map(|worker| metrics.worker_poll_count(worker))
        .sum();
    // Each task is polled at least twice: once to yield, once to finish.
    assert!(
        polls_after - polls_before >= 200,
        "{}",
        polls_after - polls_before
    );
    let expected_workers = match flavour {
        Flavour::MultiThread => 2,
        Flavour::CurrentThread => 1,
    };
    assert_eq!(metrics.num_workers(), expected_workers);
    assert_eq!(metrics.worker_overflow_count(0), 0);
}

fn metrics_count_remote_schedules_from_a_foreign_thread(flavour: Flavour) {
    let rt = flavour.runtime();
    let metrics = rt.handle().metrics();
    let before = metrics.remote_schedule_count();
    let handle = rt.handle().clone();
    let tasks = std::thread::spawn(move || {
        (0..10)
            .map(|n| handle.spawn(async move { n }))
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    let sum: i32 = rt.block_on(async {
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, 45);
    assert!(metrics.remote_schedule_count() - before >= 10);
}

fn dump_lists_exactly_the_live_tasks_with_names_and_states(flavour: Flavour) {
    let rt = flavour.runtime();
    let handle = rt.handle().clone();
    let (idle_tasks, own_state, own_id) = rt.block_on(async move {
        let mut idle = Vec::new();
        for name in ["alpha", "beta", "gamma"] {
            let join = task::Builder::new()
                .name(name)
                .spawn(std::future::pending::<()>())
                .unwrap();
            idle.push((join.id(), name, join));
        }
        // Let every pending task be polled once, so it is idle rather than queued.
        for _ in 0..3 {
            task::yield_now().await;
        }
        let looker = spindle::spawn(async {
            let dump = Handle::current().dump();
            let me = task::id();
            let state = dump
                .tasks()
                .iter()
                .find(|info| info.id == me)
                .map(|info| info.state);
            (state, me)
        });
        let (own_state, own_id) = looker.await.unwrap();
        (idle, own_state, own_id)
    });
    // The join handles in `idle_tasks` keep nothing alive by themselves; the tasks
    // stay live because they are pending.
    let idle_ids: Vec<_> = idle_tasks
        .iter()
        .map(|(id, name, _)| (*id, *name))
        .collect();
    assert_eq!(
        own_state,
        Some(TaskState::Running),
        "task {own_id} saw itself"
    );
    let expected: Vec<_> = idle_ids
        .iter()
        .map(|(id, name)| (*id, Some(name.to_string()), TaskState::Idle))
        .collect();
    // A pending task is Scheduled until a worker has polled it once; wait (bounded)
    // until every one has settled into Idle, then compare the whole list.
    let deadline = std::time::Instant::now() + support::GENEROUS;
    let (dump, listed) = loop {
        let dump = handle.dump();
        let listed: Vec<_> = dump
            .tasks()
            .iter()
            .map(|info| (info.id, info.name.as_deref().map(str::to_owned), info.state))
            .collect();
        if listed == expected || std::time::Instant::now() > deadline {
            break (dump, listed);
        }
        std::thread::yield_now();
    };
    assert_eq!(listed, expected);
    let table = dump.to_string();
    assert!(
        table.contains("alpha") && table.contains("tests/observe.rs"),
        "{table}"
    );
    assert!(dump.tasks().iter().all(|info| info.polls >= 1));
    drop(idle_tasks);
}

fn task_hooks_fire_once_per_event(flavour: Flavour) {
    let spawns = Arc::new(AtomicUsize::new(0));
    let terminations = Arc::new(AtomicUsize::new(0));
    let before = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let named = Arc::new(AtomicUsize::new(0));
    let rt = {
        let (spawns, terminations) = (spawns.clone(), terminations.clone());
        let (before, after, named) = (before.clone(), after.clone(), named.clone());
        flavour
            .builder()
            .on_task_spawn(move |meta| {
                spawns.fetch_add(1, SeqCst);
                if meta.name() == Some("hooked") {
                    named.fetch_add(1, SeqCst);
                }
            })
            .on_task_terminate(move |_| {
                terminations.fetch_add(1, SeqCst);
            })
            .on_before_task_poll(move |_| {
                before.fetch_add(1, SeqCst);
            })
            .on_after_task_poll(move |_| {
                after.fetch_add(1, SeqCst);
            })
            .build()
            .unwrap()
    };
    rt.block_on(async {
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                task::Builder::new()
                    .name("hooked")
                    .spawn(async {
                        task::yield_now().await;
                    })
                    .unwrap()
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(spawns.load(SeqCst), 10);
    assert_eq!(named.load(SeqCst), 10);
    assert_eq!(terminations.load(SeqCst), 10);
    assert_eq!(before.load(SeqCst), 20, "two polls per task");
    assert_eq!(after.load(SeqCst), 20);
}
