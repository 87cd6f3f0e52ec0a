//! Models of `spindle_sync::watch`.
//!
//! What they prove: a `send` racing a receiver entering `changed()` is never missed
//! (the receiver wakes and sees the new value), and dropping the last sender wakes a
//! receiver waiting in `changed()` with an error instead of leaving it asleep.

#![cfg(loom)]

use loom::future::block_on;
use spindle_loom_tests::model;
use spindle_sync::watch;

#[test]
fn send_racing_changed_is_seen() {
    model("send_racing_changed_is_seen", || {
        let (tx, mut rx) = watch::channel(0);
        let receiver = loom::thread::spawn(move || {
            block_on(rx.changed()).expect("the sender is alive until it sent");
            *rx.borrow_and_update()
        });
        tx.send(1).expect("a receiver exists");
        assert_eq!(receiver.join().unwrap(), 1);
    });
}

#[test]
fn dropping_the_sender_wakes_a_waiting_receiver() {
    model("dropping_the_sender_wakes_a_waiting_receiver", || {
        let (tx, mut rx) = watch::channel(0);
        let receiver = loom::thread::spawn(move || block_on(rx.changed()));
        drop(tx);
        assert!(receiver.join().unwrap().is_err());
    });
}
