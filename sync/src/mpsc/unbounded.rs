//! The unbounded mpsc channel: `send` never waits, so the buffer can grow without
//! limit; prefer the bounded channel unless producers are naturally rate-limited.

use std::fmt;
use std::task::{Context, Poll};

use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, TryRecvError};

/// Creates an unbounded channel.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::channel(None);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

/// Sends messages into an unbounded channel; sending never waits.
pub struct UnboundedSender<T> {
    tx: Tx<T>,
}

/// An unbounded sender that does not keep the channel open.
pub struct WeakUnboundedSender<T> {
    tx: WeakTx<T>,
}

/// Receives the messages of an unbounded channel.
pub struct UnboundedReceiver<T> {
    rx: Rx<T>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once, or gives it back if the receiver has closed or been
    /// dropped.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx.send_unbounded(value)
    }

    /// Waits until the receiver closes or is dropped. Cancel safe.
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Whether the receiver has closed or been dropped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Whether both senders feed the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// A [`WeakUnboundedSender`] that does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            tx: self.tx.downgrade(),
        }
    }

    /// How many `UnboundedSender`s exist.
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakUnboundedSender`s exist.
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// A strong sender, if any still exists.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.tx.upgrade().map(|tx| UnboundedSender { tx })
    }

    /// How many `UnboundedSender`s exist.
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakUnboundedSender`s exist.
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .finish_non_exhaustive()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next message, or `None` once the channel is closed and drained.
    ///
    /// Cancel safe: if the future is dropped before it completes, no message was
    /// taken from the channel.
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting for at least one;
    /// returns how many were added, or 0 once the channel is closed and drained.
    ///
    /// Cancel safe, as [`recv`](UnboundedReceiver::recv).
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

    /// Like [`recv_many`](UnboundedReceiver::recv_many), from synchronous code.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::block_on::block_on(self.recv_many(buffer, limit))
    }

    /// Polls for the next message; registers `cx`'s waker if none is ready.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` messages.
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.rx.poll_recv_many(cx, buffer, limit)
    }

    /// Closes the channel to new messages; buffered ones can still be received.
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

    /// How many `UnboundedSender`s exist.
    pub fn sender_strong_count(&self) -> usize {
        self.rx.sender_strong_count()
    }

    /// How many `WeakUnboundedSender`s exist.
    pub fn sender_weak_count(&self) -> usize {
        self.rx.sender_weak_count()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}
