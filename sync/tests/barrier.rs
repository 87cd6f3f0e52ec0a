//! Barrier: release in groups, one leader per round, reuse and cancellation.

mod common;

use std::sync::Arc;
use std::task::Poll;

use common::{poll_once, Counter};
use spindle_sync::Barrier;

#[test]
fn nobody_passes_until_the_last_arrives_and_exactly_one_leads() {
    let barrier = Barrier::new(3);
    let counter = Counter::new();
    let mut first = Box::pin(barrier.wait());
    let mut second = Box::pin(barrier.wait());
    assert!(counter.poll(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    let Poll::Ready(last) = poll_once(&mut Box::pin(barrier.wait())) else {
        panic!("the last arrival must pass at once");
    };
    assert!(counter.was_woken());
    let Poll::Ready(first) = poll_once(&mut first) else {
        panic!("released")
    };
    let Poll::Ready(second) = poll_once(&mut second) else {
        panic!("released")
    };
    assert!(last.is_leader());
    assert!(!first.is_leader() && !second.is_leader());
}

#[test]
fn barrier_is_reusable_for_the_next_round() {
    let barrier = Barrier::new(1);
    for _ in 0..3 {
        assert!(futures::executor::block_on(barrier.wait()).is_leader());
    }
}

#[test]
fn dropped_waiter_withdraws_its_arrival() {
    let barrier = Barrier::new(2);
    let mut dropped = Box::pin(barrier.wait());
    assert!(poll_once(&mut dropped).is_pending());
    drop(dropped);
    let mut next = Box::pin(barrier.wait());
    assert!(poll_once(&mut next).is_pending(), "one live task of two");
}

#[test]
fn threads_meet_at_the_barrier_for_several_rounds() {
    let barrier = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                (0..50)
                    .filter(|_| futures::executor::block_on(barrier.wait()).is_leader())
                    .count()
            })
        })
        .collect();
    let leaders: usize = threads
        .into_iter()
        .map(|thread| thread.join().expect("thread panicked"))
        .sum();
    assert_eq!(leaders, 50);
}
