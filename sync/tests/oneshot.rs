//! oneshot: delivery, closing from either side, try_recv and blocking_recv.

mod common;

use std::task::Poll;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::oneshot::{self, error::TryRecvError};

#[test]
fn value_sent_is_received() {
    let (tx, rx) = oneshot::channel();
    tx.send("hello").expect("receiver alive");
    assert_eq!(block_on(rx), Ok("hello"));
}

#[test]
fn dropping_the_sender_fails_the_receiver() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    assert!(block_on(rx).is_err());
}

#[test]
fn send_wakes_a_waiting_receiver() {
    let (tx, mut rx) = oneshot::channel();
    let counter = Counter::new();
    assert!(counter.poll(&mut rx).is_pending());
    tx.send(1).expect("receiver alive");
    assert_eq!(counter.wakes(), 1);
    assert_eq!(poll_once(&mut rx), Poll::Ready(Ok(1)));
}

#[test]
fn send_to_a_dropped_receiver_gives_the_value_back() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(5), Err(5));
}

#[test]
fn closed_completes_when_the_receiver_is_dropped() {
    let (mut tx, rx) = oneshot::channel::<()>();
    let counter = Counter::new();
    {
        let mut closed = Box::pin(tx.closed());
        assert!(counter.poll(&mut closed).is_pending());
        drop(rx);
        assert_eq!(counter.wakes(), 1);
        assert!(poll_once(&mut closed).is_ready());
    }
}

#[test]
fn receiver_close_rejects_later_sends_but_keeps_earlier_value() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    let (tx, mut rx) = oneshot::channel();
    tx.send(2).expect("receiver open");
    rx.close();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn try_recv_reports_empty_then_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(3).expect("receiver alive");
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn dropping_a_pending_receive_loses_nothing() {
    let (tx, mut rx) = oneshot::channel();
    {
        let mut receiving = Box::pin(&mut rx);
        assert!(poll_once(&mut receiving).is_pending());
    }
    tx.send(4).expect("receiver alive");
    assert_eq!(block_on(rx), Ok(4));
}

#[test]
fn dropping_the_receiver_drops_an_unreceived_value() {
    let (tx, rx) = oneshot::channel();
    let value = std::sync::Arc::new(());
    tx.send(std::sync::Arc::clone(&value))
        .expect("receiver alive");
    drop(rx);
    assert_eq!(std::sync::Arc::strong_count(&value), 1);
}

#[test]
fn blocking_recv_waits_for_a_sender_on_another_thread() {
    let (tx, rx) = oneshot::channel();
    let sender = std::thread::spawn(move || tx.send(42).expect("receiver alive"));
    assert_eq!(rx.blocking_recv(), Ok(42));
    sender.join().expect("sender panicked");
}
