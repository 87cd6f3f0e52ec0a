//! A broadcast channel: every receiver sees every value, up to a bounded backlog.
//!
//! Values sit in a ring of exactly `capacity` slots, each with an absolute position;
//! every receiver keeps the position of the next value it wants. Sending never waits:
//! when the ring is full the oldest value is overwritten, and a receiver that had not
//! read it yet learns on its next `recv` that it lagged by `n` values
//! (`RecvError::Lagged(n)`) and resumes at the oldest value still held. A value is
//! dropped once every receiver that existed when it was sent has read it (or been
//! dropped), or when it is overwritten, whichever comes first.
//!
//! Each slot has its own lock and the tail (next position, counts, waiting receivers)
//! another, so a receiver with a value ready locks only that slot and never meets the
//! sender on a channel-wide lock; `ring` explains the protocol and why no wake-up is
//! lost. The slots are allocated up front, and, as in tokio, the capacity is rounded up
//! to a power of two (so programs that rely on how many values a receiver may fall
//! behind before it lags behave the same).

mod ring;

pub mod error;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::coop;
use error::{RecvError, SendError, TryRecvError};
use ring::{Cursor, Shared, Wait};
use spindle_loom_shim::Arc;

/// Creates a broadcast channel that keeps the last `capacity` values (rounded up to a
/// power of two) for slow receivers.
///
/// The slots (each a lock, a position, a count and an `Option<T>`) are
/// allocated at once, so a huge capacity costs its memory up front.
///
/// # Panics
///
/// Panics if `capacity` is zero, or too large for its slots to be allocated.
///
/// ```
/// use spindle_sync::broadcast;
///
/// futures::executor::block_on(async {
///     let (tx, mut first) = broadcast::channel(16);
///     let mut second = tx.subscribe();
///     tx.send(10).expect("receivers exist");
///     assert_eq!(first.recv().await, Ok(10));
///     assert_eq!(second.recv().await, Ok(10));
/// });
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel: capacity must be at least 1"
    );
    let shared = Arc::new(Shared::new(slot_count(capacity), 1));
    let receiver = Receiver {
        shared: Arc::clone(&shared),
        cursor: Cursor::START,
        waiter: None,
    };
    (Sender { shared }, receiver)
}

/// The ring size for a requested capacity: the next power of two, as tokio's.
#[track_caller]
fn slot_count(capacity: usize) -> usize {
    match capacity.checked_next_power_of_two() {
        Some(slots) => slots,
        None => panic!("broadcast channel capacity {capacity} is too large"),
    }
}

/// Sends values to every receiver. Cloneable; the channel closes once every `Sender`
/// is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A sender that does not keep the channel open; [`upgrade`](WeakSender::upgrade) it
/// to send. Made by [`Sender::downgrade`].
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every value sent after it subscribed (unless it lags).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The position of the next value to read.
    cursor: Cursor,
    /// This receiver's node in the channel's waiter list, made the first time it has
    /// to wait and kept (linked or not) until the receiver is dropped, so a receive
    /// that completes never has to take the tail lock to free it.
    waiter: Option<usize>,
}

impl<T> Sender<T> {
    /// Creates the sending half of a broadcast channel with no receiver yet; make them
    /// with [`subscribe`](Sender::subscribe). Until then, sends fail.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is zero, or too large for its slots to be allocated.
    ///
    /// ```
    /// use spindle_sync::broadcast;
    ///
    /// let tx = broadcast::Sender::new(4);
    /// assert!(tx.send(1).is_err(), "nobody listens yet");
    /// let mut rx = tx.subscribe();
    /// tx.send(2).expect("one receiver");
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// ```
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "broadcast::Sender::new: capacity must be at least 1"
        );
        Sender {
            shared: Arc::new(Shared::new(slot_count(capacity), 0)),
        }
    }

    /// Sends `value` to every current receiver, returning how many there are; fails,
    /// giving the value back, if there are none. Never waits: when the backlog is full
    /// the oldest value is overwritten.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        self.shared.send(value).map_err(SendError)
    }

    /// A new receiver that will see values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver {
            cursor: self.shared.subscribe(),
            shared: Arc::clone(&self.shared),
            waiter: None,
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.receiver_count()
    }

    /// How many values are queued: sent, not yet read by every receiver that existed
    /// when they were sent, and not overwritten.
    ///
    /// ```
    /// use spindle_sync::broadcast;
    ///
    /// let (tx, mut first) = broadcast::channel(4);
    /// let mut second = tx.subscribe();
    /// tx.send(1).expect("receivers exist");
    /// assert_eq!(tx.len(), 1);
    /// first.try_recv().expect("a value");
    /// assert_eq!(tx.len(), 1, "second has not read it");
    /// second.try_recv().expect("a value");
    /// assert!(tx.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.shared.queued()
    }

    /// Whether no value is queued (see [`len`](Sender::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A [`WeakSender`] for this channel, which does not keep it open.
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.add_weak_sender();
        WeakSender {
            shared: Arc::clone(&self.shared),
        }
    }

    /// How many `Sender`s exist.
    pub fn strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many [`WeakSender`]s exist.
    pub fn weak_count(&self) -> usize {
        self.shared.weak_sender_count()
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Waits until every receiver is gone. Cancel safe.
    pub async fn closed(&self) {
        loop {
            let mut notified = std::pin::pin!(self.shared.receivers_gone.notified());
            notified.as_mut().enable();
            if self.receiver_count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.add_sender();
        Sender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.drop_sender();
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] again, or `None` if every sender is gone (the channel is closed).
    ///
    /// ```
    /// use spindle_sync::broadcast;
    ///
    /// let (tx, _rx) = broadcast::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.shared.upgrade_sender().then(|| Sender {
            shared: Arc::clone(&self.shared),
        })
    }

    /// How many `Sender`s exist.
    pub fn strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many `WeakSender`s exist.
    pub fn weak_count(&self) -> usize {
        self.shared.weak_sender_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.shared.add_weak_sender();
        WeakSender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.drop_weak_sender();
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value.
    ///
    /// Cancel safe: if the future is dropped before it completes, no value was
    /// consumed.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            receiver: self,
            waiting: false,
        }
    }

    /// Takes the next value if one is available.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.shared.recv(&mut self.cursor, None)
    }

    /// Receives from synchronous code, parking the thread until a value arrives.
    ///
    /// Do not call it from async code: it blocks the executor thread.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        crate::block_on::block_on(self.recv())
    }
}

impl<T> Receiver<T> {
    /// A new receiver that will see values sent from now on (not this one's backlog).
    pub fn resubscribe(&self) -> Self {
        Receiver {
            cursor: self.shared.subscribe(),
            shared: Arc::clone(&self.shared),
            waiter: None,
        }
    }

    /// How many values this receiver has yet to read (including ones it lagged past).
    pub fn len(&self) -> usize {
        self.shared.unread(self.cursor) as usize
    }

    /// Whether this receiver has read everything sent so far.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// How many `Sender`s of the channel exist.
    pub fn sender_strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many [`WeakSender`]s of the channel exist.
    pub fn sender_weak_count(&self) -> usize {
        self.shared.weak_sender_count()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let last = self.shared.drop_receiver(self.cursor, self.waiter.take());
        if last {
            self.shared.receivers_gone.notify_waiters();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.cursor.pos)
            .finish()
    }
}

/// Future returned by [`Receiver::recv`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
    /// Whether this future left the receiver's waker queued when it last returned
    /// `Pending`; if it is dropped so, it unlinks the node.
    waiting: bool,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let budget = ready!(coop::poll_proceed(cx));
        let receiver = &mut *this.receiver;
        let wait = Wait {
            node: &mut receiver.waiter,
            waker: cx.waker(),
        };
        let result = match receiver.shared.recv(&mut receiver.cursor, Some(wait)) {
            Ok(value) => Ok(value),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Empty) => {
                this.waiting = true;
                return Poll::Pending;
            }
        };
        // A node still linked (the value raced the send's unlinking) costs at most one
        // spurious wake-up of this task; it is not worth the tail lock to unlink it.
        this.waiting = false;
        budget.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let (true, Some(node)) = (self.waiting, self.receiver.waiter) {
            self.receiver.shared.cancel_wait(node);
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
