//! Models of `spindle_sync::broadcast`: per-slot locks for reading, a tail lock for
//! sending and waiting (see `sync/src/broadcast/ring.rs`).
//!
//! What they prove:
//! - each of two receivers waiting in `recv()` on their own threads gets a value sent
//!   concurrently, and once the sender is dropped each then sees `Closed` rather than
//!   waiting forever;
//! - a send racing a receiver that finds nothing and is about to queue its waker wakes
//!   it (the check and the queueing happen under the tail lock the send takes);
//! - a read racing two sends that overwrite its slot sees the values or exactly one
//!   `Lagged(1)`, in order, whatever the interleaving (including the slow path's
//!   retry), and every value is dropped exactly once, none left in the ring;
//! - a receiver dropped while a value is being sent and read gives back its share of
//!   that value, so once the remaining receiver has read it no copy is left in the
//!   ring;
//! - a receiver blocked in `recv()` while its one slot is overwritten and the channel
//!   closes sees both values or `Lagged(1)` and the last, then `Closed`: no lost
//!   wake-up on the lag or the close path.

#![cfg(loom)]

use std::sync::atomic::AtomicBool;
use std::task::Poll;

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use spindle_loom_tests::{model, poll_once, CountingWaker};
use spindle_sync::broadcast::{
    self,
    error::{RecvError, TryRecvError},
};

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
        assert!(matches!(block_on(first.recv()), Err(RecvError::Closed)));
        assert_eq!(other.join().unwrap(), (5, true));
    });
}

#[test]
fn a_send_racing_a_receiver_about_to_wait_wakes_it() {
    static SEEN_READY: AtomicBool = AtomicBool::new(false);
    static SEEN_WAITING: AtomicBool = AtomicBool::new(false);
    model("a_send_racing_a_receiver_about_to_wait_wakes_it", || {
        let (tx, mut rx) = broadcast::channel(1);
        // The sender is handed back so the channel stays open: `Closed` must not be
        // what ends the wait.
        let sender = loom::thread::spawn(move || {
            tx.send(7).expect("the receiver is alive");
            tx
        });
        let (counter, waker) = CountingWaker::new();
        let mut recv = rx.recv();
        let first = poll_once(&mut recv, &waker);
        let tx = sender.join().unwrap();
        match first {
            Poll::Ready(value) => {
                assert_eq!(value, Ok(7));
                SEEN_READY.store(true, Ordering::Relaxed);
            }
            Poll::Pending => {
                SEEN_WAITING.store(true, Ordering::Relaxed);
                assert_eq!(
                    counter.wakes(),
                    1,
                    "a receiver that queued before the send was not woken by it"
                );
                assert_eq!(poll_once(&mut recv, &waker), Poll::Ready(Ok(7)));
            }
        }
        drop(recv);
        drop(tx);
    });
    assert!(
        SEEN_READY.load(Ordering::Relaxed) && SEEN_WAITING.load(Ordering::Relaxed),
        "the model must explore both the receiver finding the value and it waiting"
    );
}

#[test]
fn an_overwrite_racing_a_read_gives_values_or_one_lag_and_drops_each_once() {
    static SEEN_BOTH_VALUES: AtomicBool = AtomicBool::new(false);
    static SEEN_LAG: AtomicBool = AtomicBool::new(false);
    model(
        "an_overwrite_racing_a_read_gives_values_or_one_lag_and_drops_each_once",
        || {
            let live = Arc::new(AtomicUsize::new(0));
            let (tx, mut rx) = broadcast::channel(1);
            tx.send(Tracked::new(1, &live)).expect("receiver alive");
            assert_eq!(rx.try_recv().map(|v| v.id), Ok(1));
            let sender_live = Arc::clone(&live);
            let sender = loom::thread::spawn(move || {
                // With one slot, the second send overwrites the first.
                tx.send(Tracked::new(2, &sender_live))
                    .expect("receiver alive");
                tx.send(Tracked::new(3, &sender_live))
                    .expect("receiver alive");
                tx
            });
            let mut seen = Vec::new();
            match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                other => seen.push(other.map(|v| v.id)),
            }
            let tx = sender.join().unwrap();
            loop {
                match rx.try_recv() {
                    Err(TryRecvError::Empty) => break,
                    other => seen.push(other.map(|v| v.id)),
                }
            }
            if seen == [Ok(2), Ok(3)] {
                SEEN_BOTH_VALUES.store(true, Ordering::Relaxed);
            } else if seen == [Err(TryRecvError::Lagged(1)), Ok(3)] {
                SEEN_LAG.store(true, Ordering::Relaxed);
            } else {
                panic!("unexpected sequence {seen:?}");
            }
            assert_eq!(
                live.load(Ordering::SeqCst),
                0,
                "every value was read or overwritten, so none may be alive"
            );
            drop(tx);
        },
    );
    assert!(
        SEEN_BOTH_VALUES.load(Ordering::Relaxed) && SEEN_LAG.load(Ordering::Relaxed),
        "the model must explore both the read winning and the overwrite winning"
    );
}

#[test]
fn a_receiver_dropped_racing_a_send_releases_its_share_of_the_value() {
    static SEEN_COUNTED: AtomicBool = AtomicBool::new(false);
    static SEEN_GONE: AtomicBool = AtomicBool::new(false);
    model(
        "a_receiver_dropped_racing_a_send_releases_its_share_of_the_value",
        || {
            let live = Arc::new(AtomicUsize::new(0));
            let (tx, mut kept) = broadcast::channel(2);
            let leaving = tx.subscribe();
            let dropper = loom::thread::spawn(move || drop(leaving));
            let receivers = tx
                .send(Tracked::new(1, &live))
                .expect("the kept receiver is alive");
            match receivers {
                2 => SEEN_COUNTED.store(true, Ordering::Relaxed),
                1 => SEEN_GONE.store(true, Ordering::Relaxed),
                n => panic!("{n} receivers"),
            }
            let value = kept.try_recv().expect("sent before this read");
            dropper.join().unwrap();
            assert_eq!(
                live.load(Ordering::SeqCst),
                1,
                "only the received copy may be alive: the dropped receiver must give \
                 back its share, and the last reader takes the value out of the ring"
            );
            drop(value);
            assert_eq!(live.load(Ordering::SeqCst), 0);
            drop(tx);
        },
    );
    assert!(
        SEEN_COUNTED.load(Ordering::Relaxed) && SEEN_GONE.load(Ordering::Relaxed),
        "the model must explore the send counting the leaving receiver and not"
    );
}

#[test]
fn a_waiting_receiver_racing_overwrites_and_close_sees_every_value_or_the_lag() {
    static SEEN_BOTH_VALUES: AtomicBool = AtomicBool::new(false);
    static SEEN_LAG: AtomicBool = AtomicBool::new(false);
    model(
        "a_waiting_receiver_racing_overwrites_and_close_sees_every_value_or_the_lag",
        || {
            let (tx, mut rx) = broadcast::channel(1);
            let receiver = loom::thread::spawn(move || {
                let mut seen = Vec::new();
                loop {
                    match block_on(rx.recv()) {
                        Err(RecvError::Closed) => return seen,
                        other => seen.push(other),
                    }
                }
            });
            tx.send(1).expect("the receiver is alive");
            let _ = tx.send(2);
            drop(tx);
            let seen = receiver.join().unwrap();
            if seen == [Ok(1), Ok(2)] {
                SEEN_BOTH_VALUES.store(true, Ordering::Relaxed);
            } else if seen == [Err(RecvError::Lagged(1)), Ok(2)] {
                SEEN_LAG.store(true, Ordering::Relaxed);
            } else {
                panic!("unexpected sequence {seen:?}");
            }
        },
    );
    assert!(
        SEEN_BOTH_VALUES.load(Ordering::Relaxed) && SEEN_LAG.load(Ordering::Relaxed),
        "the model must explore both the receiver keeping up and it lagging"
    );
}

/// A value that counts how many copies of it are alive.
#[derive(Debug)]
struct Tracked {
    id: u32,
    live: Arc<AtomicUsize>,
}

impl Tracked {
    fn new(id: u32, live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Tracked {
            id,
            live: Arc::clone(live),
        }
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        Tracked::new(self.id, &self.live)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}
