//! CancellationToken: propagation down the tree, waiting, guards and cancellation.

mod common;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::CancellationToken;

#[test]
fn cancel_is_seen_by_every_clone() {
    let token = CancellationToken::new();
    let clone = token.clone();
    token.cancel();
    assert!(clone.is_cancelled());
}

#[test]
fn cancelling_a_parent_cancels_grandchildren() {
    let parent = CancellationToken::new();
    let grandchild = parent.child_token().child_token();
    parent.cancel();
    assert!(grandchild.is_cancelled());
}

#[test]
fn cancelling_a_child_leaves_the_parent_alone() {
    let parent = CancellationToken::new();
    let child = parent.child_token();
    child.cancel();
    assert!(!parent.is_cancelled());
}

#[test]
fn child_of_a_cancelled_token_is_born_cancelled() {
    let parent = CancellationToken::new();
    parent.cancel();
    assert!(parent.child_token().is_cancelled());
}

#[test]
fn cancel_wakes_a_waiting_cancelled_future() {
    let token = CancellationToken::new();
    let counter = Counter::new();
    let mut cancelled = token.cancelled();
    assert!(counter.poll(&mut cancelled).is_pending());
    token.cancel();
    assert_eq!(counter.wakes(), 1);
    assert!(poll_once(&mut cancelled).is_ready());
}

#[test]
fn parent_cancel_wakes_a_future_waiting_on_a_child() {
    let parent = CancellationToken::new();
    let child = parent.child_token();
    let counter = Counter::new();
    let mut cancelled = child.clone().cancelled_owned();
    assert!(counter.poll(&mut cancelled).is_pending());
    parent.cancel();
    assert!(counter.was_woken());
    assert!(poll_once(&mut cancelled).is_ready());
}

#[test]
fn dropped_waiting_future_does_not_stop_others_being_woken() {
    let token = CancellationToken::new();
    let mut dropped = token.cancelled();
    let mut kept = token.cancelled();
    assert!(poll_once(&mut dropped).is_pending());
    assert!(poll_once(&mut kept).is_pending());
    drop(dropped);
    token.cancel();
    assert!(poll_once(&mut kept).is_ready());
}

#[test]
fn drop_guard_cancels_unless_disarmed() {
    let token = CancellationToken::new();
    drop(token.clone().drop_guard());
    assert!(token.is_cancelled());

    let token = CancellationToken::new();
    let _kept = token.clone().drop_guard().disarm();
    assert!(!token.is_cancelled());
}

#[test]
fn run_until_cancelled_returns_the_output_when_not_cancelled() {
    let token = CancellationToken::new();
    assert_eq!(block_on(token.run_until_cancelled(async { 5 })), Some(5));
}

#[test]
fn many_dropped_children_do_not_keep_the_parent_busy() {
    // Children that are dropped unlink themselves; cancelling afterwards must still
    // work and reach the children that remain.
    let parent = CancellationToken::new();
    for _ in 0..1_000 {
        drop(parent.child_token().child_token());
    }
    let survivor = parent.child_token();
    parent.cancel();
    assert!(survivor.is_cancelled());
}

#[test]
fn cancel_from_another_thread_releases_a_blocked_waiter() {
    let token = CancellationToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || token.cancel())
    };
    block_on(token.cancelled());
    canceller.join().expect("canceller panicked");
}
