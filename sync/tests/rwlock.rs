//! RwLock: shared readers, exclusive writers, fairness and downgrade.

mod common;

use std::sync::Arc;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::{RwLock, RwLockWriteGuard};

#[test]
fn many_readers_hold_the_lock_at_once() {
    let lock = RwLock::new(1);
    let first = lock.try_read().expect("free");
    let second = lock.try_read().expect("readers share");
    assert_eq!(*first + *second, 2);
}

#[test]
fn writer_excludes_readers_and_writers() {
    let lock = RwLock::new(0);
    let _writer = lock.try_write().expect("free");
    assert!(lock.try_read().is_err());
    assert!(lock.try_write().is_err());
}

#[test]
fn queued_writer_is_not_starved_by_later_readers() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().expect("free");
    let mut writer = Box::pin(lock.write());
    assert!(poll_once(&mut writer).is_pending());
    // A reader arriving after the writer must wait behind it.
    assert!(lock.try_read().is_err());
    drop(reader);
    assert!(poll_once(&mut writer).is_ready());
}

#[test]
fn dropping_a_waiting_writer_lets_queued_readers_in() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().expect("free");
    let mut writer = Box::pin(lock.write());
    let mut queued_reader = Box::pin(lock.read());
    let counter = Counter::new();
    assert!(poll_once(&mut writer).is_pending());
    assert!(counter.poll(&mut queued_reader).is_pending());
    drop(writer);
    assert!(counter.was_woken());
    assert!(poll_once(&mut queued_reader).is_ready());
    drop(reader);
}

#[test]
fn max_readers_limits_concurrent_readers() {
    let lock = RwLock::with_max_readers((), 2);
    let _a = lock.try_read().expect("free");
    let _b = lock.try_read().expect("second of two");
    assert!(lock.try_read().is_err());
}

#[test]
fn downgrade_keeps_writers_out_but_lets_readers_in() {
    let lock = RwLock::new(5);
    let mut writer = lock.try_write().expect("free");
    *writer = 6;
    let reader = RwLockWriteGuard::downgrade(writer);
    assert_eq!(*reader, 6);
    assert!(lock.try_read().is_ok());
    assert!(lock.try_write().is_err());
}

#[test]
#[should_panic(expected = "max_reads must be between 1")]
fn zero_max_readers_is_rejected_with_a_clear_message() {
    let _ = RwLock::with_max_readers((), 0);
}

#[test]
fn threads_mixing_reads_and_writes_lose_no_update() {
    let lock = Arc::new(RwLock::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let lock = Arc::clone(&lock);
            std::thread::spawn(move || {
                block_on(async {
                    for _ in 0..500 {
                        *lock.write().await += 1;
                        let _ = *lock.read().await;
                    }
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("worker panicked");
    }
    assert_eq!(*lock.try_read().expect("free"), 2_000);
}
