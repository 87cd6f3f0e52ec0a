//! `Notify`: wake one waiting task, or all of them, without sending data.
//!
//! State is a stored permit (the notification that `notify_one` leaves when nobody
//! waits), a FIFO [`WaitList`] of `Notified` futures, and a count of `notify_waiters`
//! calls. A `Notified` reads that count when it is *created*; any `notify_waiters` after
//! that completes it, even if it had not been polled yet. That is what makes the
//! check-then-wait pattern race free: create the future (or `enable` it), check your
//! condition, then await.
//!
//! Invariants: `notify_one` either hands its notification to exactly one waiter (the
//! front of the queue) or stores it as the permit, never both and never neither; a
//! `Notified` dropped after receiving a `notify_one` notification it did not consume
//! passes it on, so a notification is never lost to cancellation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::loom::{AtomicUsize, Mutex, Ordering};
use crate::waiters::{register_waker, WaitList, WakeList};

/// Notifies one task, or all waiting tasks, of an event.
///
/// ```
/// use spindle_sync::Notify;
///
/// futures::executor::block_on(async {
///     let notify = Notify::new();
///     notify.notify_one(); // stored: nobody waits yet
///     notify.notified().await; // completes at once, consuming the stored permit
/// });
/// ```
pub struct Notify {
    state: Mutex<NotifyState>,
    /// How many times `notify_waiters` has been called; written under `state`'s lock.
    waiters_generation: AtomicUsize,
}

#[derive(Debug)]
struct NotifyState {
    permit: bool,
    waiters: WaitList<Waiter>,
}

#[derive(Debug)]
struct Waiter {
    waker: Option<Waker>,
    notified: Option<Kind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    One,
    All,
}

impl Notify {
    /// Creates a `Notify` with no stored permit.
    pub fn new() -> Self {
        Notify {
            state: Mutex::new(NotifyState {
                permit: false,
                waiters: WaitList::new(),
            }),
            waiters_generation: AtomicUsize::new(0),
        }
    }

    /// Returns a future that completes when this `Notify` is notified.
    ///
    /// The future counts as waiting for [`notify_waiters`](Notify::notify_waiters) from
    /// the moment it is created, and for [`notify_one`](Notify::notify_one) from its
    /// first poll or [`Notified::enable`].
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            state: NotifiedState::Init,
            generation: self.waiters_generation.load(Ordering::SeqCst),
        }
    }

    /// Wakes the task that has waited longest, or, if none waits, stores one permit so
    /// the next `notified().await` completes at once. Permits do not accumulate.
    pub fn notify_one(&self) {
        let mut state = self.state.lock();
        let waker = state.notify_one();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes every task waiting right now (and every `Notified` created before this
    /// call). Stores no permit.
    pub fn notify_waiters(&self) {
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        let generation = self.waiters_generation.load(Ordering::Relaxed);
        self.waiters_generation
            .store(generation.wrapping_add(1), Ordering::SeqCst);
        state.waiters.drain_linked(|waiter| {
            waiter.notified = Some(Kind::All);
            wakers.push(waiter.waker.take());
        });
        drop(state);
        wakers.wake_all();
    }
}

impl NotifyState {
    /// Hands a `notify_one` notification to the front waiter, or stores it. Returns
    /// the waker to wake once the lock is released.
    fn notify_one(&mut self) -> Option<Waker> {
        match self.waiters.pop_front() {
            Some(key) => {
                let waiter = self.waiters.get_mut(key);
                waiter.notified = Some(Kind::One);
                waiter.waker.take()
            }
            None => {
                self.permit = true;
                None
            }
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Notify")
            .field("permit", &state.permit)
            .field("waiters", &state.waiters.len())
            .finish()
    }
}

/// Future returned by [`Notify::notified`].
///
/// Cancel safe: dropping it leaves the queue, and a `notify_one` notification it had
/// received but not returned goes on to the next waiter (or back to the stored permit).
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    notify: &'a Notify,
    state: NotifiedState,
    generation: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotifiedState {
    Init,
    Waiting(usize),
    Done,
}

impl Notified<'_> {
    /// Joins the queue for `notify_one` without waiting to be polled, so a notification
    /// sent between now and the first poll is not missed. Returns whether the future
    /// has already been notified.
    ///
    /// ```
    /// use std::pin::pin;
    /// use spindle_sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one(); // goes to the enabled future, not to the permit
    /// futures::executor::block_on(notified);
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().poll_notified(None)
    }

    /// Advances the state machine; `waker` is stored when the future must wait.
    fn poll_notified(&mut self, waker: Option<&Waker>) -> bool {
        let mut state = self.notify.state.lock();
        match self.state {
            NotifiedState::Done => true,
            NotifiedState::Init => {
                if self.notify.waiters_generation.load(Ordering::SeqCst) != self.generation {
                    self.state = NotifiedState::Done;
                    return true;
                }
                if state.permit {
                    state.permit = false;
                    self.state = NotifiedState::Done;
                    return true;
                }
                let key = state.waiters.push_back(Waiter {
                    waker: waker.cloned(),
                    notified: None,
                });
                self.state = NotifiedState::Waiting(key);
                false
            }
            NotifiedState::Waiting(key) => {
                let waiter = state.waiters.get_mut(key);
                if waiter.notified.is_some() {
                    state.waiters.remove(key);
                    self.state = NotifiedState::Done;
                    return true;
                }
                if let Some(waker) = waker {
                    register_waker(&mut waiter.waker, waker);
                }
                false
            }
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let budget = ready!(coop::poll_proceed(cx));
        if this.poll_notified(Some(cx.waker())) {
            budget.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let NotifiedState::Waiting(key) = self.state else {
            return;
        };
        let mut state = self.notify.state.lock();
        let waiter = state.waiters.remove(key);
        let forwarded = if waiter.notified == Some(Kind::One) {
            state.notify_one()
        } else {
            None
        };
        drop(state);
        if let Some(waker) = forwarded {
            waker.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
