//! mpsc: bounded and unbounded delivery, back-pressure, permits, closing, weak senders.

mod common;

use std::sync::Arc;
use std::task::Poll;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::mpsc::{
    self,
    error::{TryRecvError, TrySendError},
};

#[test]
fn messages_from_one_sender_arrive_in_order() {
    let (tx, mut rx) = mpsc::channel(4);
    block_on(async {
        for i in 0..4 {
            tx.send(i).await.expect("receiver alive");
        }
        drop(tx);
        let mut got = Vec::new();
        while let Some(i) = rx.recv().await {
            got.push(i);
        }
        assert_eq!(got, [0, 1, 2, 3]);
    });
}

#[test]
fn recv_returns_none_once_every_sender_is_dropped() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let tx2 = tx.clone();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    drop(tx2);
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn send_waits_while_full_and_resumes_after_a_recv() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).expect("room for one");
    let counter = Counter::new();
    let mut send = Box::pin(tx.send(2));
    assert!(counter.poll(&mut send).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(counter.wakes(), 1);
    assert!(matches!(poll_once(&mut send), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn try_send_reports_full_with_the_value() {
    let (tx, _rx) = mpsc::channel(1);
    tx.try_send(1).expect("room for one");
    match tx.try_send(2) {
        Err(TrySendError::Full(value)) => assert_eq!(value, 2),
        other => panic!("expected Full, got {other:?}"),
    }
}

#[test]
fn send_to_a_dropped_receiver_gives_the_value_back() {
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    assert_eq!(block_on(tx.send(7)).map_err(|e| e.0), Err(7));
    assert!(matches!(tx.try_send(8), Err(TrySendError::Closed(8))));
}

#[test]
fn close_fails_waiting_senders_but_buffered_messages_are_still_received() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).expect("room for one");
    let mut waiting = Box::pin(tx.send(2));
    assert!(poll_once(&mut waiting).is_pending());
    rx.close();
    assert!(matches!(poll_once(&mut waiting), Poll::Ready(Err(_))));
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn permit_reserved_before_close_still_delivers() {
    let (tx, mut rx) = mpsc::channel(2);
    let permit = tx.try_reserve().expect("room");
    rx.close();
    let mut recv = Box::pin(rx.recv());
    assert!(poll_once(&mut recv).is_pending());
    permit.send(5);
    assert_eq!(poll_once(&mut recv), Poll::Ready(Some(5)));
}

#[test]
fn unused_permit_returns_its_slot() {
    let (tx, _rx) = mpsc::channel::<u8>(1);
    let permit = tx.try_reserve().expect("room");
    assert_eq!(tx.capacity(), 0);
    drop(permit);
    assert_eq!(tx.capacity(), 1);
}

#[test]
fn dropping_a_waiting_send_gives_its_slot_to_the_next_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).expect("room");
    let mut abandoned = Box::pin(tx.send(1));
    let mut next = Box::pin(tx.send(2));
    assert!(poll_once(&mut abandoned).is_pending());
    assert!(poll_once(&mut next).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // the slot goes to `abandoned`...
    drop(abandoned); // ...which hands it on
    assert!(matches!(poll_once(&mut next), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn closed_completes_when_the_receiver_is_dropped() {
    let (tx, rx) = mpsc::channel::<()>(1);
    let counter = Counter::new();
    let mut closed = Box::pin(tx.closed());
    assert!(counter.poll(&mut closed).is_pending());
    drop(rx);
    assert!(counter.was_woken());
    assert!(poll_once(&mut closed).is_ready());
}

#[test]
fn recv_many_takes_up_to_the_limit() {
    let (tx, mut rx) = mpsc::channel(8);
    for i in 0..5 {
        tx.try_send(i).expect("room");
    }
    let mut buffer = Vec::new();
    assert_eq!(block_on(rx.recv_many(&mut buffer, 3)), 3);
    assert_eq!(buffer, [0, 1, 2]);
    drop(tx);
    assert_eq!(block_on(rx.recv_many(&mut buffer, 10)), 2);
    assert_eq!(block_on(rx.recv_many(&mut buffer, 10)), 0);
}

#[test]
fn weak_sender_does_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    assert!(weak.upgrade().is_some());
    drop(tx);
    assert!(weak.upgrade().is_none());
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn dropping_a_pending_recv_loses_no_message() {
    let (tx, mut rx) = mpsc::channel(1);
    {
        let mut recv = Box::pin(rx.recv());
        assert!(poll_once(&mut recv).is_pending());
    }
    tx.try_send(3).expect("room");
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn dropping_the_receiver_drops_buffered_messages() {
    let (tx, rx) = mpsc::channel(2);
    let value = Arc::new(());
    tx.try_send(Arc::clone(&value)).expect("room");
    drop(rx);
    assert_eq!(Arc::strong_count(&value), 1);
}

#[test]
#[should_panic(expected = "buffer must be at least 1")]
fn zero_capacity_channel_is_rejected_with_a_clear_message() {
    let _ = mpsc::channel::<()>(0);
}

#[test]
fn unbounded_send_never_waits_and_delivers_in_order() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..1_000 {
        tx.send(i).expect("receiver alive");
    }
    drop(tx);
    let mut expected = 0;
    while let Some(i) = rx.blocking_recv() {
        assert_eq!(i, expected);
        expected += 1;
    }
    assert_eq!(expected, 1_000);
}

#[test]
fn unbounded_send_after_receiver_close_fails() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    rx.close();
    assert_eq!(tx.send(1).map_err(|e| e.0), Err(1));
}

#[test]
fn many_producers_on_threads_deliver_every_message_exactly_once() {
    let (tx, mut rx) = mpsc::channel(4);
    let producers: Vec<_> = (0..4u64)
        .map(|producer| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..500u64 {
                    tx.blocking_send(producer * 1_000 + i)
                        .expect("receiver alive");
                }
            })
        })
        .collect();
    drop(tx);
    let mut last_seen = [None::<u64>; 4];
    let mut count = 0;
    block_on(async {
        while let Some(message) = rx.recv().await {
            let producer = (message / 1_000) as usize;
            let i = message % 1_000;
            assert!(last_seen[producer].is_none_or(|last| last + 1 == i));
            last_seen[producer] = Some(i);
            count += 1;
        }
    });
    for producer in producers {
        producer.join().expect("producer panicked");
    }
    assert_eq!(count, 2_000);
}

#[test]
fn dropping_the_last_permit_after_close_wakes_the_receiver_with_none() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let first = tx.try_reserve().expect("room");
    let second = tx.try_reserve().expect("room");
    rx.close();
    assert!(tx.try_reserve().is_err(), "no reservation after close");
    let counter = Counter::new();
    let mut recv = Box::pin(rx.recv());
    assert!(counter.poll(&mut recv).is_pending());
    drop(first);
    assert!(
        counter.poll(&mut recv).is_pending(),
        "one permit may still deliver"
    );
    let wakes_before = counter.wakes();
    drop(second);
    assert!(counter.wakes() > wakes_before, "the receiver was woken");
    assert_eq!(counter.poll(&mut recv), Poll::Ready(None));
}

#[test]
fn close_racing_senders_delivers_exactly_the_messages_that_were_accepted() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (tx, mut rx) = mpsc::channel(8);
    let accepted = Arc::new(AtomicUsize::new(0));
    let producers: Vec<_> = (0..3usize)
        .map(|producer| {
            let tx = tx.clone();
            let accepted = Arc::clone(&accepted);
            std::thread::spawn(move || {
                for i in 0..10_000usize {
                    let sent = match i % 3 {
                        0 => tx.blocking_send((producer, i)).is_ok(),
                        1 => match tx.try_reserve() {
                            Ok(permit) => {
                                permit.send((producer, i));
                                true
                            }
                            Err(mpsc::error::TrySendError::Full(())) => continue,
                            Err(mpsc::error::TrySendError::Closed(())) => false,
                        },
                        _ => match tx.try_send((producer, i)) {
                            Ok(()) => true,
                            Err(mpsc::error::TrySendError::Full(_)) => continue,
                            Err(mpsc::error::TrySendError::Closed(_)) => false,
                        },
                    };
                    if !sent {
                        return;
                    }
                    accepted.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    drop(tx);
    let mut last_seen = [None::<usize>; 3];
    let mut received = 0;
    block_on(async {
        while let Some((producer, i)) = rx.recv().await {
            assert!(last_seen[producer].is_none_or(|last| last < i));
            last_seen[producer] = Some(i);
            received += 1;
            if received == 500 {
                rx.close();
            }
        }
    });
    for producer in producers {
        producer.join().expect("producer panicked");
    }
    assert!(received >= 500);
    assert_eq!(received, accepted.load(Ordering::SeqCst));
}

#[test]
fn threads_sending_while_the_receiver_drains_with_recv_many_lose_nothing() {
    const PRODUCERS: usize = 4;
    const MESSAGES: usize = 5_000;
    let (tx, mut rx) = mpsc::channel(3);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                block_on(async {
                    for i in 0..MESSAGES {
                        tx.send((producer, i)).await.expect("receiver alive");
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let mut next = [0usize; PRODUCERS];
    let mut buffer = Vec::new();
    block_on(async {
        while rx.recv_many(&mut buffer, 5).await > 0 {
            for (producer, i) in buffer.drain(..) {
                assert_eq!(next[producer], i, "in order, none lost or doubled");
                next[producer] += 1;
            }
        }
    });
    for producer in producers {
        producer.join().expect("producer panicked");
    }
    assert_eq!(next, [MESSAGES; PRODUCERS]);
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

#[test]
fn messages_spanning_many_blocks_drain_in_order() {
    // Blocks hold 32 messages; 100 spans four, and the receiver frees the ones behind
    // it as it goes.
    let (tx, mut rx) = mpsc::channel(128);
    for i in 0..100 {
        tx.try_send(i).expect("room");
    }
    assert_eq!(rx.len(), 100);
    for i in 0..100 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert!(rx.is_empty());
    for i in 100..170 {
        tx.try_send(i).expect("room");
    }
    drop(tx);
    let mut buffer = Vec::new();
    while block_on(rx.recv_many(&mut buffer, 64)) > 0 {}
    assert_eq!(buffer, (100..170).collect::<Vec<_>>());
}

#[test]
fn dropping_a_channel_with_messages_across_blocks_drops_each_once() {
    let drops = Arc::new(());
    let (tx, mut rx) = mpsc::unbounded_channel();
    for _ in 0..75 {
        tx.send(Arc::clone(&drops)).expect("receiver alive");
    }
    // Take a few so the receiver sits inside the second block.
    for _ in 0..40 {
        drop(rx.try_recv().expect("buffered"));
    }
    assert_eq!(Arc::strong_count(&drops), 1 + 35);
    drop(rx);
    assert_eq!(
        Arc::strong_count(&drops),
        1,
        "the receiver dropped the rest"
    );
    assert!(tx.send(Arc::clone(&drops)).is_err());
    assert_eq!(Arc::strong_count(&drops), 1, "a refused message comes back");
    drop(tx);
}

#[test]
fn permit_used_after_the_receiver_is_dropped_drops_its_message_at_once() {
    let value = Arc::new(());
    let (tx, rx) = mpsc::channel(1);
    let permit = tx.try_reserve().expect("room");
    drop(rx);
    permit.send(Arc::clone(&value));
    assert_eq!(Arc::strong_count(&value), 1);
    assert_eq!(tx.capacity(), 1, "its slot came back");
}

#[test]
fn close_waits_for_every_reserved_permit_and_delivers_the_used_ones() {
    let (tx, mut rx) = mpsc::channel(4);
    let first = tx.try_reserve().expect("room");
    let second = tx.try_reserve().expect("room");
    let third = tx.try_reserve().expect("room");
    rx.close();
    assert!(matches!(tx.try_send(9), Err(TrySendError::Closed(9))));
    first.send(1);
    drop(second);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Empty),
        "a reserved permit may still deliver"
    );
    third.send(3);
    assert_eq!(block_on(rx.recv()), Some(3));
    assert_eq!(block_on(rx.recv()), None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn unbounded_close_delivers_what_was_sent_before_it_and_refuses_the_rest() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..40 {
        tx.send(i).expect("receiver alive");
    }
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(40).map_err(|e| e.0), Err(40));
    assert_eq!(rx.len(), 40);
    for i in 0..40 {
        assert_eq!(block_on(rx.recv()), Some(i));
    }
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn receiver_sleeping_at_a_block_boundary_is_woken_by_the_send_that_fills_it() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..32 {
        tx.send(i).expect("receiver alive");
    }
    for i in 0..32 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    // Position 32 is the first of a block nobody has linked yet.
    let counter = Counter::new();
    let mut recv = Box::pin(rx.recv());
    assert!(counter.poll(&mut recv).is_pending());
    tx.send(32).expect("receiver alive");
    assert_eq!(counter.wakes(), 1);
    assert_eq!(counter.poll(&mut recv), Poll::Ready(Some(32)));
}

#[test]
fn receiver_polled_with_a_waker_whose_clone_panics_keeps_working() {
    use std::task::{Context, RawWaker, RawWakerVTable, Waker};
    fn panicking_clone(_: *const ()) -> RawWaker {
        panic!("waker clone panics");
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(panicking_clone, noop, noop, noop);
    // SAFETY: every vtable function ignores the data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let (tx, mut rx) = mpsc::channel(1);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = rx.poll_recv(&mut Context::from_waker(&waker));
    }));
    assert!(panicked.is_err(), "the clone panic reached the poll");
    let counter = Counter::new();
    let mut recv = Box::pin(rx.recv());
    assert!(counter.poll(&mut recv).is_pending());
    assert_eq!(counter.wakes(), 0, "registered, not told to retry");
    tx.try_send(5).expect("room");
    assert_eq!(counter.wakes(), 1, "the send woke the new waker");
    assert_eq!(counter.poll(&mut recv), Poll::Ready(Some(5)));
}
