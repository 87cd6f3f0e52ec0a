//! `Notify`: wake one waiting task, or all of them, without sending data.
//!
//! ## The state word
//!
//! One atomic word holds a *phase* in its two low bits and, above them, how many times
//! `notify_waiters` has been called (the *generation*):
//!
//! - `EMPTY`: no stored permit and nobody queued;
//! - `NOTIFIED`: a `notify_one` found nobody waiting and left its permit;
//! - `WAITING`: at least one `Notified` is queued (so no permit is stored).
//!
//! `EMPTY` and `NOTIFIED` change into each other by compare-exchange on the word alone:
//! a `notify_one` with nobody waiting and a `Notified` that finds the permit take no
//! lock. The word enters and leaves `WAITING` only under the lock that guards the
//! queue, and nothing changes a `WAITING` word without that lock, so whoever holds the
//! lock and reads `WAITING` knows the queue is non-empty and stays so until it acts.
//!
//! ## The queue
//!
//! The queue is intrusive: each queued `Notified` is a node of a doubly linked list (its
//! `Waiter`) that lives inside the future itself, so waiting allocates nothing. That is
//! why `Notified` is `!Unpin`: it joins the queue only once pinned (first poll or
//! `enable`), and its `Drop` unlinks it, so the queue never points at moved or freed
//! memory.
//!
//! A notifier unlinks a node under the lock, takes its waker, and *then* stores the
//! node's `notification` (`ONE` or `ALL`) with release ordering: that store is the last
//! time anyone but the owner touches the node. The owner reads the flag on its next
//! poll without the lock; once it is set, the node is out of the queue and the owner's
//! alone. Only a poll that finds no notification (a spurious wake, a new waker) takes
//! the lock.
//!
//! ## notify_waiters and check-then-wait
//!
//! A `Notified` records the generation when it is *created*; any `notify_waiters` after
//! that completes it, even if it had not been polled yet. `notify_waiters` bumps the
//! generation by compare-exchange when nobody is queued, and under the lock, in the
//! same critical section that drains the queue, when someone is. A future joining the
//! queue re-reads the word under the lock and moves it to `WAITING` by compare-exchange,
//! so a racing bump either makes that fail (the future then sees the new generation
//! and completes) or comes after the future is queued (and drains it). That is what
//! makes check-then-wait race free: create the future (or `enable` it), check your
//! condition, then await.
//!
//! ## Orderings
//!
//! Every change of the word is a release (a compare-exchange, `fetch_add`, or a store
//! under the lock) and every read of it an acquire, so whatever a caller wrote before
//! `notify_one` or `notify_waiters` is visible to the task their call completes: the
//! permit passes through the word, a `notify_waiters` generation through the word
//! (also to a `notified()` that reads the new generation at creation and must then see
//! the caller's condition), a queued waiter's notification through its flag. The races
//! between the lock-free calls and the ones under the lock need no stronger ordering:
//! they are all read-modify-writes of the one word, and a compare-exchange fails if
//! anything changed it in between.
//!
//! ## Invariants
//!
//! `notify_one` either hands its notification to exactly one waiter (the front of the
//! queue) or stores it as the permit, never both and never neither; a `Notified`
//! dropped after receiving a `notify_one` notification it did not consume passes it
//! on, so a notification is never lost to cancellation. Wakers are woken after the lock
//! is released.

use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::ops::Deref;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::waiters::WakeList;
use spindle_loom_shim::replace_waker;
use spindle_loom_shim::{AtomicUsize, Mutex, Ordering, UnsafeCell};

/// Phase: no permit stored, nobody queued.
const EMPTY: usize = 0;
/// Phase: the queue is non-empty.
const WAITING: usize = 1;
/// Phase: a permit is stored.
const NOTIFIED: usize = 2;
const PHASE_MASK: usize = 0b11;
/// One `notify_waiters` call, as counted in the state word.
const GENERATION_STEP: usize = PHASE_MASK + 1;

fn phase(state: usize) -> usize {
    state & PHASE_MASK
}

fn with_phase(state: usize, phase: usize) -> usize {
    (state & !PHASE_MASK) | phase
}

fn generation(state: usize) -> usize {
    state & !PHASE_MASK
}

/// `Waiter::notification` values: still queued, or unlinked by one of the two calls.
const NOTIFICATION_NONE: usize = 0;
const NOTIFICATION_ONE: usize = 1;
const NOTIFICATION_ALL: usize = 2;
/// A `notify_last` notification: passed on (if cancelled) to the newest waiter.
const NOTIFICATION_LAST: usize = 3;

/// Which waiter a single notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    /// The one that has waited longest (`notify_one`).
    Oldest,
    /// The one that started waiting last (`notify_last`).
    Newest,
}

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
    /// Phase and generation; see the module docs.
    state: AtomicUsize,
    /// The waiting `Notified` futures, longest waiting at the front.
    waiters: Mutex<WaiterQueue>,
}

impl Notify {
    /// Creates a `Notify` with no stored permit.
    pub fn new() -> Self {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaiterQueue::new()),
        }
    }

    /// Creates a `Notify` in a `const` context, so it can live in a `static`.
    ///
    /// ```
    /// use spindle_sync::Notify;
    ///
    /// static READY: Notify = Notify::const_new();
    /// READY.notify_one();
    /// futures::executor::block_on(READY.notified());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaiterQueue::new()),
        }
    }

    /// Returns a future that completes when this `Notify` is notified.
    ///
    /// The future counts as waiting for [`notify_waiters`](Notify::notify_waiters) from
    /// the moment it is created, and for [`notify_one`](Notify::notify_one) from its
    /// first poll or [`Notified::enable`].
    #[inline]
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            waiting: Waiting::new(self),
        }
    }

    /// Like [`notified`](Notify::notified), but the future owns an `Arc` of the
    /// `Notify`, so it is `'static` (it can be stored or moved into a spawned task).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use spindle_sync::Notify;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let notified = notify.clone().notified_owned();
    /// notify.notify_waiters();
    /// futures::executor::block_on(notified);
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            waiting: Waiting::new(self),
        }
    }

    /// Wakes the task that has waited longest, or, if none waits, stores one permit so
    /// the next `notified().await` completes at once. Permits do not accumulate.
    pub fn notify_one(&self) {
        self.notify_single(Pick::Oldest);
    }

    /// Like [`notify_one`](Notify::notify_one), but wakes the task that started waiting
    /// *last* (if none waits, it stores the permit just the same).
    ///
    /// ```
    /// use std::pin::pin;
    /// use spindle_sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut first = pin!(notify.notified());
    /// let mut second = pin!(notify.notified());
    /// first.as_mut().enable();
    /// second.as_mut().enable();
    /// notify.notify_last();
    /// assert!(second.as_mut().enable(), "the newest waiter is notified");
    /// assert!(!first.as_mut().enable());
    /// ```
    pub fn notify_last(&self) {
        self.notify_single(Pick::Newest);
    }

    fn notify_single(&self, pick: Pick) {
        let mut state = self.state.load(Ordering::Acquire);
        // Nobody queued: store the permit without the lock.
        while phase(state) != WAITING {
            match self.state.compare_exchange(
                state,
                with_phase(state, NOTIFIED),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        let mut waiters = self.waiters.lock();
        let waker = self.notify_one_locked(&mut waiters, pick);
        drop(waiters);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Hands a `notify_one` notification to the front waiter, or stores it as the
    /// permit. Called with the lock held (`waiters` is its guarded queue); returns the
    /// waker to wake once the lock is released.
    fn notify_one_locked(&self, waiters: &mut WaiterQueue, pick: Pick) -> Option<Waker> {
        let (waiter, notification) = match pick {
            Pick::Oldest => (waiters.pop_front(), NOTIFICATION_ONE),
            Pick::Newest => (waiters.pop_back(), NOTIFICATION_LAST),
        };
        if let Some(waiter) = waiter {
            if waiters.is_empty() {
                self.leave_waiting_locked(EMPTY);
            }
            // SAFETY: `waiter` was in the queue until just now, so it is alive (the
            // queue's invariant), and we hold the lock.
            return unsafe { Waiter::notify_unlinked(waiter, notification) };
        }
        // Nobody queued: the word is EMPTY or NOTIFIED, which lock-free calls may flip
        // under us, hence the compare-exchange.
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            match self.state.compare_exchange(
                state,
                with_phase(state, NOTIFIED),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return None,
                Err(actual) => state = actual,
            }
        }
    }

    /// Moves the word out of `WAITING` (the queue just became empty). Called with the
    /// lock held: a `WAITING` word changes only under the lock, so load-then-store
    /// loses nothing.
    fn leave_waiting_locked(&self, phase: usize) {
        let state = self.state.load(Ordering::Acquire);
        debug_assert_eq!(self::phase(state), WAITING);
        self.state
            .store(with_phase(state, phase), Ordering::Release);
    }

    /// Wakes every task waiting right now (and every `Notified` created before this
    /// call). Stores no permit.
    pub fn notify_waiters(&self) {
        let mut state = self.state.load(Ordering::Acquire);
        // Nobody queued: only the generation moves, and no lock is needed (see the
        // module docs for why a future queueing at this moment cannot miss it).
        while phase(state) != WAITING {
            match self.state.compare_exchange(
                state,
                state.wrapping_add(GENERATION_STEP),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        let mut wakers = WakeList::new();
        let mut waiters = self.waiters.lock();
        let state = self.state.load(Ordering::Acquire);
        if phase(state) != WAITING {
            // The last waiter left between our load and the lock.
            self.state.fetch_add(GENERATION_STEP, Ordering::AcqRel);
            return;
        }
        while let Some(waiter) = waiters.pop_front() {
            // SAFETY: `waiter` was in the queue until just now, so it is alive, and we
            // hold the lock.
            wakers.push(unsafe { Waiter::notify_unlinked(waiter, NOTIFICATION_ALL) });
        }
        self.state.store(
            with_phase(state.wrapping_add(GENERATION_STEP), EMPTY),
            Ordering::Release,
        );
        drop(waiters);
        wakers.wake_all();
    }
}

// The state stays consistent across a panic: every change of it is one atomic step or
// completes under the lock before any user code (a waker) runs. Tokio declares the same.
impl std::panic::UnwindSafe for Notify {}
impl std::panic::RefUnwindSafe for Notify {}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Ordering::Relaxed);
        f.debug_struct("Notify")
            .field("permit", &(phase(state) == NOTIFIED))
            .field("waiting", &(phase(state) == WAITING))
            .finish()
    }
}

/// Future returned by [`Notify::notified`].
///
/// Cancel safe: dropping it leaves the queue, and a `notify_one` notification it had
/// received but not returned goes on to the next waiter (or back to the stored permit).
///
/// It is `!Unpin`, because while it waits it is a node of the `Notify`'s queue: poll it
/// through `.await`, [`std::pin::pin!`] or `Box::pin`.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    waiting: Waiting<&'a Notify>,
}

/// Future returned by [`Notify::notified_owned`]: a [`Notified`] that owns an `Arc`
/// of its `Notify`. Cancel safe in the same way, and `!Unpin` for the same reason.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct OwnedNotified {
    waiting: Waiting<Arc<Notify>>,
}

/// The state machine of both notified futures; `N` is how it reaches its `Notify`.
struct Waiting<N: Deref<Target = Notify>> {
    notify: N,
    state: NotifiedState,
    /// The `notify_waiters` generation when the future was created.
    generation: usize,
    /// This future's node in the queue; linked only while `state` is `Waiting` and no
    /// notification has been stored in it.
    waiter: Waiter,
}

// SAFETY: other threads reach the waiter only under the `Notify`'s lock (links, waker)
// or through its atomic `notification`, whichever thread owns the future; the waker it
// holds is `Send`, and its link pointers point at other waiters of the same `Notify`,
// which the same lock guards.
unsafe impl<N: Deref<Target = Notify> + Send> Send for Waiting<N> {}
// SAFETY: a shared `&Waiting` can do nothing but `Debug`, which reads no waiter cell.
unsafe impl<N: Deref<Target = Notify> + Sync> Sync for Waiting<N> {}

/// The public face of a notified future: `enable`, `Future` and `Debug`, forwarded to
/// its `Waiting` state machine.
macro_rules! notified_future {
    ($future:ty, $reference:ty, [$($life:lifetime)?]) => {
        impl<$($life)?> $future {
            /// Joins the queue for `notify_one` without waiting to be polled, so a
            /// notification sent between now and the first poll is not missed. Returns
            /// whether the future has already been notified.
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
                self.waiting().poll_notified(None)
            }

            fn waiting(self: Pin<&mut Self>) -> Pin<&mut Waiting<$reference>> {
                // SAFETY: structural pinning: `waiting` is never moved out of the pinned
                // future (no method hands it out by value, and the future has no `Drop`
                // of its own that could move it).
                unsafe { self.map_unchecked_mut(|future| &mut future.waiting) }
            }
        }

        impl<$($life)?> Future for $future {
            type Output = ();

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                let budget = ready!(coop::poll_proceed(cx));
                if self.waiting().poll_notified(Some(cx.waker())) {
                    budget.made_progress();
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
        }

        impl<$($life)?> fmt::Debug for $future {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($future).split('<').next().unwrap_or("Notified").trim())
                    .field("state", &self.waiting.state)
                    .finish_non_exhaustive()
            }
        }
    };
}

notified_future!(Notified<'a>, &'a Notify, ['a]);
notified_future!(OwnedNotified, Arc<Notify>, []);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotifiedState {
    /// Not polled or enabled yet.
    Init,
    /// Queued (or just unlinked by a notifier, which `waiter.notification` tells).
    Waiting,
    Done,
}

impl<N: Deref<Target = Notify>> Waiting<N> {
    fn new(notify: N) -> Self {
        let generation = generation(notify.state.load(Ordering::Acquire));
        Waiting {
            notify,
            state: NotifiedState::Init,
            generation,
            waiter: Waiter::new(),
        }
    }

    /// Advances the state machine; `waker` is stored when the future must wait.
    #[inline]
    fn poll_notified(self: Pin<&mut Self>, waker: Option<&Waker>) -> bool {
        // SAFETY: nothing below moves out of `this`: the waiter stays where it was
        // pinned, which the queue relies on.
        let this = unsafe { self.get_unchecked_mut() };
        match this.state {
            NotifiedState::Done => true,
            // Acquire: pairs with the notifier's release, after which the node is ours.
            NotifiedState::Waiting
                if this.waiter.notification.load(Ordering::Acquire) != NOTIFICATION_NONE =>
            {
                this.complete_unlinked()
            }
            NotifiedState::Waiting => this.poll_queued(waker),
            NotifiedState::Init => this.poll_first(waker),
        }
    }

    /// The first poll (or `enable`): completes on a `notify_waiters` since creation or
    /// on the stored permit; otherwise joins the queue. `self` is pinned.
    ///
    /// Kept out of line so that `poll_notified`, inlined into `poll`, stays the few
    /// instructions of the completion check.
    #[inline(never)]
    fn poll_first(&mut self, waker: Option<&Waker>) -> bool {
        let notify = &*self.notify;
        let mut state = notify.state.load(Ordering::Acquire);
        // Without the lock: a `notify_waiters` since creation, or the permit.
        loop {
            if generation(state) != self.generation {
                self.state = NotifiedState::Done;
                return true;
            }
            if phase(state) != NOTIFIED {
                break;
            }
            match notify.state.compare_exchange(
                state,
                with_phase(state, EMPTY),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.state = NotifiedState::Done;
                    return true;
                }
                Err(actual) => state = actual,
            }
        }

        // Cloned before the lock and before the word changes: a clone that panics
        // leaves nothing half-queued.
        let waker = waker.cloned();
        let mut waiters = notify.waiters.lock();
        let mut state = notify.state.load(Ordering::Acquire);
        loop {
            if generation(state) != self.generation {
                self.state = NotifiedState::Done;
                return true;
            }
            let next = match phase(state) {
                WAITING => break, // stable under the lock: just join the queue
                EMPTY => WAITING,
                _ => EMPTY, // NOTIFIED: take the permit after all
            };
            match notify.state.compare_exchange(
                state,
                with_phase(state, next),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) if next == EMPTY => {
                    self.state = NotifiedState::Done;
                    return true;
                }
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        // SAFETY: the waiter is not queued yet (state `Init`), so no one else reads
        // its waker cell.
        self.waiter.waker.with_mut(|slot| unsafe { *slot = waker });
        // SAFETY: `self` is pinned (the receiver of `poll_notified`) and not queued;
        // `Drop` unlinks it before its memory goes, so it stays valid while queued.
        unsafe { waiters.push_back(NonNull::from(&self.waiter)) };
        self.state = NotifiedState::Waiting;
        false
    }

    /// A later poll that found no notification without the lock: check again under
    /// it, or refresh the waker.
    fn poll_queued(&mut self, waker: Option<&Waker>) -> bool {
        let waiters = self.notify.waiters.lock();
        if self.waiter.notification.load(Ordering::Acquire) != NOTIFICATION_NONE {
            drop(waiters);
            return self.complete_unlinked();
        }
        // SAFETY: no notification, read under the lock, so the waiter is still queued,
        // and only lock holders touch a queued waiter's waker.
        let displaced = waker.and_then(|waker| {
            self.waiter
                .waker
                .with_mut(|slot| replace_waker(unsafe { &mut *slot }, waker))
        });
        drop(waiters);
        // A waker's drop is user code: not under our lock.
        drop(displaced);
        false
    }

    /// Completes a future whose node a notifier has unlinked and handed back.
    fn complete_unlinked(&mut self) -> bool {
        // The node is ours again. The notifier took the waker before storing the
        // notification; this read checks that in debug builds, and under loom it is
        // the access that the release/acquire hand-over must order (it compiles to
        // nothing in release builds).
        // SAFETY: a notification is stored and we have seen it (acquire), so the
        // notifier's last touch of the node happened before this, and no notifier
        // touches an unlinked node again.
        self.waiter
            .waker
            .with(|slot| debug_assert!(unsafe { (*slot).is_none() }));
        self.state = NotifiedState::Done;
        true
    }
}

impl<N: Deref<Target = Notify>> Drop for Waiting<N> {
    #[inline]
    fn drop(&mut self) {
        if self.state == NotifiedState::Waiting {
            self.leave_queue();
        }
    }
}

impl<N: Deref<Target = Notify>> Waiting<N> {
    /// Cancellation of a future that is (or was until a notification) queued: unlink
    /// it, or pass on a `notify_one` it received and did not return.
    fn leave_queue(&mut self) {
        let notify = &*self.notify;
        let mut notification = self.waiter.notification.load(Ordering::Acquire);
        if notification == NOTIFICATION_NONE {
            let mut waiters = notify.waiters.lock();
            notification = self.waiter.notification.load(Ordering::Acquire);
            if notification == NOTIFICATION_NONE {
                // SAFETY: no notification, read under the lock: the waiter is queued.
                unsafe { waiters.remove(NonNull::from(&self.waiter)) };
                if waiters.is_empty() {
                    notify.leave_waiting_locked(EMPTY);
                }
                return;
            }
        }
        // Received but never returned: pass it on as if the call that sent it ran now.
        match notification {
            NOTIFICATION_ONE => notify.notify_one(),
            NOTIFICATION_LAST => notify.notify_last(),
            _ => {}
        }
    }
}

/// A `Notified` future's node in the queue.
struct Waiter {
    /// Neighbours in the queue; touched only under the lock.
    links: UnsafeCell<Links>,
    /// The waker to wake: under the lock while queued, the owner's once unlinked.
    waker: UnsafeCell<Option<Waker>>,
    /// `NOTIFICATION_NONE` while queued; set (with release ordering) by the notifier
    /// that unlinked the node, as its last touch of it.
    notification: AtomicUsize,
    /// A queued node must not move.
    _pinned: PhantomPinned,
}

#[derive(Debug, Clone, Copy, Default)]
struct Links {
    prev: Option<NonNull<Waiter>>,
    next: Option<NonNull<Waiter>>,
}

impl Waiter {
    fn new() -> Self {
        Waiter {
            links: UnsafeCell::new(Links::default()),
            waker: UnsafeCell::new(None),
            notification: AtomicUsize::new(NOTIFICATION_NONE),
            _pinned: PhantomPinned,
        }
    }

    /// Takes the waker of a node just unlinked, then stores its notification, handing
    /// the node back to its owner. Returns the waker to wake after the lock is released.
    ///
    /// # Safety
    ///
    /// `waiter` was unlinked from the queue under the lock that the caller still holds,
    /// and has no notification yet (so it is alive: its owner frees it only after
    /// seeing the notification, or after unlinking it itself under the lock).
    unsafe fn notify_unlinked(waiter: NonNull<Waiter>, notification: usize) -> Option<Waker> {
        // SAFETY: alive per the contract.
        let waiter = unsafe { waiter.as_ref() };
        // SAFETY: the owner reads this cell only under the lock or after seeing the
        // notification stored below; we hold the lock and have not stored it.
        let waker = waiter.waker.with_mut(|slot| unsafe { (*slot).take() });
        // Release: the owner, seeing this, may reuse or free the node. Nothing touches
        // `waiter` after this line.
        waiter.notification.store(notification, Ordering::Release);
        waker
    }

    /// Runs `edit` on the links of a queued node.
    ///
    /// # Safety
    ///
    /// `waiter` is alive and the caller holds the lock of the queue it belongs to (or
    /// is about to join).
    unsafe fn edit_links<R>(waiter: NonNull<Waiter>, edit: impl FnOnce(&mut Links) -> R) -> R {
        // SAFETY: alive per the contract, and the links are only touched under the lock
        // we hold, so this is the only reference to them.
        unsafe { waiter.as_ref() }
            .links
            .with_mut(|links| edit(unsafe { &mut *links }))
    }
}

/// The FIFO of queued waiters, threaded through their `Links`. It lives inside
/// `Notify::waiters`, so every access holds the lock. Invariant: every node in it is
/// alive and pinned (the contract of `push_back`, kept by `Notified::drop`).
#[derive(Debug)]
struct WaiterQueue {
    head: Option<NonNull<Waiter>>,
    tail: Option<NonNull<Waiter>>,
}

// SAFETY: the queue points at waiters inside futures that may live on other threads;
// it is reached only through the `Notify`'s lock, and what it touches through those
// pointers (links, and wakers, which are `Send`) is guarded by that lock.
unsafe impl Send for WaiterQueue {}

impl WaiterQueue {
    const fn new() -> Self {
        WaiterQueue {
            head: None,
            tail: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Appends `waiter` at the back.
    ///
    /// # Safety
    ///
    /// `waiter` is not in the queue and stays alive and unmoved until it is unlinked.
    unsafe fn push_back(&mut self, waiter: NonNull<Waiter>) {
        let links = Links {
            prev: self.tail,
            next: None,
        };
        // SAFETY: alive per the contract; we hold the lock (`&mut self`).
        unsafe { Waiter::edit_links(waiter, |slot| *slot = links) };
        match self.tail {
            // SAFETY: `tail` is in the queue, hence alive.
            Some(tail) => unsafe { Waiter::edit_links(tail, |slot| slot.next = Some(waiter)) },
            None => self.head = Some(waiter),
        }
        self.tail = Some(waiter);
    }

    /// Unlinks and returns the back waiter (the newest).
    fn pop_back(&mut self) -> Option<NonNull<Waiter>> {
        let waiter = self.tail?;
        // SAFETY: `waiter` is the tail, so it is in the queue.
        unsafe { self.remove(waiter) };
        Some(waiter)
    }

    /// Unlinks and returns the front waiter.
    fn pop_front(&mut self) -> Option<NonNull<Waiter>> {
        let waiter = self.head?;
        // SAFETY: `waiter` is the head, so it is in the queue.
        unsafe { self.remove(waiter) };
        Some(waiter)
    }

    /// Unlinks `waiter`.
    ///
    /// # Safety
    ///
    /// `waiter` is in this queue.
    unsafe fn remove(&mut self, waiter: NonNull<Waiter>) {
        // SAFETY: in the queue, hence alive; we hold the lock.
        let links = unsafe { Waiter::edit_links(waiter, std::mem::take) };
        match links.prev {
            // SAFETY: a neighbour of a queued node is queued, hence alive.
            Some(prev) => unsafe { Waiter::edit_links(prev, |slot| slot.next = links.next) },
            None => self.head = links.next,
        }
        match links.next {
            // SAFETY: as above.
            Some(next) => unsafe { Waiter::edit_links(next, |slot| slot.prev = links.prev) },
            None => self.tail = links.prev,
        }
    }
}
