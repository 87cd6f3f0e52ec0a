//! A one-shot channel: one value, sent once, from one task to another.
//!
//! Both halves share one small lock-protected cell: the value slot, whether the sender
//! finished (sent or dropped), whether the receiver closed (closed or dropped), and one
//! waker per side. Invariant: the value is written at most once and only while the
//! receiver is open; once the receiver closes, a value still in the slot is dropped by
//! whoever closes it, so nothing outlives both halves.
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
use crate::loom::{Arc, Mutex};
use crate::waiters::register_waker;

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

/// Creates a one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State {
            value: None,
            sender_done: false,
            receiver_closed: false,
            value_taken: false,
            rx_waker: None,
            tx_waker: None,
        }),
    });
    (
        Sender {
            inner: Some(Arc::clone(&inner)),
        },
        Receiver { inner: Some(inner) },
    )
}

struct Inner<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    value: Option<T>,
    sender_done: bool,
    receiver_closed: bool,
    value_taken: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
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
        let mut state = inner.state.lock();
        if state.receiver_closed {
            state.sender_done = true;
            return Err(value);
        }
        state.value = Some(value);
        state.sender_done = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Whether the receiver has closed or been dropped, so a send would fail.
    pub fn is_closed(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.state.lock().receiver_closed)
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
        let mut state = inner.state.lock();
        if state.receiver_closed {
            budget.made_progress();
            return Poll::Ready(());
        }
        register_waker(&mut state.tx_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let mut state = inner.state.lock();
        state.sender_done = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it has arrived.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = self.inner.as_ref() else {
            return Err(TryRecvError::Closed);
        };
        let mut state = inner.state.lock();
        if let Some(value) = state.value.take() {
            state.value_taken = true;
            return Ok(value);
        }
        if state.sender_done || state.value_taken {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Closes the channel without dropping the receiver: a later `send` fails, but a
    /// value sent before this can still be received.
    pub fn close(&mut self) {
        let Some(inner) = self.inner.as_ref() else {
            return;
        };
        let mut state = inner.state.lock();
        state.receiver_closed = true;
        let waker = state.tx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether no value can arrive any more: the sender finished and there is no
    /// value waiting, or the receiver has closed.
    pub fn is_terminated(&self) -> bool {
        self.inner.as_ref().is_none_or(|inner| {
            let state = inner.state.lock();
            state.value.is_none() && (state.sender_done || state.value_taken)
        })
    }

    /// Whether no value is waiting right now.
    pub fn is_empty(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.state.lock().value.is_none())
    }

    /// Waits for the value from synchronous code, parking the thread.
    ///
    /// Do not call it from async code: it blocks the executor thread.
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::blocking::block_on(self)
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
        let mut state = inner.state.lock();
        let result = if let Some(value) = state.value.take() {
            state.value_taken = true;
            Ok(value)
        } else if state.sender_done || state.value_taken {
            Err(RecvError(()))
        } else {
            register_waker(&mut state.rx_waker, cx.waker());
            return Poll::Pending;
        };
        drop(state);
        budget.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let mut state = inner.state.lock();
        state.receiver_closed = true;
        let unreceived = state.value.take();
        let waker = state.tx_waker.take();
        drop(state);
        drop(unreceived);
        if let Some(waker) = waker {
            waker.wake();
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
