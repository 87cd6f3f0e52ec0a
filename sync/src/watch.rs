//! A watch channel: many receivers observe the latest value of one shared variable.
//!
//! The value sits behind a reader-writer lock next to an atomic *version*. Every send
//! bumps the version (by 2; bit 0 is the "all senders gone" flag) while holding the
//! write lock, then wakes receivers through a [`Notify`]. A receiver remembers the
//! version it last saw; `changed` completes when the current version differs. Values
//! are never queued, so a burst of sends coalesces: a slow receiver sees only the
//! latest value, once. `changed` enables its `Notified` before comparing versions, so a
//! send racing with it is never missed.

use std::fmt;
use std::ops::Deref;

use crate::notify::Notify;
use spindle_loom_shim::{Arc, AtomicUsize, Ordering, RwLock, RwLockReadGuard};

/// Error types of the watch channel.
pub mod error {
    use std::fmt;

    /// Every receiver is gone; the value is given back.
    #[derive(PartialEq, Eq, Clone, Copy)]
    pub struct SendError<T>(pub T);

    impl<T> fmt::Debug for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SendError").finish_non_exhaustive()
        }
    }

    impl<T> fmt::Display for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl<T> std::error::Error for SendError<T> {}

    /// Every sender is gone (and the receiver has seen the last value).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

const CLOSED: usize = 1;
const VERSION_STEP: usize = 2;

struct Shared<T> {
    value: RwLock<T>,
    /// Version count in steps of 2; bit 0 set once every sender is gone.
    state: AtomicUsize,
    receivers: AtomicUsize,
    senders: AtomicUsize,
    value_changed: Notify,
    receivers_gone: Notify,
}

impl<T> Shared<T> {
    fn version(&self) -> usize {
        self.state.load(Ordering::SeqCst) & !CLOSED
    }

    fn is_closed(&self) -> bool {
        self.state.load(Ordering::SeqCst) & CLOSED != 0
    }
}

/// Creates a watch channel holding `init`.
///
/// ```
/// use spindle_sync::watch;
///
/// futures::executor::block_on(async {
///     let (tx, mut rx) = watch::channel("starting");
///     tx.send("ready").expect("receiver alive");
///     rx.changed().await.expect("sender alive");
///     assert_eq!(*rx.borrow_and_update(), "ready");
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let sender = Sender::new(init);
    let receiver = sender.subscribe();
    (sender, receiver)
}

/// Publishes new values. Cloneable; the channel closes when every `Sender` is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Observes the latest value.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    seen_version: usize,
}

/// A read guard on the current value, returned by `borrow`. Holding it blocks senders,
/// so keep it short and never hold it across an `.await`.
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether this value had not been seen by the receiver when it was borrowed.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Sender<T> {
    /// Creates a sender with no receivers yet; see [`subscribe`](Sender::subscribe).
    pub fn new(init: T) -> Self {
        Sender {
            shared: Arc::new(Shared {
                value: RwLock::new(init),
                state: AtomicUsize::new(0),
                receivers: AtomicUsize::new(0),
                senders: AtomicUsize::new(1),
                value_changed: Notify::new(),
                receivers_gone: Notify::new(),
            }),
        }
    }

    /// Replaces the value and notifies receivers; fails, giving the value back, if
    /// there are no receivers.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value even with no receivers, returning the old one.
    pub fn send_replace(&self, mut value: T) -> T {
        self.send_modify(|current| std::mem::swap(current, &mut value));
        value
    }

    /// Modifies the value in place and notifies receivers, even with no receivers.
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Modifies the value in place; notifies receivers only if `modify` returns true.
    /// Returns what `modify` returned.
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut value = self.shared.value.write();
        if !modify(&mut value) {
            return false;
        }
        self.shared.state.fetch_add(VERSION_STEP, Ordering::SeqCst);
        drop(value);
        self.shared.value_changed.notify_waiters();
        true
    }

    /// Borrows the current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
            has_changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::SeqCst);
        Receiver {
            seen_version: self.shared.version(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::SeqCst)
    }

    /// How many senders exist.
    pub fn sender_count(&self) -> usize {
        self.shared.senders.load(Ordering::SeqCst)
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone. Cancel safe.
    ///
    /// It spends the cooperative budget even when it completes at once, so a loop
    /// around it cannot starve the other tasks of its thread.
    pub async fn closed(&self) {
        crate::coop::consume_budget().await;
        loop {
            let mut notified = std::pin::pin!(self.shared.receivers_gone.notified());
            notified.as_mut().enable();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    /// Whether both handles belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T: Default> Default for Sender<T> {
    /// A sender holding `T::default()`, with no receivers yet.
    fn default() -> Self {
        Sender::new(T::default())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::SeqCst);
        Sender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.state.fetch_or(CLOSED, Ordering::SeqCst);
            self.shared.value_changed.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let has_changed = self.shared.version() != self.seen_version;
        Ref { guard, has_changed }
    }

    /// Borrows the current value and marks it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let version = self.shared.version();
        let has_changed = version != self.seen_version;
        self.seen_version = version;
        Ref { guard, has_changed }
    }

    /// Whether a value this receiver has not seen is available; `Err` once every
    /// sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        if self.shared.is_closed() {
            return Err(RecvError(()));
        }
        Ok(self.shared.version() != self.seen_version)
    }

    /// Marks the current value as unseen, so the next `changed` completes at once.
    pub fn mark_changed(&mut self) {
        self.seen_version = self.shared.version().wrapping_sub(VERSION_STEP);
    }

    /// Marks the current value as seen.
    pub fn mark_unchanged(&mut self) {
        self.seen_version = self.shared.version();
    }

    /// Waits for a value this receiver has not seen and marks it seen; fails once
    /// every sender is gone and no unseen value remains. Several sends while the
    /// receiver was away count as one change.
    ///
    /// Cancel safe: dropping the future marks nothing seen.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        wait_for_change(&self.shared, &mut self.seen_version).await
    }

    /// Waits until the value satisfies `condition`, checking the current value first,
    /// and returns it borrowed (marked seen).
    ///
    /// Cancel safe, like [`changed`](Receiver::changed).
    pub async fn wait_for(
        &mut self,
        mut condition: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        // Split the borrow: `shared` is only ever borrowed shared, so the guard we
        // return can outlive the loop while `seen_version` is updated independently.
        let Receiver {
            shared,
            seen_version,
        } = self;
        // Spent even when the current value already satisfies `condition`, so a loop
        // around `wait_for` yields to the other tasks in time.
        crate::coop::consume_budget().await;
        loop {
            {
                let guard = shared.value.read();
                let version = shared.version();
                let has_changed = version != *seen_version;
                *seen_version = version;
                if condition(&guard) {
                    return Ok(Ref { guard, has_changed });
                }
            }
            wait_for_change(shared, seen_version).await?;
        }
    }

    /// Whether both handles belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Whether every sender is gone: no new value will ever arrive (the last one can
    /// still be borrowed).
    ///
    /// ```
    /// use spindle_sync::watch;
    ///
    /// let (tx, rx) = watch::channel(1);
    /// assert!(!rx.is_closed());
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// assert_eq!(*rx.borrow(), 1);
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

/// Waits until the version differs from `seen_version`, then records it as seen.
///
/// It spends the cooperative budget even when it completes at once (a change already
/// there, or the channel closed), so a loop of `changed` yields in time.
async fn wait_for_change<T>(shared: &Shared<T>, seen_version: &mut usize) -> Result<(), RecvError> {
    crate::coop::consume_budget().await;
    loop {
        let mut notified = std::pin::pin!(shared.value_changed.notified());
        notified.as_mut().enable();
        let version = shared.version();
        if version != *seen_version {
            *seen_version = version;
            return Ok(());
        }
        if shared.is_closed() {
            return Err(RecvError(()));
        }
        notified.await;
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::SeqCst);
        Receiver {
            shared: Arc::clone(&self.shared),
            seen_version: self.seen_version,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.receivers_gone.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}
