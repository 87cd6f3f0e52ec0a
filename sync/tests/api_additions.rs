//! The tokio APIs added to the primitives: what each one does, observed from outside.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use common::poll_once;
use futures::executor::block_on;
use spindle_sync::mpsc::error::TrySendError;
use spindle_sync::{
    broadcast, mpsc, watch, MappedMutexGuard, Mutex, MutexGuard, Notify, OnceCell,
    OwnedMappedMutexGuard, OwnedMutexGuard, OwnedRwLockWriteGuard, RwLock, RwLockWriteGuard,
    Semaphore, SetOnce,
};

#[test]
fn a_mutex_of_an_unsized_slice_locks_and_mutates() {
    let mutex: Arc<Mutex<[u8]>> = Arc::new(Mutex::new([1, 2, 3]));
    block_on(async {
        mutex.lock().await[0] = 10;
        assert_eq!(&*mutex.lock().await, &[10, 2, 3]);
    });
}

#[test]
fn owned_guard_map_keeps_the_lock_until_the_mapped_guard_drops() {
    let mutex = Arc::new(Mutex::new((1, 2)));
    let guard = mutex.clone().try_lock_owned().expect("free");
    let mut second: OwnedMappedMutexGuard<(i32, i32), i32> =
        OwnedMutexGuard::map(guard, |pair| &mut pair.1);
    *second = 20;
    assert!(
        mutex.try_lock().is_err(),
        "still locked through the mapped guard"
    );
    assert!(Arc::ptr_eq(OwnedMappedMutexGuard::mutex(&second), &mutex));
    drop(second);
    assert_eq!(*mutex.try_lock().expect("unlocked"), (1, 20));
}

#[test]
fn a_declined_try_map_gives_the_guard_back_still_locked() {
    let mutex = Mutex::new(vec![1]);
    let guard = mutex.try_lock().expect("free");
    let mapped = MutexGuard::map(guard, |values| values);
    let Err(mapped) = MappedMutexGuard::try_map(mapped, |values| values.get_mut(5)) else {
        panic!("index 5 does not exist");
    };
    assert!(mutex.try_lock().is_err());
    drop(mapped);
    let owned = Arc::new(Mutex::new(0)).try_lock_owned().expect("free");
    assert!(OwnedMutexGuard::try_map(owned, |_| None::<&mut u8>).is_err());
}

#[test]
fn guards_display_their_value() {
    let mutex = Mutex::new(7);
    assert_eq!(mutex.try_lock().expect("free").to_string(), "7");
    let lock = RwLock::new("text");
    assert_eq!(lock.try_read().expect("free").to_string(), "text");
    assert_eq!(lock.try_write().expect("free").to_string(), "text");
}

#[test]
fn downgrade_map_lets_readers_in_but_not_writers() {
    let lock = RwLock::new((1, 2));
    let writer = lock.try_write().expect("free");
    let first = RwLockWriteGuard::downgrade_map(writer, |pair| &pair.0);
    assert_eq!(*first, 1);
    assert!(lock.try_read().is_ok(), "readers join");
    assert!(
        lock.try_write().is_err(),
        "no writer while the read guard lives"
    );
    drop(first);
    assert!(lock.try_write().is_ok());
}

#[test]
fn a_declined_try_downgrade_map_keeps_write_access() {
    let lock = RwLock::new(vec![1]);
    let writer = lock.try_write().expect("free");
    let Err(mut writer) = RwLockWriteGuard::try_downgrade_map(writer, |v| v.get(3)) else {
        panic!("index 3 does not exist");
    };
    writer.push(2);
    assert!(lock.try_read().is_err(), "still exclusive");
    drop(writer);
    assert_eq!(*lock.try_read().expect("free"), [1, 2]);
}

#[test]
fn into_mapped_and_owned_mapped_guards_release_every_permit() {
    let lock = Arc::new(RwLock::with_max_readers(0, 3));
    let mapped = RwLockWriteGuard::into_mapped(lock.try_write().expect("free"));
    assert!(lock.try_read().is_err());
    drop(mapped);
    let owned = lock.clone().try_write_owned().expect("free");
    let mut mapped = OwnedRwLockWriteGuard::map(owned, |value| value);
    *mapped = 5;
    drop(mapped);
    let reader = lock.clone().try_write_owned().expect("free").downgrade();
    assert_eq!(*reader, 5);
    assert!(lock.try_read().is_ok() && lock.try_write().is_err());
    drop(reader);
    assert!(lock.try_write().is_ok(), "all three permits are back");
}

#[test]
fn notify_last_wakes_the_newest_waiter_and_notify_one_the_oldest() {
    let notify = Notify::new();
    let mut oldest = pin!(notify.notified());
    let mut middle = pin!(notify.notified());
    let mut newest = pin!(notify.notified());
    for future in [oldest.as_mut(), middle.as_mut(), newest.as_mut()] {
        assert!(!future.enable());
    }
    notify.notify_last();
    assert!(newest.as_mut().enable());
    notify.notify_one();
    assert!(oldest.as_mut().enable());
    assert!(!middle.as_mut().enable());
}

#[test]
fn a_dropped_notify_last_receiver_passes_it_to_the_next_newest() {
    let notify = Notify::new();
    let mut older = pin!(notify.notified());
    assert!(!older.as_mut().enable());
    {
        let mut newer = Box::pin(notify.notified());
        assert!(!newer.as_mut().enable());
        notify.notify_last();
    }
    assert!(older.as_mut().enable(), "the notification was passed on");
}

#[test]
fn an_owned_notified_is_static_and_completes_on_notify_waiters() {
    fn assert_static<F: 'static>(_: &F) {}
    let notify = Arc::new(Notify::new());
    let mut notified = Box::pin(notify.clone().notified_owned());
    assert_static(&notified);
    assert!(poll_once(&mut notified).is_pending());
    notify.notify_waiters();
    assert!(poll_once(&mut notified).is_ready());
}

#[test]
fn once_cells_compare_by_content() {
    assert_eq!(OnceCell::<u8>::new(), OnceCell::new());
    assert_eq!(OnceCell::from(1), OnceCell::const_new_with(1));
    assert_ne!(OnceCell::from(1), OnceCell::new());
}

#[test]
fn set_once_wait_completes_when_another_thread_sets() {
    let cell = Arc::new(SetOnce::new());
    let mut waiting = Box::pin({
        let cell = Arc::clone(&cell);
        async move { *cell.wait().await }
    });
    assert!(poll_once(&mut waiting).is_pending());
    let setter = {
        let cell = Arc::clone(&cell);
        std::thread::spawn(move || cell.set(9))
    };
    assert_eq!(setter.join().expect("setter"), Ok(()));
    assert_eq!(block_on(waiting), 9);
    assert_eq!(cell.set(10).map_err(|error| error.0), Err(10));
}

#[test]
fn reserve_many_sets_aside_slots_and_unused_ones_go_back() {
    let (tx, mut rx) = mpsc::channel(4);
    let mut permits = block_on(tx.reserve_many(3)).expect("receiver alive");
    assert_eq!(permits.len(), 3);
    assert_eq!(tx.capacity(), 1);
    permits.next().expect("three permits").send(1);
    drop(permits);
    assert_eq!(tx.capacity(), 3, "the two unused slots came back");
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn reserving_more_than_the_capacity_fails_at_once() {
    let (tx, _rx) = mpsc::channel::<u8>(2);
    assert!(block_on(tx.reserve_many(3)).is_err());
    assert!(matches!(
        tx.try_reserve_many(3),
        Err(TrySendError::Full(()))
    ));
    let _held = tx.try_reserve_many(2).expect("two free");
    assert!(matches!(
        tx.try_reserve_many(1),
        Err(TrySendError::Full(()))
    ));
}

#[test]
fn owned_permits_know_their_channel() {
    let (tx, _rx) = mpsc::channel::<u8>(2);
    let (other, _other_rx) = mpsc::channel::<u8>(2);
    let first = tx.clone().try_reserve_owned().expect("free");
    let second = tx.clone().try_reserve_owned().expect("free");
    assert!(first.same_channel(&second));
    assert!(first.same_channel_as_sender(&tx));
    assert!(!first.same_channel_as_sender(&other));
}

#[test]
#[should_panic(expected = "mpsc::Sender::send_timeout needs the spindle runtime's timer")]
fn send_timeout_without_a_timer_says_what_it_needs() {
    let (tx, _rx) = mpsc::channel(1);
    let _ = block_on(tx.send_timeout(1, Duration::from_secs(1)));
}

#[test]
fn a_closed_semaphore_fails_an_acquire_granted_before_the_close() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().expect("free");
    let mut acquire = Box::pin(semaphore.acquire());
    assert!(poll_once(&mut acquire).is_pending());
    drop(held); // granted to the queued acquire, which has not run yet
    semaphore.close();
    assert!(matches!(poll_once(&mut acquire), Poll::Ready(Err(_))));
    drop(acquire);
    assert_eq!(semaphore.available_permits(), 1, "the grant went back");
}

#[test]
fn a_closed_channel_stays_open_for_the_receiver_until_a_failed_reserve_returns_its_slot() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let held = tx.try_reserve().expect("free");
    let mut reserve = Box::pin(tx.reserve_many(2));
    assert!(poll_once(&mut reserve).is_pending(), "holds one of two");
    rx.close();
    let mut recv = Box::pin(async { rx.recv().await });
    assert!(poll_once(&mut recv).is_pending());
    drop(held);
    assert!(
        poll_once(&mut recv).is_pending(),
        "the reservation still holds a slot"
    );
    assert!(matches!(poll_once(&mut reserve), Poll::Ready(Err(_))));
    assert_eq!(poll_once(&mut recv), Poll::Ready(None));
}

#[test]
fn broadcast_weak_senders_do_not_keep_the_channel_open() {
    let (tx, rx) = broadcast::channel::<u8>(2);
    let weak = tx.downgrade();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 1));
    let upgraded = weak.upgrade().expect("a sender lives");
    assert_eq!(weak.strong_count(), 2);
    drop((tx, upgraded));
    assert!(rx.is_closed());
    assert!(weak.upgrade().is_none());
    drop(weak);
    assert_eq!(rx.sender_weak_count(), 0);
}

#[test]
fn broadcast_sender_new_and_len() {
    let tx = broadcast::Sender::new(4);
    assert_eq!(tx.receiver_count(), 0);
    assert!(tx.send(1).is_err());
    let mut rx = tx.subscribe();
    tx.send(2).expect("a receiver");
    tx.send(3).expect("a receiver");
    assert_eq!(tx.len(), 2);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(tx.len(), 1);
    assert!(!tx.is_empty());
}

#[test]
fn watch_receiver_is_closed_once_every_sender_is_gone() {
    let tx = watch::Sender::<u8>::default();
    let rx = tx.subscribe();
    assert_eq!(*rx.borrow(), 0);
    assert!(!rx.is_closed());
    drop(tx);
    assert!(rx.is_closed());
}

#[test]
fn const_constructors_build_usable_statics() {
    static MUTEX: Mutex<u8> = Mutex::const_new(1);
    static LOCK: RwLock<u8> = RwLock::const_with_max_readers(2, 1);
    static SEMAPHORE: Semaphore = Semaphore::const_new(1);
    static CELL: OnceCell<u8> = OnceCell::const_new();
    block_on(async {
        assert_eq!(*MUTEX.lock().await, 1);
        let reader = LOCK.read().await;
        assert!(LOCK.try_read().is_err(), "max one reader");
        drop(reader);
        assert!(SEMAPHORE.try_acquire().is_ok());
        assert_eq!(*CELL.get_or_init(|| async { 3 }).await, 3);
    });
}

#[test]
fn dropping_the_receiver_drops_every_message_even_if_one_drop_panics() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Loud(Arc<AtomicUsize>, bool);
    impl Drop for Loud {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
            assert!(!self.1, "this message refuses to drop quietly");
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::unbounded_channel();
    for refuses in [true, false, false] {
        assert!(tx.send(Loud(Arc::clone(&drops), refuses)).is_ok());
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(rx)));
    assert!(
        outcome.is_err(),
        "the message's panic comes out of the drop"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 3, "all three were dropped");
}

#[test]
fn send_timeout_futures_are_send_and_sync() {
    fn assert_send_sync<F: Send + Sync>(_: &F) {}
    let (tx, _rx) = mpsc::channel::<u8>(1);
    let future = tx.send_timeout(1, Duration::from_secs(1));
    assert_send_sync(&future);
}
