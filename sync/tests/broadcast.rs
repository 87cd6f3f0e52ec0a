//! broadcast: fan-out, lag reporting, subscription and closing.

mod common;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::broadcast::{
    self,
    error::{RecvError, TryRecvError},
};

#[test]
fn every_receiver_gets_every_value() {
    let (tx, mut first) = broadcast::channel(4);
    let mut second = tx.subscribe();
    assert_eq!(tx.send(1), Ok(2));
    tx.send(2).expect("receivers exist");
    for rx in [&mut first, &mut second] {
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    }
}

#[test]
fn slow_receiver_is_told_how_many_values_it_lost_then_resumes_at_the_oldest() {
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(i).expect("receiver exists");
    }
    assert_eq!(block_on(rx.recv()), Err(RecvError::Lagged(3)));
    assert_eq!(block_on(rx.recv()), Ok(3));
    assert_eq!(block_on(rx.recv()), Ok(4));
}

#[test]
fn send_wakes_a_waiting_receiver() {
    let (tx, mut rx) = broadcast::channel(1);
    let counter = Counter::new();
    let mut recv = rx.recv();
    assert!(counter.poll(&mut recv).is_pending());
    tx.send(9).expect("receiver exists");
    assert_eq!(counter.wakes(), 1);
    assert_eq!(poll_once(&mut recv), std::task::Poll::Ready(Ok(9)));
}

#[test]
fn receivers_drain_the_backlog_before_reporting_closed() {
    let (tx, mut rx) = broadcast::channel(4);
    tx.send(1).expect("receiver exists");
    drop(tx);
    assert_eq!(block_on(rx.recv()), Ok(1));
    assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
}

#[test]
fn send_without_receivers_gives_the_value_back() {
    let (tx, rx) = broadcast::channel(1);
    drop(rx);
    assert_eq!(tx.send(5).map_err(|e| e.0), Err(5));
}

#[test]
fn subscriber_sees_only_values_sent_after_it_subscribed() {
    let (tx, _rx) = broadcast::channel(4);
    tx.send(1).expect("receiver exists");
    let mut late = tx.subscribe();
    tx.send(2).expect("receiver exists");
    assert_eq!(late.try_recv(), Ok(2));
}

#[test]
fn resubscribe_skips_the_backlog_of_the_original() {
    let (tx, mut rx) = broadcast::channel(4);
    tx.send(1).expect("receiver exists");
    let mut fresh = rx.resubscribe();
    assert_eq!(fresh.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn dropped_recv_future_consumes_nothing() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut recv = rx.recv();
        assert!(poll_once(&mut recv).is_pending());
    }
    tx.send(1).expect("receiver exists");
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn receiver_on_another_thread_gets_values_in_order() {
    let (tx, mut rx) = broadcast::channel(1_000);
    let receiver = std::thread::spawn(move || {
        (0..1_000)
            .map(|_| rx.blocking_recv().expect("no lag with room for all"))
            .collect::<Vec<u32>>()
    });
    for i in 0..1_000 {
        tx.send(i).expect("receiver exists");
    }
    let got = receiver.join().expect("receiver panicked");
    assert_eq!(got, (0..1_000).collect::<Vec<_>>());
}
