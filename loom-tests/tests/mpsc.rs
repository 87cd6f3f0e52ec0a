//! Models of `spindle_sync::mpsc`, bounded and unbounded.
//!
//! What they prove: a sender waiting on a full bounded channel is woken when a slot
//! frees, and messages keep their order; a waiting sender that is dropped gives its
//! reserved slot back, so capacity never leaks; closing the receiver while a sender
//! waits wakes the sender, and everything accepted is still received; an unbounded
//! receiver sees a racing send and then `None` once the last sender is gone; a
//! receiver dropped while waiting closes the channel and every message is dropped
//! exactly once (delivered into the channel and dropped with it, or refused).
//!
//! The lock-free list (blocks of 2 slots under loom, so these cross block boundaries):
//! a send racing a receiver that goes to sleep wakes it through the slot's waiting bit
//! alone (the sender stays alive, so no close rescues a lost wake-up); senders racing
//! to link the next block while the receiver sleeps on a position in a block nobody
//! has linked yet deliver everything, each sender's messages in order;
//! a stream across several blocks arrives whole while the receiver frees the blocks
//! behind it and the sender moves the tail forward; a receiver dropped while a
//! permit's message is mid-write drops that message exactly once, before the sender
//! returns; the last permit of a closed channel dropped on another thread wakes
//! the receiver with `None`; and a wake-up that arrives while another is still being
//! delivered reaches a receiver that re-registered the same waker (polled by hand with
//! one counting waker: `block_on`'s waker may wake spuriously, which hides a lost
//! wake-up).

#![cfg(loom)]

use std::pin::pin;
use std::task::Poll;

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;

use spindle_loom_tests::{model, poll_noop, poll_once, CountingWaker};
use spindle_sync::mpsc;

#[test]
fn full_bounded_channel_wakes_a_waiting_sender_in_order() {
    model(
        "full_bounded_channel_wakes_a_waiting_sender_in_order",
        || {
            let (tx, mut rx) = mpsc::channel(1);
            tx.try_send(1).expect("one free slot");
            let sender = loom::thread::spawn(move || block_on(tx.send(2)).expect("open"));
            assert_eq!(block_on(rx.recv()), Some(1));
            assert_eq!(block_on(rx.recv()), Some(2));
            sender.join().unwrap();
            assert_eq!(block_on(rx.recv()), None, "the only sender is gone");
        },
    );
}

#[test]
fn dropped_waiting_sender_gives_its_slot_back() {
    model("dropped_waiting_sender_gives_its_slot_back", || {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).expect("one free slot");
        let waiter_tx = tx.clone();
        let waiter = loom::thread::spawn(move || {
            let mut send = pin!(waiter_tx.send(2));
            // Either it waits (and is then cancelled) or the slot was already free.
            if poll_noop(&mut send.as_mut()).is_ready() {
                return true;
            }
            false
        });
        assert_eq!(rx.try_recv().ok(), Some(1));
        let waiter_sent = waiter.join().unwrap();
        if waiter_sent {
            assert_eq!(rx.try_recv().ok(), Some(2));
        }
        tx.try_send(3)
            .expect("the cancelled sender's slot came back");
        assert_eq!(rx.try_recv().ok(), Some(3));
    });
}

#[test]
fn receiver_close_wakes_a_waiting_sender_and_keeps_what_was_accepted() {
    model(
        "receiver_close_wakes_a_waiting_sender_and_keeps_what_was_accepted",
        || {
            let (tx, mut rx) = mpsc::channel(1);
            tx.try_send(1).expect("one free slot");
            let sender = loom::thread::spawn(move || block_on(tx.send(2)).is_ok());
            rx.close();
            let second_accepted = sender.join().unwrap();
            assert_eq!(block_on(rx.recv()), Some(1));
            if second_accepted {
                assert_eq!(block_on(rx.recv()), Some(2));
            }
            assert_eq!(block_on(rx.recv()), None);
        },
    );
}

#[test]
fn unbounded_receiver_sees_a_racing_send_then_none() {
    model("unbounded_receiver_sees_a_racing_send_then_none", || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let sender = loom::thread::spawn(move || tx.send(1).expect("receiver alive"));
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), None);
        sender.join().unwrap();
    });
}

struct Message(Arc<AtomicUsize>);

impl Drop for Message {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn unbounded_receiver_dropped_while_waiting_closes_and_drops_each_message_once() {
    model(
        "unbounded_receiver_dropped_while_waiting_closes_and_drops_each_message_once",
        || {
            let drops = Arc::new(AtomicUsize::new(0));
            let (tx, mut rx) = mpsc::unbounded_channel();
            let receiver = loom::thread::spawn(move || {
                let received = {
                    let mut recv = pin!(rx.recv());
                    poll_noop(&mut recv.as_mut())
                };
                drop(rx);
                received.is_ready()
            });
            let refused = tx.send(Message(drops.clone())).err();
            let got_it = receiver.join().unwrap();
            assert!(tx.is_closed(), "a dropped receiver closes the channel");
            if got_it {
                assert!(refused.is_none());
            }
            drop(refused);
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        },
    );
}

#[test]
fn senders_racing_over_a_block_boundary_deliver_everything_in_order() {
    model(
        "senders_racing_over_a_block_boundary_deliver_everything_in_order",
        || {
            let (tx, mut rx) = mpsc::unbounded_channel();
            // Position 0; the two racing sends take 1 and 2, the second in a block that
            // one of the three threads has to link.
            tx.send((0, 0)).expect("receiver alive");
            let senders: Vec<_> = (1..=2)
                .map(|sender| {
                    let tx = tx.clone();
                    loom::thread::spawn(move || tx.send((sender, 0)).expect("receiver alive"))
                })
                .collect();
            drop(tx);
            let mut got = Vec::new();
            while let Some(message) = block_on(rx.recv()) {
                got.push(message);
            }
            for sender in senders {
                sender.join().unwrap();
            }
            got.sort();
            assert_eq!(got, [(0, 0), (1, 0), (2, 0)]);
        },
    );
}

#[test]
fn a_stream_across_blocks_arrives_whole_while_blocks_are_freed() {
    model(
        "a_stream_across_blocks_arrives_whole_while_blocks_are_freed",
        || {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let sender = loom::thread::spawn(move || {
                for i in 0..3 {
                    tx.send(i).expect("receiver alive");
                }
            });
            for i in 0..3 {
                assert_eq!(block_on(rx.recv()), Some(i));
            }
            assert_eq!(block_on(rx.recv()), None);
            sender.join().unwrap();
        },
    );
}

#[test]
fn receiver_dropped_during_a_permit_send_drops_the_message_once() {
    model(
        "receiver_dropped_during_a_permit_send_drops_the_message_once",
        || {
            let drops = Arc::new(AtomicUsize::new(0));
            let (tx, rx) = mpsc::channel(2);
            tx.try_send(Message(drops.clone())).expect("room");
            let permit = tx.clone().try_reserve_owned().expect("room");
            let message = Message(drops.clone());
            let sender = loom::thread::spawn(move || drop(permit.send(message)));
            drop(rx);
            sender.join().unwrap();
            assert!(tx.is_closed());
            assert_eq!(
                drops.load(Ordering::SeqCst),
                2,
                "both messages dropped while a sender still lives"
            );
        },
    );
}

#[test]
fn last_permit_dropped_after_close_wakes_the_receiver_with_none() {
    model(
        "last_permit_dropped_after_close_wakes_the_receiver_with_none",
        || {
            let (tx, mut rx) = mpsc::channel::<u8>(1);
            let permit = tx.clone().try_reserve_owned().expect("room");
            rx.close();
            let releaser = loom::thread::spawn(move || drop(permit));
            assert_eq!(block_on(rx.recv()), None);
            releaser.join().unwrap();
            drop(tx);
        },
    );
}

#[test]
fn send_racing_a_sleeping_receiver_wakes_it_while_the_sender_lives() {
    model(
        "send_racing_a_sleeping_receiver_wakes_it_while_the_sender_lives",
        || {
            let (tx, mut rx) = mpsc::unbounded_channel();
            // The thread hands its sender back, so the channel stays open throughout.
            let sender = loom::thread::spawn(move || {
                tx.send(1).expect("receiver alive");
                tx
            });
            assert_eq!(block_on(rx.recv()), Some(1));
            let tx = sender.join().unwrap();
            drop(tx);
        },
    );
}

#[test]
fn a_wake_overlapping_another_still_reaches_the_receiver() {
    model(
        "a_wake_overlapping_another_still_reaches_the_receiver",
        || {
            let (tx, mut rx) = mpsc::unbounded_channel();
            // Two senders whose wake-ups may overlap: the second may come while the
            // first is still delivering. Both hand their sender back, so only the
            // slots' wake-ups can wake the receiver.
            let senders: Vec<_> = (1..=2)
                .map(|i| {
                    let tx = tx.clone();
                    loom::thread::spawn(move || {
                        tx.send(i).expect("receiver alive");
                        tx
                    })
                })
                .collect();
            // Poll like an executor, with one waker throughout (so re-registering
            // finds it already in place), and sleep only until it is woken.
            let (counter, waker) = CountingWaker::new();
            let mut got = Vec::new();
            while got.len() < 2 {
                let wakes_before = counter.wakes();
                match poll_once(&mut pin!(rx.recv()), &waker) {
                    Poll::Ready(message) => got.push(message.expect("senders alive")),
                    Poll::Pending => {
                        // A lost wake-up spins here until loom gives up.
                        while counter.wakes() == wakes_before {
                            loom::thread::yield_now();
                        }
                    }
                }
            }
            got.sort();
            assert_eq!(got, [1, 2]);
            for sender in senders {
                drop(sender.join().unwrap());
            }
            drop(tx);
        },
    );
}
