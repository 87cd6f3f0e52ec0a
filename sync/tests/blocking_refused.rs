//! Every `blocking_*` method refuses to park a thread that drives async tasks: it
//! panics with tokio's message, at the caller's line (not inside this crate).
//!
//! The runtime sets the flag of `runtime_context` on its threads; here each test sets
//! it by hand for the duration of one call.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Once};

use spindle_sync::runtime_context::{is_driving_tasks, set_driving_tasks};
use spindle_sync::{broadcast, mpsc, oneshot, Mutex, RwLock, Semaphore};

const MESSAGE: &str = "Cannot block the current thread from within a runtime. This happens \
because a function attempted to block the current thread while the thread is being used to \
drive asynchronous tasks.";

thread_local! {
    /// The location of this thread's last panic, recorded by the hook below.
    static PANIC_LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records each panic's location for its thread, and
/// stays quiet about the panics these tests provoke.
fn record_panic_locations() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|location| (location.file().to_string(), location.line()));
            let ours = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|message| message == MESSAGE);
            PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
            if !ours {
                previous(info);
            }
        }));
    });
}

/// Runs `call` on a thread flagged as driving tasks and checks that it panicked with
/// tokio's message at `line` of this file.
fn assert_refused<R>(line: u32, call: impl FnOnce() -> R) {
    record_panic_locations();
    let previous = set_driving_tasks(true);
    let outcome = catch_unwind(AssertUnwindSafe(call));
    set_driving_tasks(previous);
    let Err(payload) = outcome else {
        panic!("the blocking call returned on a thread that drives tasks");
    };
    let message = payload
        .downcast::<String>()
        .map(|message| *message)
        .unwrap_or_default();
    assert_eq!(message, MESSAGE);
    let location = PANIC_LOCATION.with(|slot| slot.borrow_mut().take());
    assert_eq!(
        location,
        Some((file!().to_string(), line)),
        "the panic points at the caller"
    );
}

#[test]
fn set_driving_tasks_returns_the_previous_value() {
    assert!(!is_driving_tasks(), "threads start unflagged");
    assert!(!set_driving_tasks(true));
    assert!(is_driving_tasks());
    assert!(set_driving_tasks(false));
    assert!(!is_driving_tasks());
}

#[test]
fn the_flag_is_per_thread() {
    set_driving_tasks(true);
    let elsewhere = std::thread::spawn(is_driving_tasks)
        .join()
        .expect("probe thread");
    set_driving_tasks(false);
    assert!(!elsewhere);
}

#[test]
fn mutex_blocking_lock_is_refused() {
    let mutex = Mutex::new(0);
    assert_refused(line!(), || mutex.blocking_lock());
}

#[test]
fn mutex_blocking_lock_owned_is_refused() {
    let mutex = Arc::new(Mutex::new(0));
    assert_refused(line!(), || mutex.blocking_lock_owned());
}

#[test]
fn rwlock_blocking_read_is_refused() {
    let lock = RwLock::new(0);
    assert_refused(line!(), || lock.blocking_read());
}

#[test]
fn rwlock_blocking_write_is_refused() {
    let lock = RwLock::new(0);
    assert_refused(line!(), || lock.blocking_write());
}

#[test]
fn semaphore_blocking_acquire_is_refused() {
    let semaphore = Semaphore::new(1);
    assert_refused(line!(), || semaphore.blocking_acquire());
}

#[test]
fn semaphore_blocking_acquire_many_is_refused() {
    let semaphore = Semaphore::new(2);
    assert_refused(line!(), || semaphore.blocking_acquire_many(2));
}

#[test]
fn oneshot_blocking_recv_is_refused() {
    let (_tx, rx) = oneshot::channel::<u8>();
    assert_refused(line!(), || rx.blocking_recv());
}

#[test]
fn mpsc_blocking_send_is_refused() {
    let (tx, _rx) = mpsc::channel(1);
    assert_refused(line!(), || tx.blocking_send(1));
}

#[test]
fn mpsc_blocking_recv_is_refused() {
    let (_tx, mut rx) = mpsc::channel::<u8>(1);
    assert_refused(line!(), || rx.blocking_recv());
}

#[test]
fn mpsc_blocking_recv_many_is_refused() {
    let (_tx, mut rx) = mpsc::channel::<u8>(1);
    let mut buffer = Vec::new();
    assert_refused(line!(), || rx.blocking_recv_many(&mut buffer, 4));
}

#[test]
fn unbounded_blocking_recv_is_refused() {
    let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    assert_refused(line!(), || rx.blocking_recv());
}

#[test]
fn unbounded_blocking_recv_many_is_refused() {
    let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let mut buffer = Vec::new();
    assert_refused(line!(), || rx.blocking_recv_many(&mut buffer, 4));
}

#[test]
fn broadcast_blocking_recv_is_refused() {
    let (_tx, mut rx) = broadcast::channel::<u8>(1);
    assert_refused(line!(), || rx.blocking_recv());
}

#[test]
fn a_refused_call_leaves_the_primitive_usable() {
    let mutex = Mutex::new(5);
    assert_refused(line!(), || mutex.blocking_lock());
    assert_eq!(*mutex.blocking_lock(), 5, "unflagged, it locks");
}

#[test]
fn blocking_calls_work_on_an_unflagged_thread() {
    let semaphore = Semaphore::new(1);
    let permit = semaphore.blocking_acquire().expect("open");
    assert_eq!(permit.num_permits(), 1);
    let (tx, rx) = oneshot::channel();
    tx.send(3).expect("receiver alive");
    assert_eq!(rx.blocking_recv(), Ok(3));
}

#[test]
fn semaphore_blocking_acquire_owned_is_refused() {
    let semaphore = Arc::new(Semaphore::new(1));
    assert_refused(line!(), || semaphore.blocking_acquire_owned());
}

#[test]
fn semaphore_blocking_acquire_many_owned_is_refused() {
    let semaphore = Arc::new(Semaphore::new(2));
    assert_refused(line!(), || semaphore.blocking_acquire_many_owned(2));
}
