//! `task::block_in_place`: the worker's queue moves to a new thread while the closure
//! blocks; refused with advice on the current-thread runtime.

use std::sync::mpsc;

use spindle::runtime::{Builder, Handle};
use spindle::task;

mod support;

use support::GENEROUS;

#[test]
fn other_tasks_keep_running_while_the_only_worker_blocks_in_place() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let received = rt.block_on(async {
        let (tx, rx) = mpsc::channel();
        let blocker = spindle::spawn(async move {
            // Blocks the only worker until another task on the same runtime runs.
            task::block_in_place(move || rx.recv_timeout(GENEROUS))
        });
        let sender = spindle::spawn(async move { tx.send("sent by a sibling task") });
        sender.await.unwrap().unwrap();
        blocker.await.unwrap()
    });
    assert_eq!(received.unwrap(), "sent by a sibling task");
}

#[test]
fn block_on_works_inside_block_in_place() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let output = rt.block_on(async {
        spindle::spawn(async {
            task::block_in_place(|| Handle::current().block_on(async { 6 * 7 }))
        })
        .await
        .unwrap()
    });
    assert_eq!(output, 42);
}

#[test]
fn block_in_place_on_current_thread_runtime_panics_with_advice() {
    let rt = Builder::new_current_thread().build().unwrap();
    let error = rt
        .block_on(async { spindle::spawn(async { task::block_in_place(|| ()) }).await })
        .unwrap_err();
    let message = support::panic_message(error.into_panic());
    assert!(message.contains("spawn_blocking"), "{message}");
}

#[test]
fn block_in_place_outside_a_runtime_just_runs() {
    assert_eq!(task::block_in_place(|| 3), 3);
}

#[test]
fn runtime_shuts_down_after_a_block_in_place_worker_handed_off() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let outputs = rt.block_on(async {
        let mut handles = Vec::new();
        for n in 0..8u32 {
            handles.push(spindle::spawn(
                async move { task::block_in_place(move || n) },
            ));
        }
        let mut outputs = Vec::new();
        for handle in handles {
            outputs.push(handle.await.unwrap());
        }
        outputs
    });
    assert_eq!(outputs, (0..8).collect::<Vec<_>>());
    drop(rt);
}
