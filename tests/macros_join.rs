//! `join!`, `try_join!` and `pin!`: outputs, concurrency inside one task, the
//! short-circuit of `try_join!` (with the unfinished futures dropped), and pinning.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use spindle::sync::oneshot;

/// Wraps a future and counts how often the wrapper is dropped.
struct DropCounted<F> {
    future: Pin<Box<F>>,
    drops: Arc<AtomicUsize>,
}

impl<F: Future> Future for DropCounted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.future.as_mut().poll(cx)
    }
}

impl<F> Drop for DropCounted<F> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn drop_counted<F: Future>(future: F, drops: &Arc<AtomicUsize>) -> DropCounted<F> {
    DropCounted {
        future: Box::pin(future),
        drops: Arc::clone(drops),
    }
}

#[spindle::test]
async fn join_returns_every_output_in_argument_order() {
    let (number, text, unit) = spindle::join!(async { 1 }, async { "two" }, async {});
    assert_eq!(number, 1);
    assert_eq!(text, "two");
    assert_eq!(unit, ());
}

#[spindle::test]
async fn join_of_one_future_is_a_one_tuple_and_of_none_is_unit() {
    let (only,) = spindle::join!(async { 'x' });
    assert_eq!(only, 'x');
    let nothing: () = spindle::join!();
    assert_eq!(nothing, ());
}

#[spindle::test]
async fn join_polls_its_futures_concurrently_in_one_task() {
    // Each future waits for the other's message: run one after the other, this would
    // never finish.
    let (ping_tx, ping_rx) = oneshot::channel();
    let (pong_tx, pong_rx) = oneshot::channel();
    let (pong, ping) = spindle::join!(
        async move {
            ping_tx.send("ping").unwrap();
            pong_rx.await.unwrap()
        },
        async move {
            let ping = ping_rx.await.unwrap();
            pong_tx.send("pong").unwrap();
            ping
        },
    );
    assert_eq!((pong, ping), ("pong", "ping"));
}

#[spindle::test]
async fn join_futures_can_borrow_from_the_caller() {
    let mut left = vec![1, 2];
    let right = String::from("borrowed");
    let (length, chars) = spindle::join!(
        async {
            left.push(3);
            left.len()
        },
        async { right.chars().count() },
    );
    assert_eq!((length, chars), (3, 8));
    assert_eq!(left, [1, 2, 3]);
}

#[spindle::test]
async fn join_accepts_into_future_values() {
    let (value_tx, value_rx) = oneshot::channel();
    value_tx.send(5).unwrap();
    let sum = spindle::spawn(async { 10 });
    let (received, spawned) = spindle::join!(value_rx, sum);
    assert_eq!(received.unwrap() + spawned.unwrap(), 15);
}

#[spindle::test]
async fn biased_join_polls_in_the_order_written() {
    let order = std::sync::Mutex::new(Vec::new());
    let record = |name: &'static str| {
        let order = &order;
        async move {
            for _ in 0..3 {
                order.lock().unwrap().push(name);
                spindle::task::yield_now().await;
            }
        }
    };
    spindle::join!(biased; record("a"), record("b"));
    assert_eq!(*order.lock().unwrap(), ["a", "b", "a", "b", "a", "b"]);
}

#[spindle::test]
async fn unbiased_join_rotates_the_future_polled_first() {
    let order = std::sync::Mutex::new(Vec::new());
    let record = |name: &'static str| {
        let order = &order;
        async move {
            for _ in 0..2 {
                order.lock().unwrap().push(name);
                spindle::task::yield_now().await;
            }
        }
    };
    spindle::join!(record("a"), record("b"));
    // First poll starts at `a`, the second at `b`.
    assert_eq!(*order.lock().unwrap(), ["a", "b", "b", "a"]);
}

#[spindle::test]
async fn try_join_returns_every_value_when_all_succeed() {
    let result: Result<(u8, &str), String> =
        spindle::try_join!(async { Ok(1) }, async { Ok("two") });
    assert_eq!(result, Ok((1, "two")));
}

#[spindle::test]
async fn try_join_of_nothing_is_ok_unit() {
    let result: Result<(), String> = spindle::try_join!();
    assert_eq!(result, Ok(()));
}

#[spindle::test]
async fn try_join_returns_the_first_error_and_drops_the_unfinished_futures() {
    let drops = Arc::new(AtomicUsize::new(0));
    let never_done = drop_counted(std::future::pending::<Result<u8, String>>(), &drops);
    let result = spindle::try_join!(never_done, async { Err::<u8, _>(String::from("failed")) },);
    assert_eq!(result, Err(String::from("failed")));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[spindle::test]
async fn try_join_short_circuits_without_waiting_for_slower_futures() {
    let (fail_tx, fail_rx) = oneshot::channel::<()>();
    let drops = Arc::new(AtomicUsize::new(0));
    // The slow future would wait forever; the error arrives from another task.
    let slow = drop_counted(std::future::pending::<Result<(), &str>>(), &drops);
    let failer = spindle::spawn(async move {
        spindle::task::yield_now().await;
        fail_tx.send(()).unwrap();
    });
    let result = spindle::try_join!(slow, async {
        fail_rx.await.unwrap();
        Err::<(), _>("stopped")
    });
    assert_eq!(result, Err("stopped"));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    failer.await.unwrap();
}

#[spindle::test]
async fn try_join_works_with_question_mark() {
    async fn both(a: &str, b: &str) -> Result<u32, std::num::ParseIntError> {
        let (a, b) = spindle::try_join!(async { a.parse::<u32>() }, async { b.parse::<u32>() })?;
        Ok(a + b)
    }
    assert_eq!(both("20", "22").await, Ok(42));
    assert!(both("20", "x").await.is_err());
}

#[spindle::test]
async fn join_drops_its_futures_when_it_finishes() {
    let drops = Arc::new(AtomicUsize::new(0));
    let ((), ()) = spindle::join!(
        drop_counted(async {}, &drops),
        drop_counted(async {}, &drops)
    );
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

/// A future that is `!Unpin` and must be pinned before it can be polled by reference.
async fn not_unpin(value: u32) -> u32 {
    spindle::task::yield_now().await;
    value
}

#[spindle::test]
async fn pin_shadows_variables_with_pinned_references() {
    let first = not_unpin(1);
    let second = not_unpin(2);
    spindle::pin!(first, second);
    let first: &mut Pin<&mut _> = &mut first;
    assert_eq!(first.as_mut().await, 1);
    assert_eq!((&mut second).await, 2);
}

#[spindle::test]
async fn pin_let_form_pins_new_bindings() {
    spindle::pin! {
        let first = not_unpin(3);
        let second = async { 4 };
    }
    assert_eq!(first.as_mut().await + second.as_mut().await, 7);
}

#[spindle::test]
async fn pinned_future_can_be_polled_across_select_rounds() {
    // The reason `pin!` exists: keep one `!Unpin` future alive across a loop and poll
    // it by reference each time round.
    let slow = not_unpin(9);
    spindle::pin!(slow);
    let mut rounds = 0;
    let value = loop {
        rounds += 1;
        spindle::select! {
            biased;
            value = &mut slow => break value,
            () = std::future::ready(()), if rounds < 3 => {}
        }
    };
    assert_eq!(value, 9);
    // Polled once in round 1 (where it yields) and finished in round 2: the same
    // future, not a new one each round.
    assert_eq!(rounds, 2);
}
