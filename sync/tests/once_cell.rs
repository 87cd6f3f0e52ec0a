//! OnceCell: single initialisation, set errors, failed and cancelled initialisers.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::poll_once;
use futures::executor::block_on;
use spindle_sync::{OnceCell, SetError};

#[test]
fn get_or_init_runs_the_initialiser_once() {
    let cell = OnceCell::new();
    let runs = AtomicUsize::new(0);
    for _ in 0..3 {
        let value = block_on(cell.get_or_init(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            7
        }));
        assert_eq!(*value, 7);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn set_on_an_initialised_cell_gives_the_value_back() {
    let cell = OnceCell::new();
    cell.set(1).expect("empty");
    assert_eq!(cell.set(2), Err(SetError::AlreadyInitializedError(2)));
    assert_eq!(cell.get(), Some(&1));
}

#[test]
fn set_while_another_task_initialises_reports_initializing() {
    let cell = OnceCell::new();
    let mut init = Box::pin(cell.get_or_init(std::future::pending::<u8>));
    assert!(poll_once(&mut init).is_pending());
    assert!(cell.set(1).expect_err("busy").is_initializing_err());
}

#[test]
fn failed_initialiser_leaves_the_cell_empty_for_the_next() {
    let cell = OnceCell::new();
    let failed: Result<&u8, &str> = block_on(cell.get_or_try_init(|| async { Err("nope") }));
    assert_eq!(failed, Err("nope"));
    assert!(!cell.initialized());
    assert_eq!(block_on(cell.get_or_init(|| async { 3 })), &3);
}

#[test]
fn dropped_initialiser_lets_a_queued_one_run() {
    let cell = OnceCell::new();
    let mut stuck = Box::pin(cell.get_or_init(std::future::pending::<u8>));
    let mut queued = Box::pin(cell.get_or_init(|| async { 4 }));
    assert!(poll_once(&mut stuck).is_pending());
    assert!(poll_once(&mut queued).is_pending());
    drop(stuck);
    assert_eq!(poll_once(&mut queued), std::task::Poll::Ready(&4));
}

#[test]
fn take_empties_the_cell_and_drop_drops_the_value() {
    let value = Arc::new(());
    let mut cell = OnceCell::new_with(Some(Arc::clone(&value)));
    assert!(cell.take().is_some());
    assert!(cell.get().is_none());
    cell.set(Arc::clone(&value)).expect("empty again");
    drop(cell);
    assert_eq!(Arc::strong_count(&value), 1);
}

#[test]
fn racing_threads_all_see_the_single_initialised_value() {
    let cell = Arc::new(OnceCell::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|id| {
            let cell = Arc::clone(&cell);
            let runs = Arc::clone(&runs);
            std::thread::spawn(move || {
                *block_on(cell.get_or_init(|| async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    id
                }))
            })
        })
        .collect();
    let seen: Vec<_> = threads
        .into_iter()
        .map(|thread| thread.join().expect("thread panicked"))
        .collect();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(seen.iter().all(|&value| value == seen[0]));
}
