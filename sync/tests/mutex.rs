//! Mutex: exclusion, FIFO fairness, cancellation, owned and mapped guards.

mod common;

use std::sync::Arc;
use std::task::Poll;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::{Mutex, MutexGuard};

#[test]
fn lock_gives_mutable_access_and_unlocks_on_drop() {
    let mutex = Mutex::new(1);
    block_on(async {
        *mutex.lock().await += 1;
        assert_eq!(*mutex.lock().await, 2);
    });
}

#[test]
fn try_lock_fails_while_locked() {
    let mutex = Mutex::new(());
    let _guard = mutex.try_lock().expect("unlocked");
    assert!(mutex.try_lock().is_err());
}

#[test]
fn lockers_get_the_lock_in_arrival_order() {
    let mutex = Mutex::new(Vec::new());
    let guard = mutex.try_lock().expect("unlocked");
    let mut first = Box::pin(async {
        mutex.lock().await.push(1);
    });
    let mut second = Box::pin(async {
        mutex.lock().await.push(2);
    });
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    drop(guard);
    // The second locker is polled first but must not overtake the first.
    assert!(poll_once(&mut second).is_pending());
    assert!(poll_once(&mut first).is_ready());
    assert!(poll_once(&mut second).is_ready());
    assert_eq!(*mutex.try_lock().expect("unlocked"), [1, 2]);
}

#[test]
fn try_lock_does_not_barge_past_queued_lockers() {
    let mutex = Mutex::new(());
    let guard = mutex.try_lock().expect("unlocked");
    let mut queued = Box::pin(mutex.lock());
    assert!(poll_once(&mut queued).is_pending());
    drop(guard);
    assert!(mutex.try_lock().is_err());
}

#[test]
fn dropping_a_waiting_lock_passes_the_lock_to_the_next_waiter() {
    let mutex = Mutex::new(());
    let guard = mutex.try_lock().expect("unlocked");
    let mut abandoned = Box::pin(mutex.lock());
    let mut next = Box::pin(mutex.lock());
    let counter = Counter::new();
    assert!(poll_once(&mut abandoned).is_pending());
    assert!(counter.poll(&mut next).is_pending());
    drop(guard); // handed to `abandoned`
    drop(abandoned); // which passes it on
    assert_eq!(counter.wakes(), 1);
    assert!(matches!(poll_once(&mut next), Poll::Ready(_)));
}

#[test]
fn mapped_guard_keeps_the_lock_until_dropped() {
    let mutex = Mutex::new((0, String::new()));
    let mut name = MutexGuard::map(mutex.try_lock().expect("unlocked"), |pair| &mut pair.1);
    name.push_str("spindle");
    assert!(mutex.try_lock().is_err());
    drop(name);
    assert_eq!(mutex.try_lock().expect("unlocked").1, "spindle");
}

#[test]
fn try_map_that_declines_gives_the_guard_back() {
    let mutex = Mutex::new(Some(3));
    let guard = mutex.try_lock().expect("unlocked");
    let guard = MutexGuard::try_map(guard, |_| None::<&mut i32>).expect_err("declined");
    assert_eq!(*guard, Some(3));
}

#[test]
fn owned_guard_can_move_to_another_thread() {
    let mutex = Arc::new(Mutex::new(0));
    let mut guard = block_on(Arc::clone(&mutex).lock_owned());
    std::thread::spawn(move || *guard = 9)
        .join()
        .expect("thread panicked");
    assert_eq!(*mutex.blocking_lock(), 9);
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut mutex = Mutex::new(1);
    *mutex.get_mut() = 5;
    assert_eq!(mutex.into_inner(), 5);
}

#[test]
fn blocking_lock_waits_for_an_async_holder_on_another_thread() {
    let mutex = Arc::new(Mutex::new(0));
    let guard = mutex.try_lock().expect("unlocked");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let contender = {
        let mutex = Arc::clone(&mutex);
        std::thread::spawn(move || {
            locked_tx.send(()).expect("main thread alive");
            *mutex.blocking_lock() += 1;
        })
    };
    locked_rx.recv().expect("contender started");
    drop(guard);
    contender.join().expect("contender panicked");
    assert_eq!(*mutex.try_lock().expect("unlocked"), 1);
}

#[test]
fn threads_incrementing_under_the_lock_lose_no_update() {
    let mutex = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mutex = Arc::clone(&mutex);
            std::thread::spawn(move || {
                block_on(async {
                    for _ in 0..1_000 {
                        *mutex.lock().await += 1;
                    }
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("worker panicked");
    }
    assert_eq!(*mutex.try_lock().expect("unlocked"), 4_000);
}
