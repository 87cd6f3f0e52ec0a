//! The `blocking_*` methods of the sync primitives inside a runtime: on a thread that
//! drives tasks (`Runtime::block_on`) each panics with tokio's message at the caller's
//! line; on a `spawn_blocking` thread each works.
//!
//! The executor marks its threads through `spindle::sync::runtime_context`: set in
//! `block_on` and on workers, cleared in `block_in_place`; `spawn_blocking` threads
//! are never marked.

mod support;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Once};

use spindle::sync::{broadcast, mpsc, oneshot, Mutex, RwLock, Semaphore};
use support::{within, Flavour, GENEROUS};

const MESSAGE: &str = "Cannot block the current thread from within a runtime. This happens \
because a function attempted to block the current thread while the thread is being used to \
drive asynchronous tasks.";

thread_local! {
    static PANIC_LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// Records each panic's location for its thread; quiet about the expected panics.
fn record_panic_locations() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|location| (location.file().to_string(), location.line()));
            PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
            let expected = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|message| message == MESSAGE);
            if !expected {
                previous(info);
            }
        }));
    });
}

/// Inside `block_on` of a fresh runtime of `flavour`, `call` panics with tokio's
/// message at `line` of this file.
fn refused<R>(flavour: Flavour, line: u32, call: impl FnOnce() -> R + Send + 'static) {
    within(GENEROUS, move || {
        record_panic_locations();
        let runtime = flavour.runtime();
        let outcome = runtime.block_on(async move { catch_unwind(AssertUnwindSafe(call)).err() });
        let payload = outcome.expect("the blocking call returned inside block_on");
        let message = support::panic_message(payload);
        assert_eq!(message, MESSAGE);
        let location = PANIC_LOCATION.with(|slot| slot.borrow_mut().take());
        assert_eq!(
            location,
            Some((file!().to_string(), line)),
            "points at the caller"
        );
    });
}

/// From `spawn_blocking`, `call` completes.
fn assert_works_in_spawn_blocking<R: Send + 'static>(
    flavour: Flavour,
    call: impl FnOnce() -> R + Send + 'static,
) -> R {
    within(GENEROUS, move || {
        let runtime = flavour.runtime();
        runtime.block_on(async move {
            spindle::task::spawn_blocking(call)
                .await
                .expect("the blocking task completes")
        })
    })
}

/// `refused! { flavour, call }`: `call` (moved into a closure) panics inside
/// `block_on`, at this line. A brace macro, so the call stays on the line `line!()`
/// names whatever rustfmt does.
macro_rules! refused {
    ($flavour:expr, $call:expr) => {
        refused($flavour, line!(), move || $call)
    };
}

fn every_blocking_call_panics_in_block_on(flavour: Flavour) {
    let mutex = Arc::new(Mutex::new(0));
    let m = Arc::clone(&mutex);
    refused! { flavour, drop(m.blocking_lock()) }
    let m = Arc::clone(&mutex);
    refused! { flavour, m.blocking_lock_owned() }
    let lock = Arc::new(RwLock::new(0));
    let l = Arc::clone(&lock);
    refused! { flavour, drop(l.blocking_read()) }
    let l = Arc::clone(&lock);
    refused! { flavour, drop(l.blocking_write()) }
    let semaphore = Arc::new(Semaphore::new(2));
    let s = Arc::clone(&semaphore);
    refused! { flavour, s.blocking_acquire().is_ok() }
    let s = Arc::clone(&semaphore);
    refused! { flavour, s.blocking_acquire_many(2).is_ok() }
    let s = Arc::clone(&semaphore);
    refused! { flavour, s.blocking_acquire_owned() }
    let s = Arc::clone(&semaphore);
    refused! { flavour, s.blocking_acquire_many_owned(2) }
    let (_tx, rx) = oneshot::channel::<u8>();
    refused! { flavour, rx.blocking_recv() }
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    refused! { flavour, tx.blocking_send(1) }
    refused! { flavour, rx.blocking_recv() }
    let (_tx, mut rx) = mpsc::channel::<u8>(1);
    let mut into = Vec::new();
    refused! { flavour, rx.blocking_recv_many(&mut into, 2) }
    let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    refused! { flavour, rx.blocking_recv() }
    let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let mut into = Vec::new();
    refused! { flavour, rx.blocking_recv_many(&mut into, 2) }
    let (_tx, mut rx) = broadcast::channel::<u8>(1);
    refused! { flavour, rx.blocking_recv() }
}

fn every_blocking_call_works_in_spawn_blocking(flavour: Flavour) {
    let mutex = Arc::new(Mutex::new(1));
    let m = Arc::clone(&mutex);
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || *m.blocking_lock()),
        1
    );
    let m = Arc::clone(&mutex);
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || *m.blocking_lock_owned()),
        1
    );
    let lock = Arc::new(RwLock::new(2));
    let l = Arc::clone(&lock);
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || *l.blocking_read()),
        2
    );
    let l = Arc::clone(&lock);
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || *l.blocking_write()),
        2
    );
    let semaphore = Arc::new(Semaphore::new(2));
    let s = Arc::clone(&semaphore);
    assert!(assert_works_in_spawn_blocking(flavour, move || s
        .blocking_acquire_many(2)
        .is_ok()));
    let s = Arc::clone(&semaphore);
    assert!(assert_works_in_spawn_blocking(flavour, move || s
        .blocking_acquire_owned()
        .is_ok()));
    let (tx, rx) = oneshot::channel();
    tx.send(3).expect("receiver alive");
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || rx.blocking_recv()),
        Ok(3)
    );
    let (tx, mut rx) = mpsc::channel(2);
    let sent = assert_works_in_spawn_blocking(flavour, move || tx.blocking_send(4).is_ok());
    assert!(sent);
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || rx.blocking_recv()),
        Some(4)
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send(5).expect("receiver alive");
    let received = assert_works_in_spawn_blocking(flavour, move || {
        let mut buffer = Vec::new();
        rx.blocking_recv_many(&mut buffer, 4);
        buffer
    });
    assert_eq!(received, [5]);
    let (tx, mut rx) = broadcast::channel(1);
    tx.send(6).expect("receiver alive");
    assert_eq!(
        assert_works_in_spawn_blocking(flavour, move || rx.blocking_recv()),
        Ok(6)
    );
}

mod multi_thread {
    #[test]

    fn every_blocking_call_panics_in_block_on() {
        super::every_blocking_call_panics_in_block_on(super::Flavour::MultiThread);
    }

    #[test]
    fn every_blocking_call_works_in_spawn_blocking() {
        super::every_blocking_call_works_in_spawn_blocking(super::Flavour::MultiThread);
    }
}

mod current_thread {
    #[test]

    fn every_blocking_call_panics_in_block_on() {
        super::every_blocking_call_panics_in_block_on(super::Flavour::CurrentThread);
    }

    #[test]
    fn every_blocking_call_works_in_spawn_blocking() {
        super::every_blocking_call_works_in_spawn_blocking(super::Flavour::CurrentThread);
    }
}
