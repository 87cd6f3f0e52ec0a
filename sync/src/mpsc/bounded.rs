//! The bounded mpsc channel: `send` waits while the buffer is full.

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};

/// Creates a bounded channel that buffers up to `buffer` messages.
///
/// # Panics
///
/// Panics if `buffer` is zero or exceeds [`Semaphore::MAX_PERMITS`](crate::Semaphore::MAX_PERMITS).
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        buffer > 0,
        "mpsc::channel: buffer must be at least 1; use a oneshot or a watch channel for \
         rendezvous-style hand-offs"
    );
    assert!(
        buffer <= crate::Semaphore::MAX_PERMITS,
        "mpsc::channel: buffer {buffer} exceeds Semaphore::MAX_PERMITS"
    );
    let (tx, rx) = chan::channel(Some(buffer));
    (Sender { tx }, Receiver { rx })
}

/// Sends messages into a bounded channel. Clone it for more producers; the channel
/// closes for the receiver once every `Sender` is dropped.
pub struct Sender<T> {
    tx: Tx<T>,
}

/// A sender that does not keep the channel open; see [`Sender::downgrade`].
pub struct WeakSender<T> {
    tx: WeakTx<T>,
}

/// Receives the messages of a bounded channel.
pub struct Receiver<T> {
    rx: Rx<T>,
}

/// A reserved slot in the channel, from [`Sender::reserve`]: sending through it cannot
/// fail or wait. Dropping it unused gives the slot back.
#[must_use = "the reserved slot is released at once if the permit is not used"]
pub struct Permit<'a, T> {
    sender: &'a Sender<T>,
    used: bool,
}

/// Several reserved slots, from [`Sender::reserve_many`]: an iterator that yields one
/// [`Permit`] per slot. Slots it has not yielded go back when it is dropped.
#[must_use = "the reserved slots are released at once if the iterator is not used"]
pub struct PermitIterator<'a, T> {
    sender: &'a Sender<T>,
    remaining: usize,
}

/// A reserved slot that owns its sender, from [`Sender::reserve_owned`].
#[must_use = "the reserved slot is released at once if the permit is not used"]
pub struct OwnedPermit<T> {
    sender: Option<Sender<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room if the buffer is full. Fails, giving the value
    /// back, if the receiver closes or is dropped.
    ///
    /// Cancel safe in the sense that matters: if the future is dropped before it
    /// completes, the value was not sent (it is dropped with the future) and the
    /// sender's place in the queue for a slot is given up.
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        // The reservation and the push with no await between them: nothing can drop
        // the future in between, so no `Permit` is needed to give the slot back.
        match self.tx.reserve(1).await {
            Ok(()) => {
                self.tx.send_reserved(value);
                Ok(())
            }
            Err(_) => Err(SendError(value)),
        }
    }

    /// Like [`send`](Sender::send), but gives up after `timeout`, returning the value
    /// in [`SendTimeoutError::Timeout`]; [`SendTimeoutError::Closed`] if the receiver
    /// closes or is dropped first.
    ///
    /// Cancel safe like `send`.
    ///
    /// # Panics
    ///
    /// Panics when polled if no timer is registered: the timeout is measured by the
    /// spindle runtime's timer (the `spindle` crate registers it), so this must run
    /// inside a spindle runtime.
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        let mut expired = crate::runtime_context::sleep(timeout, "mpsc::Sender::send_timeout");
        let mut reserve = pin!(self.tx.reserve(1));
        let reserved = poll_fn(|cx| {
            if let Poll::Ready(reserved) = reserve.as_mut().poll(cx) {
                return Poll::Ready(Some(reserved));
            }
            expired.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match reserved {
            Some(Ok(())) => {
                self.tx.send_reserved(value);
                Ok(())
            }
            Some(Err(_)) => Err(SendTimeoutError::Closed(value)),
            None => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Sends `value` if there is room right now.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.tx.try_reserve(1) {
            Ok(()) => {
                self.tx.send_reserved(value);
                Ok(())
            }
            Err(TrySendError::Full(())) => Err(TrySendError::Full(value)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(value)),
        }
    }

    /// Sends from synchronous code, parking the thread while the buffer is full.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks (inside
    /// `Runtime::block_on` or an async task); `.await` [`send`](Sender::send) there.
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::block_on::block_on(self.send(value))
    }

    /// Waits for a free slot and reserves it, so the message can be produced after
    /// room is known to exist.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue for a slot.
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        self.tx.reserve(1).await?;
        Ok(Permit {
            sender: self,
            used: false,
        })
    }

    /// Waits for `n` free slots and reserves them together, returning an iterator of
    /// `n` permits. Fails at once if `n` exceeds the channel's
    /// [`max_capacity`](Sender::max_capacity), as it could never be satisfied.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue and any slots
    /// already set aside for it.
    ///
    /// ```
    /// use spindle_sync::mpsc;
    ///
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     let permits = tx.reserve_many(3).await.expect("receiver alive");
    ///     assert_eq!(tx.capacity(), 1);
    ///     for (n, permit) in permits.enumerate() {
    ///         permit.send(n);
    ///     }
    ///     assert_eq!(rx.recv().await, Some(0));
    /// });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.max_capacity() {
            return Err(SendError(()));
        }
        self.tx.reserve(n).await?;
        Ok(PermitIterator {
            sender: self,
            remaining: n,
        })
    }

    /// Like [`reserve`](Sender::reserve), but the permit owns this sender.
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.tx.reserve(1).await?;
        Ok(OwnedPermit { sender: Some(self) })
    }

    /// Reserves a slot if one is free right now.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.tx.try_reserve(1)?;
        Ok(Permit {
            sender: self,
            used: false,
        })
    }

    /// Reserves `n` slots if they are all free right now (and nobody waits ahead).
    /// `n` above the [`max_capacity`](Sender::max_capacity) fails with `Full`.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        self.tx.try_reserve(n)?;
        Ok(PermitIterator {
            sender: self,
            remaining: n,
        })
    }

    /// Like [`try_reserve`](Sender::try_reserve), but the permit owns this sender; on
    /// failure the sender is given back inside the error.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.tx.try_reserve(1) {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }

    /// Waits until the receiver closes or is dropped. Cancel safe.
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Whether the receiver has closed or been dropped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// How many messages could be sent right now without waiting.
    pub fn capacity(&self) -> usize {
        self.tx.capacity()
    }

    /// The buffer size the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Whether both senders feed the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// A [`WeakSender`] that does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            tx: self.tx.downgrade(),
        }
    }

    /// How many `Sender`s exist.
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakSender`s exist.
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> WeakSender<T> {
    /// A strong [`Sender`], if any still exists (so the channel is still open).
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.tx.upgrade().map(|tx| Sender { tx })
    }

    /// How many `Sender`s exist.
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakSender`s exist.
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot.
    pub fn send(mut self, value: T) {
        self.used = true;
        self.sender.tx.send_reserved(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if !self.used {
            self.sender.tx.release_reserved(1);
        }
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(Permit {
            sender: self.sender,
            used: false,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        if self.remaining > 0 {
            self.sender.tx.release_reserved(self.remaining);
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` into the reserved slot and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self.take_sender();
        sender.tx.send_reserved(value);
        sender
    }

    /// Gives the slot back unused and returns the sender.
    pub fn release(mut self) -> Sender<T> {
        let sender = self.take_sender();
        sender.tx.release_reserved(1);
        sender
    }

    /// Whether both permits reserve slots of the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.sender, &other.sender) {
            (Some(ours), Some(theirs)) => ours.same_channel(theirs),
            _ => false,
        }
    }

    /// Whether this permit reserves a slot of `sender`'s channel.
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.sender
            .as_ref()
            .is_some_and(|ours| ours.same_channel(sender))
    }

    fn take_sender(&mut self) -> Sender<T> {
        match self.sender.take() {
            Some(sender) => sender,
            None => unreachable!("an OwnedPermit holds its sender until consumed"),
        }
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.tx.release_reserved(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Receives the next message, or `None` once the channel is closed and drained.
    ///
    /// Cancel safe: if the future is dropped before it completes, no message was
    /// taken from the channel.
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting for at least one;
    /// returns how many were added, or 0 once the channel is closed and drained (or
    /// `limit` is 0).
    ///
    /// Cancel safe, as [`recv`](Receiver::recv).
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        std::future::poll_fn(|cx| self.rx.poll_recv_many(cx, buffer, limit)).await
    }

    /// Takes the next message if one is waiting.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives from synchronous code, parking the thread until a message arrives.
    ///
    /// Do not call it from async code: it blocks the executor thread.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::block_on::block_on(self.recv())
    }

    /// Like [`recv_many`](Receiver::recv_many), from synchronous code.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::block_on::block_on(self.recv_many(buffer, limit))
    }

    /// Polls for the next message; registers `cx`'s waker if none is ready.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` messages; see [`recv_many`](Receiver::recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.rx.poll_recv_many(cx, buffer, limit)
    }

    /// Closes the channel to new messages while letting the buffered ones (and those
    /// of permits already reserved) be received.
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed: the receiver closed it or every sender is gone.
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// Whether no message is buffered.
    pub fn is_empty(&self) -> bool {
        self.rx.len() == 0
    }

    /// How many messages are buffered.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// How many more messages could be sent right now without waiting.
    pub fn capacity(&self) -> usize {
        self.rx.capacity()
    }

    /// The buffer size the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.rx.max_capacity()
    }

    /// How many `Sender`s exist.
    pub fn sender_strong_count(&self) -> usize {
        self.rx.sender_strong_count()
    }

    /// How many `WeakSender`s exist.
    pub fn sender_weak_count(&self) -> usize {
        self.rx.sender_weak_count()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}
