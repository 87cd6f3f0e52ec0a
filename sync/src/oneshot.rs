//! A one-shot channel: one value, sent once, from one task to another.
//!
//! Both halves share one atomic state word and three cells: the value, the receiver's
//! waker and the sender's waker (for `closed()`). The word's bits say who may touch
//! which cell, so no lock is needed:
//!
//! - `value` is the sender's until it sets `COMPLETE`, and the receiver's after (it
//!   reads it only once it has seen `COMPLETE`). A sender that finds `RX_CLOSED`
//!   instead takes its value back and completes empty, so a value is delivered or
//!   refused, never both.
//! - `rx_waker` is written by the receiver only while `RX_WAKER_SET` is clear; the
//!   sender reads it only if it completes while the bit is set. To replace its waker
//!   the receiver first clears the bit with a compare-and-swap that fails once
//!   `COMPLETE` is set, so the two never touch the cell at once (two reads aside).
//! - `tx_waker` and `TX_WAKER_SET` are the mirror image, with `RX_CLOSED`.
//!
//! Invariant: once the receiver closes (`close` or drop), a later `send` fails; a
//! value sent before stays receivable until the receiver is dropped, which drops it,
//! so nothing outlives both halves.
//!
//! ```
//! use spindle_sync::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || tx.send(7).expect("receiver is alive"));
//! assert_eq!(futures::executor::block_on(rx), Ok(7));
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use spindle_loom_shim::{Arc, AtomicUsize, Ordering, UnsafeCell};

/// Error types of the one-shot channel.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending; returned by awaiting a
    /// [`Receiver`](super::Receiver).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    /// Error returned by [`Receiver::try_recv`](super::Receiver::try_recv).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No value yet; the sender may still send one.
        Empty,
        /// The sender was dropped without sending, or the value was already taken.
        Closed,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

/// The receiver's waker is in `rx_waker`.
const RX_WAKER_SET: usize = 0b0001;
/// The sender is done (sent, refused or dropped); `value` holds what it sent.
const COMPLETE: usize = 0b0010;
/// The receiver closed or was dropped: sends fail.
const RX_CLOSED: usize = 0b0100;
/// The sender's waker is in `tx_waker`.
const TX_WAKER_SET: usize = 0b1000;

/// Creates a one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(Arc::clone(&inner)),
        },
        Receiver { inner: Some(inner) },
    )
}

struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the value moves from the sending thread to the receiving one (`T: Send`);
// every cell access is handed to one side at a time by the state word (module docs).
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// Marks the sender done without a value and wakes a waiting receiver.
    fn complete_empty(&self) {
        let before = self.state.fetch_or(COMPLETE, Ordering::AcqRel);
        if before & RX_WAKER_SET != 0 && before & COMPLETE == 0 {
            self.wake_receiver();
        }
    }

    /// Wakes the receiver's waker.
    fn wake_receiver(&self) {
        // SAFETY: we completed while RX_WAKER_SET was set, so the receiver no longer
        // writes the cell (its clearing compare-and-swap fails on COMPLETE); at most it
        // reads it too.
        self.rx_waker.with(|waker| unsafe {
            if let Some(waker) = &*waker {
                waker.wake_by_ref();
            }
        });
    }

    /// Takes the value after `COMPLETE` was seen; `None` if the sender sent none.
    ///
    /// # Safety
    ///
    /// Only the receiver calls this, after reading `COMPLETE` with Acquire.
    unsafe fn take_value(&self) -> Option<T> {
        // SAFETY: COMPLETE hands the value cell to the receiver for good.
        self.value.with_mut(|value| unsafe { (*value).take() })
    }
}

/// Registers `waker` in `cell`, guarded by `bit` of `state`, unless `done` (a bit the
/// other side sets when it will never read the cell again) is set. Returns the state
/// seen with `done` set, or `None` once the waker is registered.
///
/// The cell is written only while `bit` is clear; the other side reads it only if it
/// sets `done` while `bit` is set.
fn register_waker(
    state: &AtomicUsize,
    cell: &UnsafeCell<Option<Waker>>,
    bit: usize,
    done: usize,
    waker: &Waker,
) -> Option<usize> {
    let mut current = state.load(Ordering::Acquire);
    if current & done != 0 {
        return Some(current);
    }
    if current & bit != 0 {
        // SAFETY: the bit is set, so nobody writes the cell; the other side may read it.
        let same = cell.with(|stored| unsafe {
            (*stored)
                .as_ref()
                .is_some_and(|stored| stored.will_wake(waker))
        });
        if same {
            return None;
        }
        loop {
            match state.compare_exchange_weak(
                current,
                current & !bit,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) if actual & done != 0 => return Some(actual),
                Err(actual) => current = actual,
            }
        }
    }
    // SAFETY: the bit is clear (we cleared it, or it never was set), so the other side
    // does not read the cell, and only we write it.
    let replaced = cell.with_mut(|stored| unsafe { (*stored).replace(waker.clone()) });
    let before = state.fetch_or(bit, Ordering::AcqRel);
    drop(replaced);
    if before & done != 0 {
        return Some(before);
    }
    None
}

/// Sends the channel's one value.
pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the channel's one value; `.await` it, or use [`try_recv`](Receiver::try_recv).
///
/// Awaiting is cancel safe: dropping a pending `&mut Receiver` await loses nothing; the
/// value stays in the channel for the next attempt.
pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, or gives it back if the receiver has closed or been dropped.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let Some(inner) = self.inner.take() else {
            unreachable!("a Sender holds the channel until send consumes it");
        };
        let mut state = inner.state.load(Ordering::Acquire);
        if state & RX_CLOSED != 0 {
            inner.complete_empty();
            return Err(value);
        }
        // SAFETY: COMPLETE is not set and only we set it, so the value cell is ours.
        inner.value.with_mut(|cell| unsafe { *cell = Some(value) });
        loop {
            if state & RX_CLOSED != 0 {
                // SAFETY: still not COMPLETE: the cell is ours; take the value back.
                let value = inner.value.with_mut(|cell| unsafe { (*cell).take() });
                inner.complete_empty();
                match value {
                    Some(value) => return Err(value),
                    None => unreachable!("the value was written above"),
                }
            }
            match inner.state.compare_exchange_weak(
                state,
                state | COMPLETE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & RX_WAKER_SET != 0 {
            inner.wake_receiver();
        }
        Ok(())
    }

    /// Whether the receiver has closed or been dropped, so a send would fail.
    pub fn is_closed(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.state.load(Ordering::Acquire) & RX_CLOSED != 0)
    }

    /// Waits until the receiver closes or is dropped, for instance to stop computing a
    /// value nobody wants any more. Cancel safe.
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver closing; registers `cx`'s waker if it has not.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = self.inner.as_ref() else {
            return Poll::Ready(());
        };
        let budget = ready!(coop::poll_proceed(cx));
        match register_waker(
            &inner.state,
            &inner.tx_waker,
            TX_WAKER_SET,
            RX_CLOSED,
            cx.waker(),
        ) {
            Some(_) => {
                budget.made_progress();
                Poll::Ready(())
            }
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.complete_empty();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it has arrived.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = self.inner.as_ref() else {
            return Err(TryRecvError::Closed);
        };
        if inner.state.load(Ordering::Acquire) & COMPLETE == 0 {
            return Err(TryRecvError::Empty);
        }
        // SAFETY: we are the receiver and saw COMPLETE with Acquire.
        let value = unsafe { inner.take_value() };
        self.inner = None;
        value.ok_or(TryRecvError::Closed)
    }

    /// Closes the channel without dropping the receiver: a later `send` fails, but a
    /// value sent before this can still be received.
    pub fn close(&mut self) {
        if let Some(inner) = self.inner.as_ref() {
            let before = inner.state.fetch_or(RX_CLOSED, Ordering::AcqRel);
            wake_sender_on_close(inner, before);
        }
    }

    /// Whether no value can arrive any more: the sender finished and there is no
    /// value waiting, or the value was already taken.
    pub fn is_terminated(&self) -> bool {
        self.inner.as_ref().is_none_or(|inner| {
            inner.state.load(Ordering::Acquire) & COMPLETE != 0
                // SAFETY: COMPLETE seen: the cell is the receiver's, and `&self`
                // excludes the receiver's own writes.
                && inner.value.with(|value| unsafe { (*value).is_none() })
        })
    }

    /// Whether no value is waiting right now.
    pub fn is_empty(&self) -> bool {
        !self.inner.as_ref().is_some_and(|inner| {
            inner.state.load(Ordering::Acquire) & COMPLETE != 0
                // SAFETY: as in `is_terminated`.
                && inner.value.with(|value| unsafe { (*value).is_some() })
        })
    }

    /// Waits for the value from synchronous code, parking the thread.
    ///
    /// Do not call it from async code: it blocks the executor thread.
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::block_on::block_on(self)
    }
}

/// After the receiver set `RX_CLOSED` over `before`: wakes a sender waiting in
/// `closed()`.
fn wake_sender_on_close<T>(inner: &Inner<T>, before: usize) {
    if before & RX_CLOSED == 0 && before & TX_WAKER_SET != 0 && before & COMPLETE == 0 {
        // SAFETY: we closed while TX_WAKER_SET was set, so the sender no longer writes
        // the cell (its clearing compare-and-swap fails on RX_CLOSED).
        inner.tx_waker.with(|waker| unsafe {
            if let Some(waker) = &*waker {
                waker.wake_by_ref();
            }
        });
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_ref() else {
            return Poll::Ready(Err(RecvError(())));
        };
        let budget = ready!(coop::poll_proceed(cx));
        if register_waker(
            &inner.state,
            &inner.rx_waker,
            RX_WAKER_SET,
            COMPLETE,
            cx.waker(),
        )
        .is_none()
        {
            return Poll::Pending;
        }
        // SAFETY: `register_waker` saw COMPLETE (with Acquire); we are the receiver.
        let value = unsafe { inner.take_value() };
        this.inner = None;
        budget.made_progress();
        Poll::Ready(value.ok_or(RecvError(())))
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let before = inner.state.fetch_or(RX_CLOSED, Ordering::AcqRel);
        if before & COMPLETE != 0 {
            // SAFETY: COMPLETE seen (AcqRel): the value is ours to drop.
            drop(unsafe { inner.take_value() });
        } else {
            wake_sender_on_close(&inner, before);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("terminated", &self.is_terminated())
            .finish()
    }
}
