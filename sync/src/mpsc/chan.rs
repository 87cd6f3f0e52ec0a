//! The channel core shared by the bounded and unbounded mpsc channels.
//!
//! A `Chan` is a lock-free [`List`] of messages (see `list.rs`: senders claim
//! positions with one `fetch_add` and write their own slot; the one receiver reads in
//! order), the receiver's [`AtomicWaker`], and a word of flags. The bounded flavour
//! adds a [`Semaphore`] with one permit per free slot: a sender takes a permit before
//! it pushes, the message carries it while it is buffered, and the receiver gives it
//! back when it takes the message; so senders wait in FIFO order for room and a
//! dropped `send` gives its place back. The unbounded flavour has no permits.
//!
//! Waking the receiver: a sender wakes it only when the receiver said, in the slot's
//! own word, that it sleeps on that slot (list.rs); the other wake-ups (last sender
//! gone, last reserved permit returned after a close) go through the waker with the
//! flag or the permit count changed first. The receiver always registers its waker
//! before its last look at the list and the flags, so none of these is lost.
//!
//! Closing: the channel is finished for the receiver when every strong sender is gone
//! (`SENDERS_GONE`: every push happened before it, so an empty slot then means empty
//! for good), or when the receiver closed it and nothing more can come. For the
//! bounded flavour that is when every permit is back in the closed semaphore: a
//! `Permit` obtained before the close may still deliver, and is waited for. For the
//! unbounded flavour, closing seals the list: sends after the seal fail, and the
//! positions claimed before it are the messages still to come. Dropping the receiver
//! closes, seals (a bounded `Permit` used afterwards drops its message at once), and
//! drains what was claimed before the seal, waiting out sends that are mid-write (a
//! few instructions; a sender never awaits between its claim and its ready bit), so
//! each message is dropped exactly once and none outlives the receiver.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::notify::Notify;
use crate::semaphore::{Acquire, Semaphore};
use spindle_loom_shim::{Arc, AtomicUsize, Ordering};

use super::atomic_waker::AtomicWaker;
use super::error::{SendError, TryRecvError, TrySendError};
use super::list::{Cursor, List, Pushed};

/// Every strong sender is gone.
const SENDERS_GONE: usize = 0b01;
/// The receiver closed the channel (or was dropped).
const RECEIVER_CLOSED: usize = 0b10;

pub(crate) struct Chan<T> {
    list: List<T>,
    rx_waker: AtomicWaker,
    /// `SENDERS_GONE | RECEIVER_CLOSED`.
    flags: AtomicUsize,
    /// Free slots of a bounded channel; `None` when unbounded.
    slots: Option<Semaphore>,
    /// The capacity a bounded channel was created with.
    bound: usize,
    strong_senders: AtomicUsize,
    weak_senders: AtomicUsize,
    /// Woken when the receiver closes, for `Sender::closed`.
    receiver_closed_notify: Notify,
}

// A panic in user code never leaves the channel half-updated: every change of its
// state is one atomic step (or a block write guarded by its ready bit), and messages
// are moved, never observed mid-change. Tokio's channel declares the same.
impl<T> std::panic::RefUnwindSafe for Chan<T> {}
impl<T> std::panic::UnwindSafe for Chan<T> {}

impl<T> Chan<T> {
    pub(crate) fn new(bound: Option<usize>) -> Arc<Self> {
        Arc::new(Chan {
            list: List::new(),
            rx_waker: AtomicWaker::new(),
            flags: AtomicUsize::new(0),
            slots: bound.map(Semaphore::new),
            bound: bound.unwrap_or(usize::MAX),
            strong_senders: AtomicUsize::new(1),
            weak_senders: AtomicUsize::new(0),
            receiver_closed_notify: Notify::new(),
        })
    }

    fn is_receiver_closed(&self) -> bool {
        self.flags.load(Ordering::Acquire) & RECEIVER_CLOSED != 0
    }

    /// After a permit came back: if the channel is closed and that was the last one
    /// out, the receiver is waiting for exactly this.
    fn wake_receiver_if_drained(&self, slots: &Semaphore) {
        if slots.is_closed() && slots.available_permits() == self.bound {
            self.rx_waker.wake();
        }
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
    /// Gives the message back if the list is sealed.
    fn push(&self, value: T) -> Result<(), T> {
        match self.chan.list.push(value) {
            Pushed::Done { wake_receiver } => {
                if wake_receiver {
                    self.chan.rx_waker.wake();
                }
                Ok(())
            }
            Pushed::Sealed(value) => Err(value),
        }
    }

    pub(crate) fn send_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        self.push(value).map_err(SendError)
    }

    /// Waits for `slots` free slots (at most the capacity) and reserves them together.
    pub(crate) fn reserve(&self, slots: usize) -> Reserve<'_, T> {
        Reserve {
            tx: self,
            slots,
            waiting: None,
        }
    }

    pub(crate) fn try_reserve(&self, slots: usize) -> Result<(), TrySendError<()>> {
        match self.slots().try_take(slots) {
            Ok(()) => Ok(()),
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

    /// Sends through a reservation made by `reserve`/`try_reserve`.
    pub(crate) fn send_reserved(&self, value: T) {
        if let Err(value) = self.push(value) {
            // The receiver is gone (it sealed the list): nobody will ever receive it.
            drop(value);
            self.slots().release(1);
        }
        // Otherwise the permit travels with the message; the receiver returns it.
    }

    /// Gives back `count` reserved slots that were never used.
    pub(crate) fn release_reserved(&self, count: usize) {
        let slots = self.slots();
        slots.release(count);
        self.chan.wake_receiver_if_drained(slots);
    }

    fn slots(&self) -> &Semaphore {
        match self.chan.slots.as_ref() {
            Some(slots) => slots,
            None => unreachable!("reservations are only made on bounded channels"),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.chan.is_receiver_closed()
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

/// The future of [`Tx::reserve`]: `slots` permits of the bounded channel, granted
/// together.
///
/// The first poll takes a free permit with one compare-and-swap when nobody is queued;
/// only when it must wait does it queue in the semaphore (keeping the FIFO order).
///
/// It is `!Unpin`: a queued `Acquire` is linked into the semaphore's wait queue by
/// address, so it is built in place in `waiting` and never moved out of it (it is
/// dropped in place, by assigning `None`).
pub(crate) struct Reserve<'a, T> {
    tx: &'a Tx<T>,
    slots: usize,
    /// The queued acquire, once the first poll found no free permit.
    waiting: Option<Acquire<'a>>,
}

impl<T> Reserve<'_, T> {
    /// Polls the queued acquire where it lies.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Option<Poll<Result<(), SendError<()>>>> {
        let acquire = self.waiting.as_mut()?;
        // SAFETY: `self` is pinned (see `poll`), and `waiting` is structurally pinned:
        // the acquire is never moved out of it, only dropped in place.
        let acquire = unsafe { Pin::new_unchecked(acquire) };
        let result = match acquire.poll(cx) {
            Poll::Ready(result) => result,
            Poll::Pending => return Some(Poll::Pending),
        };
        self.waiting = None;
        if result.is_err() {
            // A failed acquire gave back what it held (a grant or a share a close left
            // it); if that was the last outstanding permit, the receiver waits for it.
            self.tx.chan.wake_receiver_if_drained(self.tx.slots());
        }
        Some(Poll::Ready(result.map_err(|_| SendError(()))))
    }
}

impl<T> Future for Reserve<'_, T> {
    type Output = Result<(), SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out of the future: `waiting` is only written in place
        // (filled before its first poll, emptied by dropping in place) and `tx` is a
        // shared reference.
        let this = unsafe { self.get_unchecked_mut() };
        if let Some(outcome) = this.poll_waiting(cx) {
            return outcome;
        }
        let slots = this.tx.slots();
        let budget = ready!(coop::poll_proceed(cx));
        match slots.try_take(this.slots) {
            Ok(()) => {
                budget.made_progress();
                Poll::Ready(Ok(()))
            }
            Err(error) if error.is_closed() => {
                budget.made_progress();
                Poll::Ready(Err(SendError(())))
            }
            Err(_) => {
                // Give the unit back: the acquire below charges its own.
                drop(budget);
                this.waiting = Some(Acquire::new(slots, this.slots));
                this.poll_waiting(cx)
                    .unwrap_or_else(|| unreachable!("the acquire was stored just above"))
            }
        }
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if self.waiting.is_some() {
            // Dropping the acquire (in place: it may be linked by address) hands back
            // a permit it may have been granted already; after a close that may be the
            // one the receiver waits for.
            self.waiting = None;
            self.tx.chan.wake_receiver_if_drained(self.tx.slots());
        }
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
        // Every push of every sender happened before this (the count's AcqRel chain),
        // so a receiver that sees the flag sees every ready bit.
        self.chan.flags.fetch_or(SENDERS_GONE, Ordering::AcqRel);
        self.chan.rx_waker.wake();
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
    /// The list's consumer cursor.
    fn cursor(&mut self) -> &mut Cursor<T> {
        // SAFETY: the `Rx` is the list's only consumer while it lives, and `&mut self`
        // keeps this the only cursor borrow.
        unsafe { self.chan.list.cursor() }
    }

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
        match self.next_or_register(Some(cx.waker())) {
            Poll::Ready(Some(first)) => {
                buffer.push(first);
                let cursor = self.cursor();
                let mut taken = 1;
                while taken < limit {
                    match cursor.pop() {
                        Some(value) => buffer.push(value),
                        None => break,
                    }
                    taken += 1;
                }
                self.free_slots(taken);
                budget.made_progress();
                Poll::Ready(taken)
            }
            Poll::Ready(None) => {
                budget.made_progress();
                Poll::Ready(0)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let budget = ready!(coop::poll_proceed(cx));
        let polled = self.next_or_register(Some(cx.waker()));
        match &polled {
            Poll::Ready(Some(_)) => {
                self.free_slots(1);
                budget.made_progress();
            }
            Poll::Ready(None) => budget.made_progress(),
            Poll::Pending => {}
        }
        polled
    }

    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        loop {
            match self.next_or_register(None) {
                Poll::Ready(Some(value)) => {
                    self.free_slots(1);
                    return Ok(value);
                }
                Poll::Ready(None) => return Err(TryRecvError::Disconnected),
                Poll::Pending => {}
            }
            // A claimed position whose message is still being written: its send has
            // not returned yet, but a send that *has* returned may sit behind it, so
            // wait the few instructions until it lands rather than report empty.
            let chan = Arc::clone(&self.chan);
            if !chan.list.is_claimed(self.cursor()) {
                return Err(TryRecvError::Empty);
            }
            spin_wait();
        }
    }

    /// The next message, `Ready(None)` once the channel is finished, or `Pending`
    /// after registering `waker` (if given) so that whatever changes that wakes it.
    /// The caller returns the message's permit.
    fn next_or_register(&mut self, waker: Option<&Waker>) -> Poll<Option<T>> {
        if let Some(value) = self.cursor().pop() {
            return Poll::Ready(Some(value));
        }
        let Some(waker) = waker else {
            return if self.is_finished() {
                self.last_look()
            } else {
                Poll::Pending
            };
        };
        // Register before the last look, so a change after it wakes us (module docs).
        self.chan.rx_waker.register(waker);
        if self.cursor().wait_for_next() {
            return Poll::Ready(self.cursor().pop());
        }
        if self.is_finished() {
            return self.last_look();
        }
        Poll::Pending
    }

    /// Once finished: a message that became ready since our pop (a push that happened
    /// before the senders left) is still delivered; otherwise the channel is done.
    fn last_look(&mut self) -> Poll<Option<T>> {
        Poll::Ready(self.cursor().pop())
    }

    /// Whether nothing more can arrive beyond what is ready now (module docs).
    fn is_finished(&mut self) -> bool {
        let flags = self.chan.flags.load(Ordering::Acquire);
        if flags & SENDERS_GONE != 0 {
            return true;
        }
        if flags & RECEIVER_CLOSED == 0 {
            return false;
        }
        match self.chan.slots.as_ref() {
            Some(slots) => slots.available_permits() == self.chan.bound,
            None => {
                let cursor = self.cursor();
                cursor
                    .sealed_at()
                    .is_some_and(|sealed_at| cursor.position() >= sealed_at)
            }
        }
    }

    fn free_slots(&self, n: usize) {
        if let Some(slots) = self.chan.slots.as_ref() {
            slots.release(n);
        }
    }

    pub(crate) fn close(&mut self) {
        if self.chan.flags.fetch_or(RECEIVER_CLOSED, Ordering::AcqRel) & RECEIVER_CLOSED != 0 {
            return;
        }
        match self.chan.slots.as_ref() {
            Some(slots) => slots.close(),
            // SAFETY: we are the consumer (`&mut self`).
            None => drop(unsafe { self.chan.list.seal() }),
        }
        self.chan.receiver_closed_notify.notify_waiters();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.chan.flags.load(Ordering::Acquire) != 0
    }

    pub(crate) fn len(&self) -> usize {
        // SAFETY: we are the consumer, and a shared borrow of us excludes `&mut` uses.
        unsafe { self.chan.list.len() }
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
        // SAFETY: we are the consumer.
        let sealed_at = unsafe { self.chan.list.seal() };
        // Every position claimed before the seal gets its message written (the sender
        // is mid-push, with no await in between); drop each one here.
        // A message whose drop panics does not stop the drain (as in tokio): the rest
        // are still dropped here, and the first panic resumes once the drain is done.
        let mut drained = 0;
        let mut first_panic = None;
        while self.cursor().position() < sealed_at {
            match self.cursor().pop() {
                Some(value) => {
                    let dropped = std::panic::catch_unwind(AssertUnwindSafe(|| drop(value)));
                    if let Err(payload) = dropped {
                        first_panic.get_or_insert(payload);
                    }
                    drained += 1;
                }
                None => spin_wait(),
            }
        }
        self.free_slots(drained);
        // Let go of the task's waker now rather than with the last sender.
        drop(self.chan.rx_waker.take());
        if let Some(payload) = first_panic {
            // Resuming while already unwinding would abort; the first panic wins.
            if !std::thread::panicking() {
                std::panic::resume_unwind(payload);
            }
        }
    }
}

/// Waits a moment for a sender that is between its claim and its ready bit.
fn spin_wait() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    std::thread::yield_now();
}
