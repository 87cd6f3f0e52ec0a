//! broadcast's per-slot ring: when values are dropped, what a cancelled or dropped
//! receiver gives back, exact capacities, and many receivers on real threads racing
//! one sender (in step and lagging).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::Poll;

use common::{poll_once, Counter};
use spindle_sync::broadcast::{
    self,
    error::{RecvError, TryRecvError},
};

/// A value that counts its live copies and how often it was cloned.
#[derive(Debug)]
struct Tracked {
    id: u32,
    stats: Arc<Stats>,
}

#[derive(Debug, Default)]
struct Stats {
    live: AtomicUsize,
    clones: AtomicUsize,
    panic_on_next_clone: AtomicBool,
}

impl Stats {
    fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    fn clones(&self) -> usize {
        self.clones.load(Ordering::SeqCst)
    }
}

impl Tracked {
    fn new(id: u32, stats: &Arc<Stats>) -> Self {
        stats.live.fetch_add(1, Ordering::SeqCst);
        Tracked {
            id,
            stats: Arc::clone(stats),
        }
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        if self.stats.panic_on_next_clone.swap(false, Ordering::SeqCst) {
            panic!("clone refused on purpose");
        }
        self.stats.clones.fetch_add(1, Ordering::SeqCst);
        Tracked::new(self.id, &self.stats)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.stats.live.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn a_value_is_dropped_once_every_receiver_has_read_it() {
    let stats = Arc::new(Stats::default());
    let (tx, mut first) = broadcast::channel(4);
    let mut second = tx.subscribe();
    tx.send(Tracked::new(1, &stats)).expect("receivers exist");
    let a = first.try_recv().expect("sent");
    assert_eq!(stats.live(), 2, "the ring keeps it for the second receiver");
    let b = second.try_recv().expect("sent");
    drop((a, b));
    assert_eq!(stats.live(), 0, "nothing of it is left in the ring");
}

#[test]
fn every_receiver_gets_a_clone_and_the_ring_drops_its_copy_after_the_last_read() {
    let stats = Arc::new(Stats::default());
    let (tx, mut first) = broadcast::channel(4);
    let mut second = tx.subscribe();
    tx.send(Tracked::new(1, &stats)).expect("receivers exist");
    let _a = first.try_recv().expect("sent");
    let _b = second.try_recv().expect("sent");
    assert_eq!(stats.clones(), 2, "two receivers, two clones (as tokio)");
    assert_eq!(stats.live(), 2, "the ring's own copy is gone");
}

#[test]
fn dropping_a_receiver_releases_the_values_it_had_not_read() {
    let stats = Arc::new(Stats::default());
    let (tx, mut reader) = broadcast::channel(8);
    let idle = tx.subscribe();
    for id in 0..3 {
        tx.send(Tracked::new(id, &stats)).expect("receivers exist");
    }
    for id in 0..3 {
        assert_eq!(reader.try_recv().expect("sent").id, id);
    }
    assert_eq!(stats.live(), 3, "the idle receiver still holds its share");
    drop(idle);
    assert_eq!(stats.live(), 0);
}

#[test]
fn dropping_the_last_receiver_drops_every_value_still_held() {
    let stats = Arc::new(Stats::default());
    let (tx, rx) = broadcast::channel(4);
    tx.send(Tracked::new(1, &stats)).expect("receiver exists");
    tx.send(Tracked::new(2, &stats)).expect("receiver exists");
    drop(rx);
    assert_eq!(stats.live(), 0);
    assert_eq!(tx.receiver_count(), 0);
}

#[test]
fn an_overwritten_value_is_dropped_by_the_send_that_overwrites_it() {
    let stats = Arc::new(Stats::default());
    let (tx, _lagging) = broadcast::channel(2);
    for id in 0..5 {
        tx.send(Tracked::new(id, &stats)).expect("receiver exists");
        assert!(stats.live() <= 2, "at most `capacity` values are held");
    }
    assert_eq!(stats.live(), 2);
}

#[test]
fn a_panicking_clone_consumes_the_value_for_that_receiver_only() {
    let stats = Arc::new(Stats::default());
    let (tx, mut first) = broadcast::channel(2);
    let mut second = tx.subscribe();
    tx.send(Tracked::new(7, &stats)).expect("receivers exist");
    tx.send(Tracked::new(8, &stats)).expect("receivers exist");
    stats.panic_on_next_clone.store(true, Ordering::SeqCst);
    let outcome = catch_unwind(AssertUnwindSafe(|| first.try_recv()));
    assert!(outcome.is_err(), "the clone panicked");
    assert_eq!(
        first.try_recv().map(|v| v.id),
        Ok(8),
        "the receiver moved on"
    );
    assert_eq!(
        second.try_recv().map(|v| v.id),
        Ok(7),
        "the others still get it"
    );
}

#[test]
fn capacity_is_rounded_up_to_a_power_of_two() {
    let (tx, mut rx) = broadcast::channel(3);
    for i in 0..6 {
        tx.send(i).expect("receiver exists");
    }
    assert_eq!(rx.len(), 6, "unread includes the lagged-past values");
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Lagged(2)),
        "four slots kept"
    );
    assert_eq!(rx.len(), 4);
    for i in 2..6 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert!(rx.is_empty());
}

#[test]
fn a_receiver_keeps_its_place_across_many_laps_of_the_ring() {
    let (tx, mut rx) = broadcast::channel(3);
    for i in 0..100 {
        tx.send(i).expect("receiver exists");
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_recv_dropped_while_waiting_is_not_woken_by_a_later_send() {
    let (tx, mut rx) = broadcast::channel(2);
    let counter = Counter::new();
    {
        let mut recv = rx.recv();
        assert!(counter.poll(&mut recv).is_pending());
    }
    tx.send(1).expect("receiver exists");
    assert_eq!(
        counter.wakes(),
        0,
        "the cancelled wait left no waker behind"
    );
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn a_receiver_waits_again_after_being_woken() {
    let (tx, mut rx) = broadcast::channel(2);
    let counter = Counter::new();
    for i in 0..3 {
        let mut recv = rx.recv();
        assert!(counter.poll(&mut recv).is_pending());
        tx.send(i).expect("receiver exists");
        assert_eq!(counter.wakes(), i as usize + 1);
        assert_eq!(counter.poll(&mut recv), Poll::Ready(Ok(i)));
    }
}

#[test]
fn one_send_wakes_every_waiting_receiver() {
    let (tx, first) = broadcast::channel(1);
    let mut receivers: Vec<_> = (0..10).map(|_| tx.subscribe()).collect();
    drop(first);
    let counters: Vec<_> = (0..10).map(|_| Counter::new()).collect();
    let mut recvs: Vec<_> = receivers.iter_mut().map(|rx| rx.recv()).collect();
    for (recv, counter) in recvs.iter_mut().zip(&counters) {
        assert!(counter.poll(recv).is_pending());
    }
    assert_eq!(tx.send(3), Ok(10));
    for (recv, counter) in recvs.iter_mut().zip(&counters) {
        assert_eq!(counter.wakes(), 1);
        assert_eq!(counter.poll(recv), Poll::Ready(Ok(3)));
    }
}

#[test]
fn closing_wakes_a_waiting_receiver_with_closed() {
    let (tx, mut rx) = broadcast::channel::<u8>(2);
    let counter = Counter::new();
    let mut recv = rx.recv();
    assert!(counter.poll(&mut recv).is_pending());
    drop(tx);
    assert_eq!(counter.wakes(), 1);
    assert_eq!(poll_once(&mut recv), Poll::Ready(Err(RecvError::Closed)));
}

#[test]
fn receivers_on_threads_each_get_every_value_in_order() {
    const RECEIVERS: usize = 8;
    const VALUES: u32 = 2_000;
    let (tx, first) = broadcast::channel(VALUES as usize);
    let start = Arc::new(Barrier::new(RECEIVERS + 1));
    let threads: Vec<_> = (0..RECEIVERS)
        .map(|_| {
            let mut rx = tx.subscribe();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut got = Vec::new();
                while let Ok(value) = rx.blocking_recv() {
                    got.push(value);
                }
                got
            })
        })
        .collect();
    drop(first);
    start.wait();
    for i in 0..VALUES {
        tx.send(i).expect("receivers exist");
    }
    drop(tx);
    for thread in threads {
        let got = thread.join().expect("receiver panicked");
        assert_eq!(got, (0..VALUES).collect::<Vec<_>>());
    }
}

#[test]
fn lagging_receivers_on_threads_account_for_every_value() {
    const RECEIVERS: usize = 4;
    const VALUES: u64 = 20_000;
    let (tx, first) = broadcast::channel(4);
    let start = Arc::new(Barrier::new(RECEIVERS + 1));
    let threads: Vec<_> = (0..RECEIVERS)
        .map(|_| {
            let mut rx = tx.subscribe();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut expected = 0;
                loop {
                    match rx.blocking_recv() {
                        Ok(value) => {
                            assert_eq!(value, expected, "values arrive in order");
                            expected += 1;
                        }
                        Err(RecvError::Lagged(missed)) => expected += missed,
                        Err(RecvError::Closed) => return expected,
                    }
                }
            })
        })
        .collect();
    drop(first);
    start.wait();
    for i in 0..VALUES {
        tx.send(i).expect("receivers exist");
    }
    drop(tx);
    for thread in threads {
        assert_eq!(
            thread.join().expect("receiver panicked"),
            VALUES,
            "every value was either received or reported as lagged past"
        );
    }
}

#[test]
fn values_are_all_released_when_receivers_on_threads_finish() {
    const RECEIVERS: usize = 4;
    let stats = Arc::new(Stats::default());
    let (tx, first) = broadcast::channel(16);
    let start = Arc::new(Barrier::new(RECEIVERS + 1));
    let threads: Vec<_> = (0..RECEIVERS)
        .map(|n| {
            let mut rx = tx.subscribe();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                // Half read until closed, half leave early (dropping their share).
                let limit = if n % 2 == 0 { usize::MAX } else { 100 };
                let mut read = 0;
                while read < limit {
                    match rx.blocking_recv() {
                        Ok(_) | Err(RecvError::Lagged(_)) => read += 1,
                        Err(RecvError::Closed) => break,
                    }
                }
            })
        })
        .collect();
    drop(first);
    start.wait();
    for id in 0..2_000 {
        let _ = tx.send(Tracked::new(id, &stats));
    }
    drop(tx);
    for thread in threads {
        thread.join().expect("receiver panicked");
    }
    assert_eq!(stats.live(), 0, "no copy outlives the channel's receivers");
}
