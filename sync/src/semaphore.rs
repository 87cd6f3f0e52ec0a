//! The counting semaphore, and the fair acquire protocol that `Mutex` and `RwLock` are
//! built on.
//!
//! State is a permit count, a closed flag and a FIFO [`WaitList`] of acquirers, all
//! under one lock. The invariant: **while anyone is waiting, no permit is free**
//! (`waiters` non-empty implies `permits == 0`). Released permits go to the waiter at
//! the front, even partially (a waiter asking for five may hold three while it waits
//! for two more), and only what is left after the queue is satisfied becomes free. So a
//! newcomer can never overtake a waiter, a large request is not starved by a stream of
//! small ones, and `try_acquire` fails whenever someone is queued.
//!
//! Cancel safety: dropping a waiting acquire unlinks its node and hands back every
//! permit already assigned to it, which flows on to the next waiter; dropping one that
//! was granted but never polled again returns the whole grant. Nothing leaks and no
//! place in the queue is kept by a future that no longer exists.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::loom::Mutex;
use crate::waiters::{register_waker, WaitList, WakeList};

/// A counting semaphore: a pool of permits that tasks acquire asynchronously.
///
/// Acquirers are served strictly first-in, first-out, including those that ask for
/// several permits at once. Permits come back when the [`SemaphorePermit`] or
/// [`OwnedSemaphorePermit`] is dropped.
///
/// ```
/// use spindle_sync::Semaphore;
///
/// futures::executor::block_on(async {
///     let semaphore = Semaphore::new(2);
///     let first = semaphore.acquire().await.expect("semaphore is open");
///     let _second = semaphore.acquire().await.expect("semaphore is open");
///     assert!(semaphore.try_acquire().is_err());
///     drop(first);
///     assert_eq!(semaphore.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    permits: usize,
    closed: bool,
    waiters: WaitList<Waiter>,
}

#[derive(Debug)]
struct Waiter {
    needed: usize,
    assigned: usize,
    outcome: Outcome,
    waker: Option<Waker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Waiting,
    Granted,
    Closed,
}

/// Error returned by [`Semaphore::acquire`] and friends when the semaphore is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Error returned by [`Semaphore::try_acquire`] and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore has been closed.
    Closed,
    /// Not enough permits are free right now (or other acquirers are queued first).
    NoPermits,
}

impl TryAcquireError {
    /// Whether the semaphore was closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, TryAcquireError::Closed)
    }

    /// Whether there were not enough permits.
    pub fn is_no_permits(&self) -> bool {
        matches!(self, TryAcquireError::NoPermits)
    }
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl Semaphore {
    /// The most permits a semaphore can hold.
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// Creates a semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// Panics if `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= Self::MAX_PERMITS,
            "Semaphore::new: {permits} permits exceeds Semaphore::MAX_PERMITS ({})",
            Self::MAX_PERMITS
        );
        Semaphore {
            state: Mutex::new(State {
                permits,
                closed: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// The number of permits free right now.
    pub fn available_permits(&self) -> usize {
        self.state.lock().permits
    }

    /// Adds `n` permits, handing them to queued acquirers first.
    ///
    /// # Panics
    ///
    /// Panics if the total would exceed [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        let assigned: usize = state.waiters_assigned();
        let total = state.permits.saturating_add(assigned).saturating_add(n);
        if total > Self::MAX_PERMITS {
            drop(state);
            panic!(
                "Semaphore::add_permits: adding {n} permits would exceed Semaphore::MAX_PERMITS ({})",
                Self::MAX_PERMITS
            );
        }
        state.release(n, &mut wakers);
        drop(state);
        wakers.wake_all();
    }

    /// Removes up to `n` free permits from the semaphore for good, returning how many
    /// were removed. Permits held by acquirers are not affected.
    pub fn forget_permits(&self, n: usize) -> usize {
        let mut state = self.state.lock();
        let forgotten = n.min(state.permits);
        state.permits -= forgotten;
        forgotten
    }

    /// Closes the semaphore: every queued and future acquire fails with
    /// [`AcquireError`]. Permits already held stay valid, and `try_acquire` reports
    /// [`TryAcquireError::Closed`].
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        state.closed = true;
        let mut returned = 0;
        state.waiters.drain_linked(|waiter| {
            returned += waiter.assigned;
            waiter.assigned = 0;
            waiter.outcome = Outcome::Closed;
            wakers.push(waiter.waker.take());
        });
        state.permits += returned;
        drop(state);
        wakers.wake_all();
    }

    /// Whether [`close`](Semaphore::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// Waits for one permit.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue and returns
    /// any permit already assigned to it.
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once; they are granted together, in FIFO order.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue and returns
    /// the permits already assigned to it, which go on to the next waiter.
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        Acquire::new(self, n as usize).await?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n as usize,
        })
    }

    /// Takes one permit if one is free and nobody is queued.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody is queued.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n as usize,
        })
    }

    /// Like [`acquire`](Semaphore::acquire), but the permit owns an `Arc` of the
    /// semaphore instead of borrowing it.
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Like [`acquire_many`](Semaphore::acquire_many), with an owned permit.
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        Acquire::new(&self, n as usize).await?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n as usize,
        })
    }

    /// Like [`try_acquire`](Semaphore::try_acquire), with an owned permit.
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Like [`try_acquire_many`](Semaphore::try_acquire_many), with an owned permit.
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n as usize,
        })
    }

    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut state = self.state.lock();
        if state.closed {
            return Err(TryAcquireError::Closed);
        }
        if state.waiters.is_empty() && state.permits >= n {
            state.permits -= n;
            Ok(())
        } else {
            Err(TryAcquireError::NoPermits)
        }
    }

    /// Returns `n` permits taken earlier by this crate's own protocols.
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut wakers = WakeList::new();
        self.state.lock().release(n, &mut wakers);
        wakers.wake_all();
    }
}

impl State {
    /// Adds `n` permits, assigning them to waiters front to back; what is left over
    /// becomes free.
    fn release(&mut self, n: usize, wakers: &mut WakeList) {
        let mut left = n;
        while left > 0 {
            let Some(key) = self.waiters.front() else {
                break;
            };
            let waiter = self.waiters.get_mut(key);
            let take = left.min(waiter.needed - waiter.assigned);
            waiter.assigned += take;
            left -= take;
            if waiter.assigned == waiter.needed {
                waiter.outcome = Outcome::Granted;
                wakers.push(waiter.waker.take());
                self.waiters.unlink(key);
            }
        }
        self.permits += left;
    }

    fn waiters_assigned(&self) -> usize {
        // Only the front waiter can hold a partial assignment (see `release`).
        self.waiters
            .front()
            .map_or(0, |key| self.waiters.get(key).assigned)
    }
}

/// The acquire protocol: a node in the semaphore's queue, polled until granted.
///
/// It is `Unpin` (the node lives in the slab, not in the future), so it can be moved
/// freely between polls.
pub(crate) struct Acquire<'a> {
    semaphore: &'a Semaphore,
    needed: usize,
    key: Option<usize>,
    done: bool,
}

impl<'a> Acquire<'a> {
    pub(crate) fn new(semaphore: &'a Semaphore, needed: usize) -> Self {
        Acquire {
            semaphore,
            needed,
            key: None,
            done: false,
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.done, "semaphore Acquire polled after completion");
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = this.semaphore.state.lock();
        let outcome = match this.key {
            None => {
                if state.closed {
                    Err(AcquireError(()))
                } else if this.needed == 0
                    || (state.waiters.is_empty() && state.permits >= this.needed)
                {
                    state.permits -= this.needed;
                    Ok(())
                } else {
                    // By the invariant, free permits exist only while the queue is
                    // empty; take them as a first instalment.
                    let assigned = state.permits;
                    state.permits = 0;
                    this.key = Some(state.waiters.push_back(Waiter {
                        needed: this.needed,
                        assigned,
                        outcome: Outcome::Waiting,
                        waker: Some(cx.waker().clone()),
                    }));
                    return Poll::Pending;
                }
            }
            Some(key) => {
                let waiter = state.waiters.get_mut(key);
                match waiter.outcome {
                    Outcome::Waiting => {
                        register_waker(&mut waiter.waker, cx.waker());
                        return Poll::Pending;
                    }
                    Outcome::Granted => {
                        state.waiters.remove(key);
                        this.key = None;
                        Ok(())
                    }
                    Outcome::Closed => {
                        state.waiters.remove(key);
                        this.key = None;
                        Err(AcquireError(()))
                    }
                }
            }
        };
        drop(state);
        this.done = true;
        budget.made_progress();
        Poll::Ready(outcome)
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut wakers = WakeList::new();
        let mut state = self.semaphore.state.lock();
        let waiter = state.waiters.remove(key);
        // A granted node holds all it asked for; a waiting one what it was assigned so
        // far; a closed one nothing (close returned it).
        if waiter.assigned > 0 {
            state.release(waiter.assigned, &mut wakers);
        }
        drop(state);
        wakers.wake_all();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Semaphore")
            .field("permits", &state.permits)
            .field("closed", &state.closed)
            .field("waiters", &state.waiters.len())
            .finish()
    }
}

/// Permits borrowed from a [`Semaphore`]; they go back when this is dropped.
#[must_use = "the permits are released at once if the permit is not held"]
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: usize,
}

impl<'a> SemaphorePermit<'a> {
    /// Keeps the permits out of the semaphore for good instead of returning them.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Moves the permits of `other` into this one.
    ///
    /// # Panics
    ///
    /// Panics if `other` comes from a different semaphore.
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.semaphore, other.semaphore),
            "SemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Splits `n` permits off into a new permit, or returns `None` if this holds fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(SemaphorePermit {
            semaphore: self.semaphore,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release(self.permits);
    }
}

/// Permits taken from an `Arc<Semaphore>`; they go back when this is dropped.
#[must_use = "the permits are released at once if the permit is not held"]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: usize,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good instead of returning them.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Moves the permits of `other` into this one.
    ///
    /// # Panics
    ///
    /// Panics if `other` comes from a different semaphore.
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.semaphore, &other.semaphore),
            "OwnedSemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Splits `n` permits off into a new permit, or returns `None` if this holds fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            semaphore: Arc::clone(&self.semaphore),
            permits: n,
        })
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.release(self.permits);
    }
}
