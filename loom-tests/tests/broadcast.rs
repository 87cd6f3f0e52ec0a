//! Models of `spindle_sync::broadcast`.
//!
//! What they prove: each of two receivers waiting in `recv()` on their own threads
//! gets a value sent concurrently (no lost wake-up for either), and once the sender
//! is dropped each then sees `Closed` rather than waiting forever.

#![cfg(loom)]

use loom::future::block_on;
use spindle_loom_tests::model;
use spindle_sync::broadcast;

#[test]
fn both_receivers_get_a_racing_send_then_closed() {
    model("both_receivers_get_a_racing_send_then_closed", || {
        let (tx, mut first) = broadcast::channel(2);
        let mut second = tx.subscribe();
        let other = loom::thread::spawn(move || {
            let value = block_on(second.recv()).expect("one value, then closed");
            let closed = block_on(second.recv()).is_err();
            (value, closed)
        });
        tx.send(5).expect("two receivers");
        drop(tx);
        assert_eq!(block_on(first.recv()).expect("sent"), 5);
        assert!(matches!(
            block_on(first.recv()),
            Err(broadcast::error::RecvError::Closed)
        ));
        assert_eq!(other.join().unwrap(), (5, true));
    });
}
