//! A broadcast channel: every receiver sees every value, up to a bounded backlog.
//!
//! Values sit in one ring (a `VecDeque`) of at most `capacity` entries, each with an
//! absolute position; every receiver keeps the position of the next value it wants.
//! Sending never waits: when the ring is full the oldest value is overwritten, and a
//! receiver that had not read it yet learns on its next `recv` that it lagged by `n`
//! values (`RecvError::Lagged(n)`) and resumes at the oldest value still held.
//! Receivers that wait queue on a `WaitList` under the same lock as the ring, so a
//! send either finds a waiter to wake or the waiter finds the value: nothing is lost.
//!
//! Unlike tokio, a value stays in the ring until overwritten (not until every receiver
//! has read it); its destructor therefore runs later. The capacity is exact rather than
//! rounded up to a power of two.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::loom::{Arc, Mutex};
use crate::notify::Notify;
use crate::waiters::{register_waker, WaitList, WakeList};

/// Error types of the broadcast channel.
pub mod error {
    use std::fmt;

    /// No receiver exists; the value is given back.
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

    /// Error returned by [`Receiver::recv`](super::Receiver::recv).
    #[derive(Debug, PartialEq, Eq, Clone)]
    pub enum RecvError {
        /// Every sender is gone and every value has been received.
        Closed,
        /// The receiver fell behind and this many values were overwritten before it
        /// read them; the next `recv` returns the oldest value still held.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// Error returned by [`Receiver::try_recv`](super::Receiver::try_recv).
    #[derive(Debug, PartialEq, Eq, Clone)]
    pub enum TryRecvError {
        /// No new value yet.
        Empty,
        /// Every sender is gone and every value has been received.
        Closed,
        /// The receiver fell behind by this many values; see [`RecvError::Lagged`].
        Lagged(u64),
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
                TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, SendError, TryRecvError};

struct Shared<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    receivers_gone: Notify,
}

struct State<T> {
    ring: VecDeque<T>,
    /// Absolute position of `ring[0]`.
    head: u64,
    senders: usize,
    receivers: usize,
    waiters: WaitList<Option<Waker>>,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.ring.len() as u64
    }
}

/// Creates a broadcast channel that keeps the last `capacity` values for slow
/// receivers.
///
/// # Panics
///
/// Panics if `capacity` is zero.
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
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            ring: VecDeque::with_capacity(capacity.min(1024)),
            head: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
        capacity,
        receivers_gone: Notify::new(),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared, next: 0 },
    )
}

/// Sends values to every receiver. Cloneable; the channel closes once every `Sender`
/// is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every value sent after it subscribed (unless it lags).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
}

impl<T> Sender<T> {
    /// Sends `value` to every current receiver, returning how many there are; fails,
    /// giving the value back, if there are none. Never waits: when the backlog is full
    /// the oldest value is overwritten.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut wakers = WakeList::new();
        let mut state = self.shared.state.lock();
        if state.receivers == 0 {
            return Err(SendError(value));
        }
        state.ring.push_back(value);
        let overwritten = if state.ring.len() > self.shared.capacity {
            state.head += 1;
            state.ring.pop_front()
        } else {
            None
        };
        state
            .waiters
            .drain_linked(|waker| wakers.push(waker.take()));
        let receivers = state.receivers;
        drop(state);
        drop(overwritten);
        wakers.wake_all();
        Ok(receivers)
    }

    /// A new receiver that will see values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let mut state = self.shared.state.lock();
        state.receivers += 1;
        let next = state.tail();
        drop(state);
        Receiver {
            shared: Arc::clone(&self.shared),
            next,
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
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
        self.shared.state.lock().senders += 1;
        Sender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut wakers = WakeList::new();
        let mut state = self.shared.state.lock();
        state.senders -= 1;
        if state.senders == 0 {
            state
                .waiters
                .drain_linked(|waker| wakers.push(waker.take()));
        }
        drop(state);
        wakers.wake_all();
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
            key: None,
        }
    }

    /// Takes the next value if one is available.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state.lock();
        next_value(&mut self.next, &mut state)
    }

    /// Receives from synchronous code, parking the thread until a value arrives.
    ///
    /// Do not call it from async code: it blocks the executor thread.
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        crate::blocking::block_on(self.recv())
    }
}

/// Reads the value at position `next` (advancing it), or says why there is none.
fn next_value<T: Clone>(next: &mut u64, state: &mut State<T>) -> Result<T, TryRecvError> {
    if *next < state.head {
        let missed = state.head - *next;
        *next = state.head;
        return Err(TryRecvError::Lagged(missed));
    }
    if *next < state.tail() {
        let index = (*next - state.head) as usize;
        *next += 1;
        return Ok(state.ring[index].clone());
    }
    if state.senders == 0 {
        Err(TryRecvError::Closed)
    } else {
        Err(TryRecvError::Empty)
    }
}

impl<T> Receiver<T> {
    /// A new receiver that will see values sent from now on (not this one's backlog).
    pub fn resubscribe(&self) -> Self {
        let mut state = self.shared.state.lock();
        state.receivers += 1;
        let next = state.tail();
        drop(state);
        Receiver {
            shared: Arc::clone(&self.shared),
            next,
        }
    }

    /// How many values this receiver has yet to read (including ones it lagged past).
    pub fn len(&self) -> usize {
        let state = self.shared.state.lock();
        state.tail().saturating_sub(self.next) as usize
    }

    /// Whether this receiver has read everything sent so far.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().senders == 0
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.receivers -= 1;
        let last = state.receivers == 0;
        let dropped = if last {
            std::mem::take(&mut state.ring)
        } else {
            VecDeque::new()
        };
        if last {
            state.head += dropped.len() as u64;
        }
        drop(state);
        drop(dropped);
        if last {
            self.shared.receivers_gone.notify_waiters();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish()
    }
}

/// Future returned by [`Receiver::recv`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
    key: Option<usize>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let budget = ready!(coop::poll_proceed(cx));
        let receiver = &mut *this.receiver;
        let mut state = receiver.shared.state.lock();
        let result = match next_value(&mut receiver.next, &mut state) {
            Ok(value) => Ok(value),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Empty) => {
                match this.key {
                    Some(key) if state.waiters.is_linked(key) => {
                        register_waker(state.waiters.get_mut(key), cx.waker())
                    }
                    Some(key) => {
                        state.waiters.remove(key);
                        this.key = Some(state.waiters.push_back(Some(cx.waker().clone())));
                    }
                    None => this.key = Some(state.waiters.push_back(Some(cx.waker().clone()))),
                }
                return Poll::Pending;
            }
        };
        if let Some(key) = this.key.take() {
            state.waiters.remove(key);
        }
        drop(state);
        budget.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.receiver.shared.state.lock().waiters.remove(key);
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
