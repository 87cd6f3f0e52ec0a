//! Semaphore: permits, FIFO fairness, closing and cancellation.

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::{Semaphore, TryAcquireError};

#[test]
fn permits_return_to_the_semaphore_when_dropped() {
    let semaphore = Semaphore::new(3);
    let permit = semaphore
        .try_acquire_many(2)
        .expect("two of three are free");
    assert_eq!(semaphore.available_permits(), 1);
    drop(permit);
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn forgotten_permit_is_not_returned() {
    let semaphore = Semaphore::new(2);
    semaphore.try_acquire().expect("free").forget();
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn try_acquire_reports_no_permits_when_exhausted() {
    let semaphore = Semaphore::new(1);
    let _held = semaphore.try_acquire().expect("free");
    assert_eq!(
        semaphore.try_acquire().err(),
        Some(TryAcquireError::NoPermits)
    );
}

#[test]
fn acquire_waits_until_a_permit_is_released_and_wakes_the_waiter() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let counter = Counter::new();
    let mut waiting = Box::pin(semaphore.acquire());
    assert!(counter.poll(&mut waiting).is_pending());
    drop(held);
    assert_eq!(counter.wakes(), 1);
    assert!(counter.poll(&mut waiting).is_ready());
}

#[test]
fn waiters_are_granted_in_arrival_order() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut first = Box::pin(semaphore.acquire());
    let mut second = Box::pin(semaphore.acquire());
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    drop(held);
    // Polling the second first must not let it overtake.
    assert!(poll_once(&mut second).is_pending());
    let first_permit = match poll_once(&mut first) {
        std::task::Poll::Ready(permit) => permit.expect("open"),
        std::task::Poll::Pending => panic!("the first waiter was not granted first"),
    };
    drop(first_permit);
    assert!(poll_once(&mut second).is_ready());
}

#[test]
fn large_request_is_not_starved_by_later_small_ones() {
    let semaphore = Semaphore::new(2);
    let held = semaphore.try_acquire_many(2).expect("free");
    let mut big = Box::pin(semaphore.acquire_many(2));
    assert!(poll_once(&mut big).is_pending());
    drop(held);
    // Permits went to the queued big request, so a newcomer finds none.
    assert_eq!(
        semaphore.try_acquire().err(),
        Some(TryAcquireError::NoPermits)
    );
    assert!(poll_once(&mut big).is_ready());
}

#[test]
fn try_acquire_fails_while_others_are_queued_even_with_free_permits() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut big = Box::pin(semaphore.acquire_many(2));
    assert!(poll_once(&mut big).is_pending());
    drop(held); // one permit goes to `big`, which still needs another
    assert!(semaphore.try_acquire().is_err());
}

#[test]
fn dropping_a_waiting_acquire_passes_its_partial_permits_to_the_next_waiter() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut big = Box::pin(semaphore.acquire_many(2));
    let mut small = Box::pin(semaphore.acquire());
    assert!(poll_once(&mut big).is_pending());
    assert!(poll_once(&mut small).is_pending());
    drop(held); // assigned to `big`, which still waits for one more
    assert!(poll_once(&mut small).is_pending());
    let counter = Counter::new();
    assert!(counter.poll(&mut small).is_pending());
    drop(big);
    assert_eq!(counter.wakes(), 1);
    assert!(poll_once(&mut small).is_ready());
}

#[test]
fn dropping_a_granted_but_unpolled_acquire_returns_its_permits() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut waiting = Box::pin(semaphore.acquire());
    assert!(poll_once(&mut waiting).is_pending());
    drop(held); // granted to `waiting`
    assert_eq!(semaphore.available_permits(), 0);
    drop(waiting);
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn close_fails_waiters_and_later_acquires() {
    let semaphore = Semaphore::new(0);
    let counter = Counter::new();
    let mut waiting = Box::pin(semaphore.acquire());
    assert!(counter.poll(&mut waiting).is_pending());
    semaphore.close();
    assert!(counter.was_woken());
    assert!(matches!(
        poll_once(&mut waiting),
        std::task::Poll::Ready(Err(_))
    ));
    assert!(block_on(semaphore.acquire()).is_err());
    assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
}

#[test]
fn add_permits_wakes_a_waiter() {
    let semaphore = Semaphore::new(0);
    let counter = Counter::new();
    let mut waiting = Box::pin(semaphore.acquire());
    assert!(counter.poll(&mut waiting).is_pending());
    semaphore.add_permits(1);
    assert_eq!(counter.wakes(), 1);
    assert!(poll_once(&mut waiting).is_ready());
}

#[test]
fn forget_permits_removes_only_free_permits() {
    let semaphore = Semaphore::new(3);
    let _held = semaphore.try_acquire().expect("free");
    assert_eq!(semaphore.forget_permits(5), 2);
    assert_eq!(semaphore.available_permits(), 0);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn add_permits_beyond_the_maximum_panics_with_a_clear_message() {
    let semaphore = Semaphore::new(Semaphore::MAX_PERMITS);
    semaphore.add_permits(1);
}

#[test]
fn owned_permit_outlives_the_borrow_and_releases_on_drop() {
    let semaphore = Arc::new(Semaphore::new(1));
    let permit = block_on(Arc::clone(&semaphore).acquire_owned()).expect("open");
    let handle = std::thread::spawn(move || drop(permit));
    handle.join().expect("thread panicked");
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn split_and_merge_move_permits_between_guards() {
    let semaphore = Semaphore::new(4);
    let mut permit = semaphore.try_acquire_many(4).expect("free");
    let part = permit.split(3).expect("holds four");
    assert_eq!((permit.num_permits(), part.num_permits()), (1, 3));
    permit.merge(part);
    assert_eq!(permit.num_permits(), 4);
    assert!(permit.split(5).is_none());
}

#[test]
fn waiting_acquire_spends_the_budget_and_yields_when_it_is_gone() {
    let semaphore = Semaphore::new(1);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    spindle_sync::coop::with_budget(|| {
        for _ in 0..spindle_sync::coop::INITIAL_BUDGET {
            let mut acquire = pin!(semaphore.acquire());
            assert!(acquire.as_mut().poll(&mut cx).is_ready());
        }
        let mut acquire = pin!(semaphore.acquire());
        assert!(acquire.as_mut().poll(&mut cx).is_pending());
    });
}

#[test]
fn threads_contending_never_exceed_the_permit_count() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let semaphore = Arc::new(Semaphore::new(3));
    let inside = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let semaphore = Arc::clone(&semaphore);
            let inside = Arc::clone(&inside);
            std::thread::spawn(move || {
                for _ in 0..500 {
                    block_on(async {
                        let _permit = semaphore.acquire().await.expect("open");
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        assert!(now <= 3, "{now} holders of 3 permits");
                        inside.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("worker panicked");
    }
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn permit_released_to_a_queued_waiter_is_not_free_for_a_newcomer() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut waiter = pin!(semaphore.acquire());
    assert!(poll_once(&mut waiter).is_pending());
    drop(held);
    // The release went to the queued waiter: nothing is free, even lock-free.
    assert_eq!(semaphore.available_permits(), 0);
    assert_eq!(
        semaphore.try_acquire().err(),
        Some(TryAcquireError::NoPermits)
    );
    let mut newcomer = pin!(semaphore.acquire());
    assert!(poll_once(&mut newcomer).is_pending());
    let permit = match poll_once(&mut waiter) {
        std::task::Poll::Ready(permit) => permit.expect("open"),
        std::task::Poll::Pending => panic!("the queued waiter was granted the permit"),
    };
    drop(permit);
    assert!(poll_once(&mut newcomer).is_ready());
}

#[test]
fn last_waiter_leaving_makes_permits_free_for_the_lock_free_path_again() {
    let semaphore = Semaphore::new(2);
    let held = semaphore.try_acquire().expect("free");
    let mut waiter = Box::pin(semaphore.acquire_many(2));
    assert!(poll_once(&mut waiter).is_pending());
    assert_eq!(semaphore.available_permits(), 0, "one permit is assigned");
    drop(waiter);
    assert_eq!(semaphore.available_permits(), 1);
    drop(held);
    let both = semaphore
        .try_acquire_many(2)
        .expect("both free, nobody queued");
    assert_eq!(both.num_permits(), 2);
}

#[test]
fn threads_mixing_try_acquire_waits_and_cancellations_lose_no_permit() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const PERMITS: usize = 4;
    let semaphore = Arc::new(Semaphore::new(PERMITS));
    let inside = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let semaphore = Arc::clone(&semaphore);
            let inside = Arc::clone(&inside);
            std::thread::spawn(move || {
                for round in 0..2_000usize {
                    let wanted = 1 + (round + thread) % 3;
                    let permit = match round % 4 {
                        0 => semaphore.try_acquire_many(wanted as u32).ok(),
                        1 => {
                            // Queue, possibly get a partial assignment, then give up.
                            let mut cancelled = Box::pin(semaphore.acquire_many(wanted as u32));
                            match poll_once(&mut cancelled) {
                                std::task::Poll::Ready(permit) => Some(permit.expect("open")),
                                std::task::Poll::Pending => None,
                            }
                        }
                        _ => Some(block_on(semaphore.acquire_many(wanted as u32)).expect("open")),
                    };
                    if let Some(permit) = permit {
                        let now = inside.fetch_add(wanted, Ordering::SeqCst) + wanted;
                        assert!(now <= PERMITS, "{now} permits held of {PERMITS}");
                        inside.fetch_sub(wanted, Ordering::SeqCst);
                        drop(permit);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("worker panicked");
    }
    assert_eq!(semaphore.available_permits(), PERMITS);
}

#[test]
fn close_racing_acquires_and_releases_fails_the_waiters_and_keeps_every_permit() {
    const PERMITS: usize = 2;
    let semaphore = Arc::new(Semaphore::new(PERMITS));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let semaphore = Arc::clone(&semaphore);
            std::thread::spawn(move || {
                let mut granted = 0usize;
                // Bounded: the semaphore is closed long before this runs out.
                for _ in 0..1_000_000 {
                    match block_on(semaphore.acquire()) {
                        Ok(permit) => {
                            granted += 1;
                            drop(permit);
                        }
                        Err(_) => return granted,
                    }
                }
                panic!("acquire kept succeeding after close");
            })
        })
        .collect();
    std::thread::yield_now();
    semaphore.close();
    for thread in threads {
        thread.join().expect("acquirer panicked");
    }
    assert!(semaphore.is_closed());
    assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
    assert_eq!(semaphore.available_permits(), PERMITS);
}

#[test]
fn waiter_cancelled_from_the_middle_of_the_queue_leaves_the_others_in_order() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut front = Box::pin(semaphore.acquire());
    let mut middle = Box::pin(semaphore.acquire());
    let mut back = Box::pin(semaphore.acquire());
    let mut last = Box::pin(semaphore.acquire());
    for waiter in [&mut front, &mut middle, &mut back, &mut last] {
        assert!(poll_once(waiter).is_pending());
    }
    drop(middle);
    drop(held);
    let front_permit = match poll_once(&mut front) {
        std::task::Poll::Ready(permit) => permit.expect("open"),
        std::task::Poll::Pending => panic!("the front waiter was not served first"),
    };
    assert!(poll_once(&mut back).is_pending());
    assert!(poll_once(&mut last).is_pending());
    drop(front_permit);
    assert!(
        poll_once(&mut last).is_pending(),
        "the last waiter overtook the one the cancelled waiter stood in front of"
    );
    let back_permit = match poll_once(&mut back) {
        std::task::Poll::Ready(permit) => permit.expect("open"),
        std::task::Poll::Pending => panic!("the waiter behind the cancelled one was skipped"),
    };
    drop(back_permit);
    assert!(poll_once(&mut last).is_ready());
    drop(last);
    assert_eq!(semaphore.available_permits(), 1, "no permit leaked");
}
