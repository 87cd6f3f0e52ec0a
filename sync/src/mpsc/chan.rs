//! The channel core shared by the bounded and unbounded mpsc channels.
//!
//! A `Chan` is a lock-protected `VecDeque` of messages plus the receiver's waker. The
//! bounded flavour adds a [`Semaphore`] with one permit per free slot: a sender takes a
//! permit before it pushes, and the receiver gives one back for every message it pops,
//! so senders wait in FIFO order for room and a dropped `send` gives its place back.
//!
//! Closing: the channel is closed for the receiver when every strong sender is gone,
//! or when the receiver closed it and no reserved slot is still outstanding (a
//! `Permit` obtained before the close may still deliver). The invariant that keeps
//! wake-ups from being lost is that every flag the receiver's poll reads (`queue`,
//! `senders_gone`, `receiver_closed`, `reserved`) changes under the same lock under
//! which the receiver registers its waker.

use std::collections::VecDeque;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::loom::{Arc, AtomicUsize, Mutex, Ordering};
use crate::notify::Notify;
use crate::semaphore::{Acquire, Semaphore};
use crate::waiters::register_waker;

use super::error::{SendError, TryRecvError, TrySendError};

pub(crate) struct Chan<T> {
    state: Mutex<ChanState<T>>,
    /// Free slots of a bounded channel; `None` when unbounded.
    slots: Option<Semaphore>,
    /// The capacity a bounded channel was created with.
    bound: usize,
    strong_senders: AtomicUsize,
    weak_senders: AtomicUsize,
    /// Woken when the receiver closes, for `Sender::closed`.
    receiver_closed_notify: Notify,
}

struct ChanState<T> {
    queue: VecDeque<T>,
    senders_gone: bool,
    receiver_closed: bool,
    receiver_dropped: bool,
    /// Slots reserved by live `Permit`s that have not sent yet.
    reserved: usize,
    rx_waker: Option<Waker>,
}

impl<T> Chan<T> {
    pub(crate) fn new(bound: Option<usize>) -> Arc<Self> {
        Arc::new(Chan {
            state: Mutex::new(ChanState {
                queue: VecDeque::new(),
                senders_gone: false,
                receiver_closed: false,
                receiver_dropped: false,
                reserved: 0,
                rx_waker: None,
            }),
            slots: bound.map(Semaphore::new),
            bound: bound.unwrap_or(usize::MAX),
            strong_senders: AtomicUsize::new(1),
            weak_senders: AtomicUsize::new(0),
            receiver_closed_notify: Notify::new(),
        })
    }
}

/// A strong sender handle: keeps the channel open while it lives.
pub(crate) struct Tx<T> {
    chan: Arc<Chan<T>>,
}

/// A weak sender handle: can become a `Tx` while a strong one still exists.
pub(crate) struct WeakTx<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving end.
pub(crate) struct Rx<T> {
    chan: Arc<Chan<T>>,
}

pub(crate) fn channel<T>(bound: Option<usize>) -> (Tx<T>, Rx<T>) {
    let chan = Chan::new(bound);
    (
        Tx {
            chan: Arc::clone(&chan),
        },
        Rx { chan },
    )
}

impl<T> Tx<T> {
    /// Pushes a message into a slot already accounted for (unbounded, or a permit).
    /// Gives the message back if the receiver is gone.
    fn push(&self, value: T) -> Result<(), T> {
        let mut state = self.chan.state.lock();
        if state.receiver_closed {
            return Err(value);
        }
        state.queue.push_back(value);
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    pub(crate) fn send_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        self.push(value).map_err(SendError)
    }

    /// Waits for a free slot and reserves it.
    pub(crate) async fn reserve(&self) -> Result<(), SendError<()>> {
        let slots = self.slots();
        if Acquire::new(slots, 1).await.is_err() {
            return Err(SendError(()));
        }
        self.register_reservation()
    }

    pub(crate) fn try_reserve(&self) -> Result<(), TrySendError<()>> {
        match self.slots().try_take(1) {
            Ok(()) => self
                .register_reservation()
                .map_err(|_| TrySendError::Closed(())),
            Err(error) if error.is_closed() => Err(TrySendError::Closed(())),
            Err(_) => {
                if self.is_closed() {
                    Err(TrySendError::Closed(()))
                } else {
                    Err(TrySendError::Full(()))
                }
            }
        }
    }

    fn register_reservation(&self) -> Result<(), SendError<()>> {
        let mut state = self.chan.state.lock();
        if state.receiver_closed {
            drop(state);
            self.slots().release(1);
            return Err(SendError(()));
        }
        state.reserved += 1;
        Ok(())
    }

    /// Sends through a reservation made by `reserve`/`try_reserve`.
    pub(crate) fn send_reserved(&self, value: T) {
        let mut state = self.chan.state.lock();
        state.reserved -= 1;
        if state.receiver_dropped {
            // Nobody will ever receive it; drop it outside the lock.
            drop(state);
            drop(value);
            return;
        }
        // A receiver that merely closed still drains what permits taken before the
        // close deliver.
        state.queue.push_back(value);
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Gives back a reservation that was never used.
    pub(crate) fn release_reserved(&self) {
        let mut state = self.chan.state.lock();
        state.reserved -= 1;
        let waker = if state.receiver_closed && state.reserved == 0 {
            state.rx_waker.take()
        } else {
            None
        };
        drop(state);
        self.slots().release(1);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn slots(&self) -> &Semaphore {
        match self.chan.slots.as_ref() {
            Some(slots) => slots,
            None => unreachable!("reservations are only made on bounded channels"),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.chan.state.lock().receiver_closed
    }

    pub(crate) async fn closed(&self) {
        loop {
            let mut notified = std::pin::pin!(self.chan.receiver_closed_notify.notified());
            notified.as_mut().enable();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.chan
            .slots
            .as_ref()
            .map_or(usize::MAX, |slots| slots.available_permits())
    }

    pub(crate) fn max_capacity(&self) -> usize {
        self.chan.bound
    }

    pub(crate) fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    pub(crate) fn downgrade(&self) -> WeakTx<T> {
        self.chan.weak_senders.fetch_add(1, Ordering::Relaxed);
        WeakTx {
            chan: Arc::clone(&self.chan),
        }
    }

    pub(crate) fn strong_count(&self) -> usize {
        self.chan.strong_senders.load(Ordering::Acquire)
    }

    pub(crate) fn weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        self.chan.strong_senders.fetch_add(1, Ordering::Relaxed);
        Tx {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        if self.chan.strong_senders.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let mut state = self.chan.state.lock();
        state.senders_gone = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> WeakTx<T> {
    pub(crate) fn upgrade(&self) -> Option<Tx<T>> {
        let mut count = self.chan.strong_senders.load(Ordering::Relaxed);
        loop {
            if count == 0 {
                return None;
            }
            match self.chan.strong_senders.compare_exchange_weak(
                count,
                count + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(Tx {
                        chan: Arc::clone(&self.chan),
                    })
                }
                Err(actual) => count = actual,
            }
        }
    }

    pub(crate) fn strong_count(&self) -> usize {
        self.chan.strong_senders.load(Ordering::Acquire)
    }

    pub(crate) fn weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Clone for WeakTx<T> {
    fn clone(&self) -> Self {
        self.chan.weak_senders.fetch_add(1, Ordering::Relaxed);
        WeakTx {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for WeakTx<T> {
    fn drop(&mut self) {
        self.chan.weak_senders.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> Rx<T> {
    /// Pops up to `limit` messages into `buffer`; `Ready(0)` means closed and drained.
    pub(crate) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = self.chan.state.lock();
        let available = state.queue.len().min(limit);
        if available > 0 {
            buffer.extend(state.queue.drain(..available));
            drop(state);
            self.free_slots(available);
            budget.made_progress();
            return Poll::Ready(available);
        }
        if state.is_finished() {
            budget.made_progress();
            return Poll::Ready(0);
        }
        register_waker(&mut state.rx_waker, cx.waker());
        Poll::Pending
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = self.chan.state.lock();
        if let Some(value) = state.queue.pop_front() {
            drop(state);
            self.free_slots(1);
            budget.made_progress();
            return Poll::Ready(Some(value));
        }
        if state.is_finished() {
            budget.made_progress();
            return Poll::Ready(None);
        }
        register_waker(&mut state.rx_waker, cx.waker());
        Poll::Pending
    }

    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.chan.state.lock();
        if let Some(value) = state.queue.pop_front() {
            drop(state);
            self.free_slots(1);
            return Ok(value);
        }
        if state.is_finished() {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    fn free_slots(&self, n: usize) {
        if let Some(slots) = self.chan.slots.as_ref() {
            slots.release(n);
        }
    }

    pub(crate) fn close(&mut self) {
        let mut state = self.chan.state.lock();
        if state.receiver_closed {
            return;
        }
        state.receiver_closed = true;
        drop(state);
        if let Some(slots) = self.chan.slots.as_ref() {
            slots.close();
        }
        self.chan.receiver_closed_notify.notify_waiters();
    }

    pub(crate) fn is_closed(&self) -> bool {
        let state = self.chan.state.lock();
        state.receiver_closed || state.senders_gone
    }

    pub(crate) fn len(&self) -> usize {
        self.chan.state.lock().queue.len()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.chan
            .slots
            .as_ref()
            .map_or(usize::MAX, |slots| slots.available_permits())
    }

    pub(crate) fn max_capacity(&self) -> usize {
        self.chan.bound
    }

    pub(crate) fn sender_strong_count(&self) -> usize {
        self.chan.strong_senders.load(Ordering::Acquire)
    }

    pub(crate) fn sender_weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.close();
        // Messages nobody will receive are dropped here, outside the lock.
        let unreceived = {
            let mut state = self.chan.state.lock();
            state.receiver_dropped = true;
            std::mem::take(&mut state.queue)
        };
        drop(unreceived);
    }
}

impl<T> ChanState<T> {
    /// Whether the receiver will never get another message (given the queue is empty).
    fn is_finished(&self) -> bool {
        self.senders_gone || (self.receiver_closed && self.reserved == 0)
    }
}
