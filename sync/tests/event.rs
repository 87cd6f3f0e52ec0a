//! Event: asyncio's latched flag.

mod common;

use common::{poll_once, Counter};
use spindle_sync::Event;

#[test]
fn wait_on_a_set_event_returns_at_once() {
    let event = Event::new();
    event.set();
    assert!(poll_once(&mut Box::pin(event.wait())).is_ready());
}

#[test]
fn set_wakes_every_waiter() {
    let event = Event::new();
    let (a, b) = (Counter::new(), Counter::new());
    let mut first = Box::pin(event.wait());
    let mut second = Box::pin(event.wait());
    assert!(a.poll(&mut first).is_pending());
    assert!(b.poll(&mut second).is_pending());
    event.set();
    assert_eq!((a.wakes(), b.wakes()), (1, 1));
    assert!(poll_once(&mut first).is_ready());
    assert!(poll_once(&mut second).is_ready());
}

#[test]
fn waiter_woken_by_set_returns_even_if_cleared_before_it_runs() {
    let event = Event::new();
    let mut waiting = Box::pin(event.wait());
    assert!(poll_once(&mut waiting).is_pending());
    event.set();
    event.clear();
    assert!(poll_once(&mut waiting).is_ready());
}

#[test]
fn clear_makes_later_waits_block_again() {
    let event = Event::new();
    event.set();
    event.clear();
    assert!(!event.is_set());
    assert!(poll_once(&mut Box::pin(event.wait())).is_pending());
}
