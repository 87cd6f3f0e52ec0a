//! Models of `spindle_sync::oneshot`: one atomic state word handing the value and
//! waker cells between the two halves, raced from two threads.
//!
//! What they prove: a send racing an await is received (a lost wake-up shows as a loom
//! deadlock in `block_on`); a sender dropped while the receiver waits wakes it with an
//! error; a receiver closing while a value is sent delivers the value exactly once
//! (back to the sender, or to `try_recv`), never both and never neither; a sender
//! waiting in `closed()` is woken when the receiver goes away; and a receiver that
//! moves to a new waker while the send races (clearing and re-setting its waker bit)
//! is still woken.

#![cfg(loom)]

use loom::future::block_on;
use spindle_loom_tests::{model, poll_noop};
use spindle_sync::oneshot;

#[test]
fn send_racing_an_awaiting_receiver_is_received() {
    model("send_racing_an_awaiting_receiver_is_received", || {
        let (tx, rx) = oneshot::channel();
        let sender = loom::thread::spawn(move || tx.send(7).expect("receiver alive"));
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

#[test]
fn sender_dropped_while_receiver_waits_wakes_it_with_an_error() {
    model(
        "sender_dropped_while_receiver_waits_wakes_it_with_an_error",
        || {
            let (tx, rx) = oneshot::channel::<u32>();
            let dropper = loom::thread::spawn(move || drop(tx));
            assert!(block_on(rx).is_err());
            dropper.join().unwrap();
        },
    );
}

#[test]
fn close_racing_send_delivers_the_value_exactly_once() {
    model("close_racing_send_delivers_the_value_exactly_once", || {
        let (tx, mut rx) = oneshot::channel();
        let sender = loom::thread::spawn(move || tx.send(7));
        rx.close();
        let sent = sender.join().unwrap();
        let received = rx.try_recv();
        match sent {
            Ok(()) => assert_eq!(received, Ok(7), "a sent value is still received"),
            Err(value) => {
                assert_eq!(value, 7, "a refused value goes back to the sender");
                assert!(received.is_err());
            }
        }
    });
}

#[test]
fn sender_waiting_in_closed_is_woken_when_the_receiver_drops() {
    model(
        "sender_waiting_in_closed_is_woken_when_the_receiver_drops",
        || {
            let (mut tx, rx) = oneshot::channel::<u32>();
            let dropper = loom::thread::spawn(move || drop(rx));
            block_on(tx.closed());
            assert!(tx.is_closed());
            dropper.join().unwrap();
        },
    );
}

#[test]
fn receiver_switching_wakers_while_the_send_races_is_woken() {
    model(
        "receiver_switching_wakers_while_the_send_races_is_woken",
        || {
            let (tx, mut rx) = oneshot::channel();
            // First poll registers one waker; `block_on` then polls with another.
            let first = poll_noop(&mut rx);
            let sender = loom::thread::spawn(move || tx.send(7).expect("receiver alive"));
            if first.is_pending() {
                assert_eq!(block_on(&mut rx), Ok(7));
            }
            sender.join().unwrap();
        },
    );
}
