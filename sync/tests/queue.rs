//! queue::Queue: asyncio's work queue with put/get, maxsize, task_done and join.

mod common;

use std::sync::Arc;
use std::task::Poll;

use common::{poll_once, Counter};
use futures::executor::block_on;
use spindle_sync::queue::{Queue, QueueEmpty, QueueFull};

#[test]
fn items_come_out_in_the_order_they_went_in() {
    let queue = Queue::new(0);
    for i in 0..3 {
        queue.try_put(i).expect("unbounded");
    }
    assert_eq!(
        [queue.try_get(), queue.try_get(), queue.try_get()],
        [Ok(0), Ok(1), Ok(2)]
    );
    assert_eq!(queue.try_get(), Err(QueueEmpty));
}

#[test]
fn put_waits_while_full_and_resumes_after_a_get() {
    let queue = Queue::new(1);
    queue.try_put(1).expect("room");
    assert!(queue.is_full());
    assert_eq!(queue.try_put(2), Err(QueueFull(2)));
    let counter = Counter::new();
    let mut put = Box::pin(queue.put(2));
    assert!(counter.poll(&mut put).is_pending());
    assert_eq!(queue.try_get(), Ok(1));
    assert_eq!(counter.wakes(), 1);
    assert!(poll_once(&mut put).is_ready());
    assert_eq!(queue.try_get(), Ok(2));
}

#[test]
fn getters_are_served_in_arrival_order() {
    let queue = Queue::new(0);
    let mut first = Box::pin(queue.get());
    let mut second = Box::pin(queue.get());
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    queue.try_put("a").expect("unbounded");
    assert!(poll_once(&mut second).is_pending());
    assert_eq!(poll_once(&mut first), Poll::Ready("a"));
}

#[test]
fn dropped_get_hands_the_item_to_the_next_getter() {
    let queue = Queue::new(0);
    let mut dropped = Box::pin(queue.get());
    let mut next = Box::pin(queue.get());
    assert!(poll_once(&mut dropped).is_pending());
    assert!(poll_once(&mut next).is_pending());
    queue.try_put(1).expect("unbounded");
    drop(dropped);
    assert_eq!(poll_once(&mut next), Poll::Ready(1));
    assert!(queue.is_empty());
}

#[test]
fn join_waits_until_every_item_is_marked_done() {
    let queue = Queue::new(0);
    queue.try_put(1).expect("unbounded");
    queue.try_put(2).expect("unbounded");
    let counter = Counter::new();
    let mut join = Box::pin(queue.join());
    assert!(counter.poll(&mut join).is_pending());
    queue.try_get().expect("queued");
    queue.try_get().expect("queued");
    assert!(counter.poll(&mut join).is_pending(), "taken is not done");
    queue.task_done();
    assert!(counter.poll(&mut join).is_pending());
    queue.task_done();
    assert!(counter.was_woken());
    assert!(poll_once(&mut join).is_ready());
}

#[test]
fn join_on_a_queue_with_nothing_outstanding_returns_at_once() {
    let queue = Queue::<()>::new(4);
    assert!(poll_once(&mut Box::pin(queue.join())).is_ready());
}

#[test]
#[should_panic(expected = "task_done called more times than items were put")]
fn task_done_without_an_item_panics_with_a_clear_message() {
    Queue::<()>::new(0).task_done();
}

#[test]
fn workers_on_threads_process_every_item_before_join_returns() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let queue = Arc::new(Queue::new(4));
    let processed = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let processed = Arc::clone(&processed);
            std::thread::spawn(move || {
                block_on(async {
                    loop {
                        let item: Option<u32> = queue.get().await;
                        let Some(_) = item else {
                            queue.task_done();
                            break;
                        };
                        processed.fetch_add(1, Ordering::SeqCst);
                        queue.task_done();
                    }
                })
            })
        })
        .collect();
    block_on(async {
        for i in 0..300 {
            queue.put(Some(i)).await;
        }
        queue.join().await;
        assert_eq!(processed.load(Ordering::SeqCst), 300);
        for _ in 0..3 {
            queue.put(None).await;
        }
    });
    for worker in workers {
        worker.join().expect("worker panicked");
    }
}
