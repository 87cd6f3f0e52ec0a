//! The counting semaphore, and the fair acquire protocol that `Mutex` and `RwLock` are
//! built on.
//!
//! State is split in two. One atomic word holds the free permits, a `CLOSED` bit and a
//! `QUEUED` bit; a lock guards the FIFO [`WaitQueue`] of acquirers. `QUEUED` is set and
//! cleared only under the lock, and it is set exactly while the list holds a waiting
//! node. That makes the common cases lock-free: an acquirer that finds `QUEUED` clear
//! and enough permits takes them with one compare-and-swap, and a release that finds
//! `QUEUED` clear adds its permits with one `fetch_add`. Only when someone waits does
//! either side take the lock.
//!
//! The fairness invariant: **while anyone is waiting, no permit is free.** A release
//! adds its permits to the word unconditionally; if the word said `QUEUED`, those
//! permits are *in transit*: no lock-free acquirer may take them (they all back off on
//! `QUEUED`), and the releaser takes the lock and [`settles`](Semaphore::settle) them,
//! handing them to the waiter at the front, even partially (a waiter asking for five
//! may hold three while it waits for two more). Only what is left after the queue is
//! satisfied becomes free, in the same atomic step that clears `QUEUED`. So a newcomer
//! can never overtake a waiter, a large request is not starved by a stream of small
//! ones, and `try_acquire` fails whenever someone is queued.
//!
//! An acquirer that must wait takes the lock, settles whatever is in transit, and then
//! either finds enough free permits after all or, in one compare-and-swap, takes every
//! free permit as a first instalment and sets `QUEUED` before linking its node. A
//! releaser that saw `QUEUED` meanwhile blocks on the lock until the node is linked.
//! The node lives inside the waiting future ([`wait_queue`]); the releaser that
//! completes it unlinks it and publishes the outcome in an atomic of the node, so the
//! woken waiter finishes without taking the lock again. Under contention (a lock
//! convoy, where every hand-over goes through the queue) that is one lock round trip
//! and one slab insert fewer per hand-over.
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
use crate::waiters::WakeList;
use spindle_loom_shim::replace_waker;
use spindle_loom_shim::{AtomicUsize, Mutex, Ordering};

mod wait_queue;

use wait_queue::{closed_held, closed_holding, Node, WaitQueue, GRANTED, WAITING};

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
    /// `permits << PERMIT_SHIFT | QUEUED | CLOSED`; see the module docs.
    word: AtomicUsize,
    waiters: Mutex<WaitQueue>,
}

/// Set once the semaphore is closed; never cleared.
const CLOSED: usize = 1;
/// Set (under the lock) exactly while the wait list holds a waiting node.
const QUEUED: usize = 2;
const PERMIT_SHIFT: u32 = 2;
/// One permit, as an amount of the word.
const ONE_PERMIT: usize = 1 << PERMIT_SHIFT;

fn permits_in(word: usize) -> usize {
    word >> PERMIT_SHIFT
}

/// What a lock-free attempt to take permits found.
enum FastTake {
    Taken,
    Closed,
    /// Someone is queued, or not enough permits are free: the caller must queue.
    MustWait,
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
            word: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(WaitQueue::new()),
        }
    }

    /// Creates a semaphore with `permits` permits, in a `const` context (a `static`,
    /// for example).
    ///
    /// ```
    /// use spindle_sync::Semaphore;
    ///
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(10);
    /// assert_eq!(CONNECTIONS.available_permits(), 10);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics (at compile time in a `const`) if `permits` exceeds
    /// [`Semaphore::MAX_PERMITS`].
    #[cfg(not(loom))]
    #[track_caller]
    pub const fn const_new(permits: usize) -> Self {
        assert!(
            permits <= Self::MAX_PERMITS,
            "Semaphore::const_new: the permits exceed Semaphore::MAX_PERMITS"
        );
        Semaphore {
            word: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(WaitQueue::new()),
        }
    }

    /// A closed semaphore with no permits, in a `const` context (a `OnceCell` created
    /// full has nothing left to initialise).
    #[cfg(not(loom))]
    pub(crate) const fn const_closed() -> Self {
        Semaphore {
            word: AtomicUsize::new(CLOSED),
            waiters: Mutex::new(WaitQueue::new()),
        }
    }

    /// The number of permits free right now.
    pub fn available_permits(&self) -> usize {
        let word = self.word.load(Ordering::Acquire);
        if word & QUEUED != 0 {
            // Permits in transit are owed to the waiters.
            0
        } else {
            permits_in(word)
        }
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
        let mut waiters = self.waiters.lock();
        // Only the front waiter can hold a partial assignment (see `settle`).
        let assigned = waiters.with_front(|front| front.assigned).unwrap_or(0);
        let free = permits_in(self.word.load(Ordering::Acquire));
        let total = free.saturating_add(assigned).saturating_add(n);
        if total > Self::MAX_PERMITS {
            drop(waiters);
            panic!(
                "Semaphore::add_permits: adding {n} permits would exceed Semaphore::MAX_PERMITS ({})",
                Self::MAX_PERMITS
            );
        }
        self.settle(&mut waiters, n, &mut wakers);
        drop(waiters);
        wakers.wake_all();
    }

    /// Removes up to `n` free permits from the semaphore for good, returning how many
    /// were removed. Permits held by acquirers are not affected.
    pub fn forget_permits(&self, n: usize) -> usize {
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            if word & QUEUED != 0 {
                // Nothing is free while someone waits.
                return 0;
            }
            let forgotten = n.min(permits_in(word));
            if forgotten == 0 {
                return 0;
            }
            match self.word.compare_exchange_weak(
                word,
                word - forgotten * ONE_PERMIT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return forgotten,
                Err(actual) => word = actual,
            }
        }
    }

    /// Closes the semaphore: every queued and future acquire fails with
    /// [`AcquireError`]. Permits already held stay valid, and `try_acquire` reports
    /// [`TryAcquireError::Closed`]. A queued acquire that had been handed part of its
    /// permits gives them back when it next runs (it fails, or is dropped).
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        let mut waiters = self.waiters.lock();
        while let Some(assigned) = waiters.with_front(|front| front.assigned) {
            if let Some(waker) = waiters.pop_front(closed_holding(assigned)) {
                wakers.push(waker);
            }
        }
        // The queue is empty now: permits in transit become free.
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            let closed = (word | CLOSED) & !QUEUED;
            match self
                .word
                .compare_exchange_weak(word, closed, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(actual) => word = actual,
            }
        }
        drop(waiters);
        wakers.wake_all();
    }

    /// Whether [`close`](Semaphore::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.word.load(Ordering::Acquire) & CLOSED != 0
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

    /// Waits for one permit from synchronous code, parking the thread.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks (inside
    /// `Runtime::block_on` or an async task): it would block the runtime.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use spindle_sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(1));
    /// let permit = semaphore.blocking_acquire().expect("semaphore is open");
    /// assert_eq!(semaphore.available_permits(), 0);
    /// drop(permit);
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        crate::block_on::block_on(self.acquire())
    }

    /// Waits for `n` permits from synchronous code, parking the thread.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks.
    #[track_caller]
    pub fn blocking_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        crate::block_on::block_on(self.acquire_many(n))
    }

    /// Like [`blocking_acquire`](Semaphore::blocking_acquire), with an owned permit.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks.
    #[track_caller]
    pub fn blocking_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        crate::block_on::block_on(self.acquire_owned())
    }

    /// Like [`blocking_acquire_many`](Semaphore::blocking_acquire_many), with an owned
    /// permit.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks.
    #[track_caller]
    pub fn blocking_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        crate::block_on::block_on(self.acquire_many_owned(n))
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

    #[inline]
    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        match self.take_lock_free(n) {
            FastTake::Taken => Ok(()),
            FastTake::Closed => Err(TryAcquireError::Closed),
            FastTake::MustWait => Err(TryAcquireError::NoPermits),
        }
    }

    /// Takes `n` free permits with a compare-and-swap, if nobody is queued.
    #[inline]
    fn take_lock_free(&self, n: usize) -> FastTake {
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            if word & CLOSED != 0 {
                return FastTake::Closed;
            }
            if word & QUEUED != 0 || permits_in(word) < n {
                return FastTake::MustWait;
            }
            match self.word.compare_exchange_weak(
                word,
                word - n * ONE_PERMIT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return FastTake::Taken,
                Err(actual) => word = actual,
            }
        }
    }

    /// Returns `n` permits taken earlier by this crate's own protocols.
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let before = self.word.fetch_add(n * ONE_PERMIT, Ordering::AcqRel);
        if before & QUEUED != 0 {
            // The permits are in transit to the waiters: hand them over.
            let mut wakers = WakeList::new();
            let mut waiters = self.waiters.lock();
            self.settle(&mut waiters, 0, &mut wakers);
            drop(waiters);
            wakers.wake_all();
        }
    }

    /// Under the lock: hands `extra` permits, plus every permit in transit in the word,
    /// to the waiters front to back; what is left becomes free, in the same atomic
    /// step that clears `QUEUED` once the queue is empty.
    fn settle(&self, waiters: &mut WaitQueue, extra: usize, wakers: &mut WakeList) {
        if self.word.load(Ordering::Acquire) & QUEUED == 0 {
            // Nobody waits, and nobody can start to while we hold the lock.
            if extra > 0 {
                self.word.fetch_add(extra * ONE_PERMIT, Ordering::AcqRel);
            }
            return;
        }
        // QUEUED is set and we hold the lock, so no one else takes permits out of the
        // word: everything in it is in transit and ours to hand on.
        let before = self.word.fetch_and(CLOSED | QUEUED, Ordering::AcqRel);
        let mut left = permits_in(before) + extra;
        while left > 0 {
            let Some(satisfied) = waiters.with_front(|front| {
                let take = left.min(front.needed - front.assigned);
                front.assigned += take;
                left -= take;
                front.assigned == front.needed
            }) else {
                break;
            };
            if satisfied {
                if let Some(waker) = waiters.pop_front(GRANTED) {
                    wakers.push(waker);
                }
            }
        }
        if !waiters.is_empty() {
            // The front waiter still needs more, so everything was handed out.
            debug_assert_eq!(left, 0);
            return;
        }
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            let free = (word & !QUEUED) + left * ONE_PERMIT;
            match self
                .word
                .compare_exchange_weak(word, free, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => word = actual,
            }
        }
    }
}

/// The acquire protocol: polled until the permits are granted, queueing a node (kept
/// inside this future, see [`wait_queue`]) when it must wait.
///
/// It is `!Unpin`: once polled it may be linked into the semaphore's queue by address.
pub(crate) struct Acquire<'a> {
    semaphore: &'a Semaphore,
    needed: usize,
    phase: Phase,
    node: Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not polled yet, or polled without having to queue.
    Start,
    /// `node` was linked; its outcome says whether it still waits.
    Queued,
    /// Completed; polling again is a bug.
    Done,
}

impl<'a> Acquire<'a> {
    pub(crate) fn new(semaphore: &'a Semaphore, needed: usize) -> Self {
        Acquire {
            semaphore,
            needed,
            phase: Phase::Start,
            node: Node::new(),
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out of the future: `node` is only ever used through
        // a shared reference (its mutable parts are cells), and the other fields are
        // plain values that no one else points at.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(
            this.phase != Phase::Done,
            "semaphore Acquire polled after completion"
        );
        let budget = ready!(coop::poll_proceed(cx));
        let outcome = match this.phase {
            Phase::Start if this.needed == 0 => {
                if this.semaphore.is_closed() {
                    Err(AcquireError(()))
                } else {
                    Ok(())
                }
            }
            Phase::Start => match this.semaphore.take_lock_free(this.needed) {
                FastTake::Taken => Ok(()),
                FastTake::Closed => Err(AcquireError(())),
                FastTake::MustWait => match this.enqueue(cx.waker()) {
                    Some(outcome) => outcome,
                    None => return Poll::Pending,
                },
            },
            Phase::Queued => match this.node.outcome() {
                WAITING => {
                    let mut waiters = this.semaphore.waiters.lock();
                    // The outcome only changes under the lock, so this read is final.
                    match this.node.outcome() {
                        WAITING => {
                            // SAFETY: WAITING under the lock means linked.
                            let displaced = unsafe {
                                waiters.with_linked(&this.node, |state| {
                                    replace_waker(&mut state.waker, cx.waker())
                                })
                            };
                            // A waker's drop is user code: not under our lock.
                            drop(waiters);
                            drop(displaced);
                            return Poll::Pending;
                        }
                        outcome => {
                            drop(waiters);
                            this.finish(outcome)
                        }
                    }
                }
                // Served (or closed) while we were away: the node is ours again.
                outcome => this.finish(outcome),
            },
            Phase::Done => unreachable!("checked above"),
        };
        this.phase = Phase::Done;
        budget.made_progress();
        Poll::Ready(outcome)
    }
}

impl Acquire<'_> {
    /// Completes a queued acquire from its final outcome. As in tokio, a closed
    /// semaphore fails the acquire even if the permits had been granted before the
    /// close: they go back, with any partial share a close left with the node.
    fn finish(&self, outcome: usize) -> Result<(), AcquireError> {
        if outcome == GRANTED {
            if !self.semaphore.is_closed() {
                return Ok(());
            }
            self.semaphore.release(self.needed);
        } else if let Some(held) = closed_held(outcome) {
            self.semaphore.release(held);
        }
        Err(AcquireError(()))
    }

    /// The permits a node with final `outcome` holds.
    fn held_by_final(&self, outcome: usize) -> usize {
        if outcome == GRANTED {
            self.needed
        } else {
            closed_held(outcome).unwrap_or(0)
        }
    }

    /// The slow path of a first poll: under the lock, either take the permits after
    /// all or link the node at the back of the queue (`None`: wait).
    fn enqueue(&mut self, waker: &Waker) -> Option<Result<(), AcquireError>> {
        let semaphore = self.semaphore;
        let mut wakers = WakeList::new();
        let mut waiters = semaphore.waiters.lock();
        // Permits a releaser added but has not handed over yet belong to those queued
        // before us.
        semaphore.settle(&mut waiters, 0, &mut wakers);
        let mut word = semaphore.word.load(Ordering::Acquire);
        let outcome = loop {
            if word & CLOSED != 0 {
                break Some(Err(AcquireError(())));
            }
            if word & QUEUED != 0 {
                // Others wait (and, having just settled, nothing is free): queue behind.
                // SAFETY: the node is not linked (phase `Start`), and the future is
                // pinned (we are in `poll`) and unlinks it in `Drop`.
                unsafe { waiters.push_back(&self.node, self.needed, 0, waker.clone()) };
                self.phase = Phase::Queued;
                break None;
            }
            let free = permits_in(word);
            let (next, assigned) = if free >= self.needed {
                (word - self.needed * ONE_PERMIT, None)
            } else {
                // Take every free permit as a first instalment, and mark the queue.
                ((word & CLOSED) | QUEUED, Some(free))
            };
            match semaphore.word.compare_exchange_weak(
                word,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => match assigned {
                    None => break Some(Ok(())),
                    Some(assigned) => {
                        // SAFETY: as above.
                        unsafe {
                            waiters.push_back(&self.node, self.needed, assigned, waker.clone())
                        };
                        self.phase = Phase::Queued;
                        break None;
                    }
                },
                Err(actual) => word = actual,
            }
        };
        drop(waiters);
        wakers.wake_all();
        outcome
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.phase != Phase::Queued {
            return;
        }
        match self.node.outcome() {
            WAITING => {
                let mut wakers = WakeList::new();
                let mut waiters = self.semaphore.waiters.lock();
                // Final under the lock: a node still waiting gives back what it was
                // assigned so far; one granted meanwhile gives back its whole grant; a
                // closed one what the close left it. Settling also clears QUEUED if
                // this was the last waiter.
                let returned = match self.node.outcome() {
                    // SAFETY: WAITING under the lock means linked.
                    WAITING => unsafe { waiters.remove(&self.node) },
                    outcome => self.held_by_final(outcome),
                };
                self.semaphore.settle(&mut waiters, returned, &mut wakers);
                drop(waiters);
                wakers.wake_all();
            }
            // Granted or closed but never polled again: what it holds goes back.
            outcome => self.semaphore.release(self.held_by_final(outcome)),
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiting = self.waiters.lock().len();
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .field("waiters", &waiting)
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

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &'a Semaphore {
        self.semaphore
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

#[cfg(all(test, loom))]
mod loom_models {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    use super::{Acquire, Semaphore};
    use spindle_loom_shim::Arc;

    fn poll_noop(acquire: Pin<&mut Acquire<'_>>) -> Poll<Result<(), super::AcquireError>> {
        acquire.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// A lock-free release racing a waiter that queues and a newcomer on the fast path:
    /// the permit is never lost or doubled, and whoever ends up without it is served
    /// once the holder gives it back.
    #[test]
    fn release_racing_a_queueing_waiter_and_a_newcomer_conserves_the_permit() {
        loom::model(|| {
            let semaphore = Arc::new(Semaphore::new(1));
            semaphore.try_take(1).expect("the only permit is free");
            let releaser = {
                let semaphore = Arc::clone(&semaphore);
                loom::thread::spawn(move || semaphore.release(1))
            };
            let newcomer = {
                let semaphore = Arc::clone(&semaphore);
                loom::thread::spawn(move || semaphore.try_take(1).is_ok())
            };
            let mut waiter = std::pin::pin!(Acquire::new(&semaphore, 1));
            let waiter_first = poll_noop(waiter.as_mut()).is_ready();
            releaser.join().expect("releaser");
            let newcomer_took = newcomer.join().expect("newcomer");
            let waiter_now = waiter_first || poll_noop(waiter.as_mut()).is_ready();
            assert!(!(waiter_now && newcomer_took), "one permit, two holders");
            assert!(
                waiter_now || newcomer_took,
                "a waiter is pending while the released permit sits free"
            );
            let free = semaphore.available_permits();
            assert_eq!(
                usize::from(waiter_now) + usize::from(newcomer_took) + free,
                1
            );
            if newcomer_took {
                semaphore.release(1);
                assert!(
                    poll_noop(waiter.as_mut()).is_ready(),
                    "the waiter is served next"
                );
            }
        });
    }

    /// A close racing a release while an acquirer waits holding part of its permits:
    /// the acquirer fails, and once it is gone every permit is back, none doubled.
    #[test]
    fn close_racing_a_release_returns_every_permit_of_a_partial_waiter() {
        loom::model(|| {
            let semaphore = Arc::new(Semaphore::new(2));
            semaphore.try_take(1).expect("one of two permits is free");
            let mut waiter = std::pin::pin!(Acquire::new(&semaphore, 2));
            assert!(poll_noop(waiter.as_mut()).is_pending(), "one permit short");
            let releaser = {
                let semaphore = Arc::clone(&semaphore);
                loom::thread::spawn(move || semaphore.release(1))
            };
            let closer = {
                let semaphore = Arc::clone(&semaphore);
                loom::thread::spawn(move || semaphore.close())
            };
            releaser.join().expect("releaser");
            closer.join().expect("closer");
            // Granted before the close or not, a closed semaphore fails the acquire,
            // which gives back whatever it held.
            assert!(matches!(poll_noop(waiter.as_mut()), Poll::Ready(Err(_))));
            assert_eq!(semaphore.available_permits(), 2);
        });
    }
}
