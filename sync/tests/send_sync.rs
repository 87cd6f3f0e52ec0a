//! The futures and handles a multi-threaded executor moves between workers are `Send`
//! (and the shared primitives `Sync`); this fails to compile if one stops being so.

use std::future::Future;
use std::sync::Arc;

use spindle_sync::{
    broadcast, mpsc, oneshot, queue::Queue, watch, Barrier, CancellationToken, Event, Mutex,
    Notify, OnceCell, RwLock, Semaphore,
};

fn assert_send<T: Send>(_: &T) {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn primitives_are_send_and_sync() {
    assert_send_sync::<Mutex<u8>>();
    assert_send_sync::<RwLock<u8>>();
    assert_send_sync::<Semaphore>();
    assert_send_sync::<Notify>();
    assert_send_sync::<Barrier>();
    assert_send_sync::<OnceCell<u8>>();
    assert_send_sync::<CancellationToken>();
    assert_send_sync::<Event>();
    assert_send_sync::<Queue<u8>>();
    assert_send_sync::<mpsc::Sender<u8>>();
    assert_send_sync::<mpsc::Receiver<u8>>();
    assert_send_sync::<oneshot::Sender<u8>>();
    assert_send_sync::<broadcast::Sender<u8>>();
    assert_send_sync::<watch::Receiver<u8>>();
}

fn check_send_future<F: Future + Send>(future: F) -> F {
    future
}

#[test]
fn waiting_futures_are_send() {
    let mutex = Arc::new(Mutex::new(0));
    let semaphore = Semaphore::new(1);
    let notify = Notify::new();
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let (_btx, mut brx) = broadcast::channel::<u8>(1);
    let (_wtx, mut wrx) = watch::channel(0u8);
    let token = CancellationToken::new();
    let queue = Queue::<u8>::new(1);
    let lock = check_send_future(async {
        let mut guard = mutex.lock().await;
        *guard += 1;
        std::future::ready(()).await; // the guard is held across an await
    });
    assert_send(&lock);
    assert_send(&check_send_future(semaphore.acquire()));
    assert_send(&check_send_future(notify.notified()));
    assert_send(&check_send_future(tx.send(1)));
    assert_send(&check_send_future(rx.recv()));
    assert_send(&check_send_future(brx.recv()));
    assert_send(&check_send_future(wrx.changed()));
    assert_send(&check_send_future(token.cancelled()));
    assert_send(&check_send_future(queue.get()));
    assert_send(&check_send_future(Arc::clone(&mutex).lock_owned()));
}
