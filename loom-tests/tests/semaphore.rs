//! Models of `spindle_sync::Semaphore` and `spindle_sync::Mutex` (a one-permit
//! semaphore around a loom-tracked cell).
//!
//! What they prove: a released permit goes to the waiter at the front, never to a
//! later one polled at the same moment (FIFO); a waiter cancelled while a permit is
//! being handed to it gives the permit back, and it flows on to the next waiter; and
//! a waiter polled while its grant is being published, or while the semaphore closes,
//! sees the outcome whole (it reads it without the lock, from its own node) and the
//! releaser never touches the node after publishing it; the mutex gives mutual exclusion (loom checks the cell's accesses) with no lost
//! wake-up between two lockers and a cancelled one.

#![cfg(loom)]

use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::Poll;

use loom::future::block_on;
use loom::sync::Arc;
use spindle_loom_tests::{model, poll_noop};
use spindle_sync::{Mutex, Semaphore};

#[test]
fn released_permit_goes_to_the_front_waiter() {
    model("released_permit_goes_to_the_front_waiter", || {
        let semaphore = Arc::new(Semaphore::new(0));
        let mut front = pin!(semaphore.acquire());
        let mut back = pin!(semaphore.acquire());
        assert!(poll_noop(&mut front.as_mut()).is_pending());
        assert!(poll_noop(&mut back.as_mut()).is_pending());

        let releaser = {
            let semaphore = semaphore.clone();
            loom::thread::spawn(move || semaphore.add_permits(1))
        };
        assert!(
            poll_noop(&mut back.as_mut()).is_pending(),
            "the back waiter never overtakes the front one"
        );
        releaser.join().unwrap();
        assert!(poll_noop(&mut back.as_mut()).is_pending());
        let Poll::Ready(permit) = poll_noop(&mut front.as_mut()) else {
            panic!("the front waiter got the released permit");
        };
        drop(permit.expect("open"));
        assert!(
            poll_noop(&mut back.as_mut()).is_ready(),
            "then the back one"
        );
    });
}

#[test]
fn cancelled_waiter_gives_its_permit_to_the_next() {
    model("cancelled_waiter_gives_its_permit_to_the_next", || {
        // std's Arc: `acquire_owned` takes `self: Arc<Self>`; the semaphore's own
        // state is still loom's.
        let semaphore = StdArc::new(Semaphore::new(1));
        let held = semaphore.clone().try_acquire_owned().expect("one permit");
        let mut cancelled = Box::pin(semaphore.clone().acquire_owned());
        let mut next = pin!(semaphore.clone().acquire_owned());
        assert!(poll_noop(&mut cancelled.as_mut()).is_pending());
        assert!(poll_noop(&mut next.as_mut()).is_pending());

        let canceller = loom::thread::spawn(move || drop(cancelled));
        drop(held); // may hand the permit to the waiter being cancelled
        canceller.join().unwrap();

        let Poll::Ready(permit) = poll_noop(&mut next.as_mut()) else {
            panic!("the permit flowed on to the next waiter");
        };
        assert_eq!(semaphore.available_permits(), 0);
        drop(permit);
        assert_eq!(
            semaphore.available_permits(),
            1,
            "no permit leaked or doubled"
        );
    });
}

#[test]
fn mutex_excludes_and_wakes_the_waiting_locker() {
    model("mutex_excludes_and_wakes_the_waiting_locker", || {
        let mutex = Arc::new(Mutex::new(0));
        let other = {
            let mutex = mutex.clone();
            loom::thread::spawn(move || *block_on(mutex.lock()) += 1)
        };
        *block_on(mutex.lock()) += 1;
        other.join().unwrap();
        assert_eq!(*block_on(mutex.lock()), 2);
    });
}

#[test]
fn mutex_lock_cancelled_during_hand_over_passes_the_lock_on() {
    model(
        "mutex_lock_cancelled_during_hand_over_passes_the_lock_on",
        || {
            let mutex = StdArc::new(Mutex::new(0));
            let guard = mutex.clone().try_lock_owned().expect("unlocked");
            let mut cancelled = Box::pin(mutex.clone().lock_owned());
            assert!(poll_noop(&mut cancelled.as_mut()).is_pending());

            let canceller = loom::thread::spawn(move || drop(cancelled));
            drop(guard);
            canceller.join().unwrap();

            assert!(mutex.try_lock().is_ok(), "the lock is free again");
        },
    );
}

#[test]
fn waiter_polled_while_its_grant_is_published_gets_all_of_it() {
    model(
        "waiter_polled_while_its_grant_is_published_gets_all_of_it",
        || {
            let semaphore = Arc::new(Semaphore::new(0));
            let releaser_semaphore = semaphore.clone();
            let mut waiter = pin!(semaphore.acquire_many(2));
            assert!(poll_noop(&mut waiter.as_mut()).is_pending());

            let releaser = loom::thread::spawn(move || releaser_semaphore.add_permits(2));
            // Races the grant: reads the node's outcome without the lock.
            let early = poll_noop(&mut waiter.as_mut());
            releaser.join().unwrap();
            let permit = match early {
                Poll::Ready(permit) => permit,
                Poll::Pending => match poll_noop(&mut waiter.as_mut()) {
                    Poll::Ready(permit) => permit,
                    Poll::Pending => panic!("the grant was lost"),
                },
            }
            .expect("open");
            assert_eq!(permit.num_permits(), 2);
            assert_eq!(semaphore.available_permits(), 0);
            drop(permit);
            assert_eq!(semaphore.available_permits(), 2, "no permit leaked");
        },
    );
}

#[test]
fn granted_waiter_dropped_while_the_grant_is_published_returns_it() {
    model(
        "granted_waiter_dropped_while_the_grant_is_published_returns_it",
        || {
            let semaphore = StdArc::new(Semaphore::new(0));
            let mut waiter = Box::pin(semaphore.clone().acquire_owned());
            assert!(poll_noop(&mut waiter.as_mut()).is_pending());

            let releaser = {
                let semaphore = semaphore.clone();
                loom::thread::spawn(move || semaphore.add_permits(1))
            };
            // The owner frees the node, possibly right after the releaser published
            // the grant: the releaser must be done with the node by then.
            drop(waiter);
            releaser.join().unwrap();
            assert_eq!(semaphore.available_permits(), 1, "the grant came back");
        },
    );
}

#[test]
fn close_racing_a_queued_waiter_fails_it_and_keeps_the_permits() {
    model(
        "close_racing_a_queued_waiter_fails_it_and_keeps_the_permits",
        || {
            let semaphore = Arc::new(Semaphore::new(1));
            let closer_semaphore = semaphore.clone();
            let mut waiter = pin!(semaphore.acquire_many(2));
            assert!(poll_noop(&mut waiter.as_mut()).is_pending());

            let closer = loom::thread::spawn(move || closer_semaphore.close());
            let early = poll_noop(&mut waiter.as_mut());
            closer.join().unwrap();
            let outcome = match early {
                Poll::Ready(outcome) => outcome,
                Poll::Pending => match poll_noop(&mut waiter.as_mut()) {
                    Poll::Ready(outcome) => outcome,
                    Poll::Pending => panic!("close did not complete the waiter"),
                },
            };
            assert!(outcome.is_err(), "a closed semaphore grants nothing");
            assert_eq!(semaphore.available_permits(), 1, "the instalment came back");
        },
    );
}
