//! The semaphore's FIFO queue of waiting acquirers: an intrusive doubly linked list
//! whose nodes live inside the [`Acquire`](super::Acquire) futures themselves.
//!
//! Intrusive, so that the hot hand-over of a contended lock costs no allocation and,
//! above all, so that a waiter learns it was served from an atomic in its own node,
//! without taking the semaphore's lock again: the releaser decides the outcome under
//! the lock, and the woken waiter reads it lock-free.
//!
//! The invariants, which every `unsafe` below leans on:
//! - The `WaitQueue` lives inside the semaphore's lock, so holding `&mut WaitQueue`
//!   means holding that lock. A node's [`NodeState`] (links, counts, waker) is read and
//!   written only through the queue, hence only under the lock.
//! - A node is linked exactly while its outcome is [`WAITING`]. Unlinking stores the
//!   final outcome last, with `Release`; after that store the releaser never touches
//!   the node again, so an owner that loads a final outcome (with `Acquire`) owns the
//!   node outright and may drop it.
//! - A linked node does not move and is not freed: its owner, `Acquire`, is `!Unpin`
//!   (the node holds a `PhantomPinned`), so it stays at its address once polled, and
//!   its `Drop` takes the lock and unlinks a node that is still waiting before the
//!   memory goes away. (A pinned future that is leaked is never freed either.)

use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

use spindle_loom_shim::{AtomicUsize, Ordering, UnsafeCell};

/// The node waits in the queue.
pub(super) const WAITING: usize = 0;
/// The node was unlinked with every permit it asked for.
pub(super) const GRANTED: usize = 1;
/// The node was unlinked because the semaphore closed. The permits it had been
/// assigned so far stay its own until its owner gives them back (as in tokio, so a
/// closed mpsc channel is not idle before the failed reservation has returned them):
/// the outcome word is `CLOSED | held << 2`; see [`closed_holding`] and
/// [`closed_held`].
pub(super) const CLOSED: usize = 2;
const OUTCOME_KIND: usize = 0b11;
const HELD_SHIFT: u32 = 2;

/// The outcome of a node unlinked by `close` while holding `held` permits.
pub(super) fn closed_holding(held: usize) -> usize {
    CLOSED | (held << HELD_SHIFT)
}

/// The permits a closed node still holds, or `None` if `outcome` is not a close.
pub(super) fn closed_held(outcome: usize) -> Option<usize> {
    (outcome & OUTCOME_KIND == CLOSED).then_some(outcome >> HELD_SHIFT)
}

/// One waiting acquirer, embedded in its `Acquire` future.
pub(super) struct Node {
    state: UnsafeCell<NodeState>,
    outcome: AtomicUsize,
    _pinned: PhantomPinned,
}

/// The part of a node that only the lock holder touches.
pub(super) struct NodeState {
    prev: Option<NonNull<Node>>,
    next: Option<NonNull<Node>>,
    /// Permits the acquirer asked for.
    pub(super) needed: usize,
    /// Permits handed to it so far (only the front node can hold a partial share).
    pub(super) assigned: usize,
    pub(super) waker: Option<Waker>,
}

// SAFETY: the raw links and the waker in `state` are only accessed under the
// semaphore's lock (see the module invariants), and `outcome` is atomic; a `Waker` is
// `Send + Sync`. So sharing or sending a node between threads races on nothing.
unsafe impl Send for Node {}
// SAFETY: as for `Send`.
unsafe impl Sync for Node {}

// Under loom the owner's drop touches the state through the tracked cell, so a model
// catches a releaser that still touches a node after publishing its outcome (the
// use-after-free that the invariants above rule out).
#[cfg(loom)]
impl Drop for Node {
    fn drop(&mut self) {
        self.state.with_mut(|state| {
            // SAFETY: `&mut self`: the node is unlinked (its owner is dropping it) and
            // nobody else holds a reference.
            unsafe { (*state).waker = None }
        });
    }
}

impl Node {
    pub(super) fn new() -> Node {
        Node {
            state: UnsafeCell::new(NodeState {
                prev: None,
                next: None,
                needed: 0,
                assigned: 0,
                waker: None,
            }),
            outcome: AtomicUsize::new(WAITING),
            _pinned: PhantomPinned,
        }
    }

    /// The outcome as the owner sees it, without the lock; a final value means the
    /// node is unlinked and the releaser is done with it.
    pub(super) fn outcome(&self) -> usize {
        self.outcome.load(Ordering::Acquire)
    }

    /// # Safety
    ///
    /// The caller holds the semaphore's lock (or owns an unlinked node), and `node` is
    /// alive: linked nodes are, by the module invariants.
    unsafe fn with_state<R>(node: NonNull<Node>, f: impl FnOnce(&mut NodeState) -> R) -> R {
        // SAFETY: alive per the contract; exclusive because every access to a node's
        // state happens under the lock the caller holds, and `f` gets no way to reach
        // this node's state again.
        unsafe { node.as_ref() }
            .state
            .with_mut(|state| f(unsafe { &mut *state }))
    }
}

/// The FIFO of waiting nodes; lives inside the semaphore's lock.
pub(super) struct WaitQueue {
    head: Option<NonNull<Node>>,
    tail: Option<NonNull<Node>>,
    len: usize,
}

// SAFETY: the queue holds pointers to nodes, which are `Send + Sync`, and is itself
// only reached through the semaphore's lock.
unsafe impl Send for WaitQueue {}

impl WaitQueue {
    pub(super) const fn new() -> WaitQueue {
        WaitQueue {
            head: None,
            tail: None,
            len: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `node` at the back, asking for `needed` permits of which `assigned` are
    /// already handed over, to be woken through `waker`.
    ///
    /// # Safety
    ///
    /// `node` is not linked, and it will not move or be freed until it is unlinked
    /// (its owner is pinned and unlinks it on drop).
    pub(super) unsafe fn push_back(
        &mut self,
        node: &Node,
        needed: usize,
        assigned: usize,
        waker: Waker,
    ) {
        let pointer = NonNull::from(node);
        let old_tail = self.tail;
        // SAFETY: we hold the lock; the node is alive (it is borrowed).
        unsafe {
            Node::with_state(pointer, |state| {
                state.prev = old_tail;
                state.next = None;
                state.needed = needed;
                state.assigned = assigned;
                state.waker = Some(waker);
            })
        };
        match old_tail {
            // SAFETY: a linked node, alive by the invariants; we hold the lock.
            Some(tail) => unsafe { Node::with_state(tail, |state| state.next = Some(pointer)) },
            None => self.head = Some(pointer),
        }
        self.tail = Some(pointer);
        self.len += 1;
    }

    /// Runs `f` on the front node's state, if any node waits.
    pub(super) fn with_front<R>(&mut self, f: impl FnOnce(&mut NodeState) -> R) -> Option<R> {
        let front = self.head?;
        // SAFETY: a linked node, alive by the invariants; `&mut self` is the lock.
        Some(unsafe { Node::with_state(front, f) })
    }

    /// Unlinks the front node, takes its waker and publishes `outcome` (`GRANTED` or
    /// `CLOSED`) to its owner. The node must not be touched afterwards, and is not.
    pub(super) fn pop_front(&mut self, outcome: usize) -> Option<Option<Waker>> {
        let front = self.head?;
        // SAFETY: linked, so alive; `&mut self` is the lock.
        let (next, waker) = unsafe {
            Node::with_state(front, |state| {
                state.prev = None;
                (state.next.take(), state.waker.take())
            })
        };
        match next {
            // SAFETY: linked, so alive; we hold the lock.
            Some(next) => unsafe { Node::with_state(next, |state| state.prev = None) },
            None => self.tail = None,
        }
        self.head = next;
        self.len -= 1;
        // SAFETY: alive until this store hands it back to its owner; nothing after it
        // touches the node.
        unsafe { front.as_ref() }
            .outcome
            .store(outcome, Ordering::Release);
        Some(waker)
    }

    /// Runs `f` on the state of `node`, a node its owner knows to be linked (its
    /// outcome, read under the lock, is `WAITING`).
    ///
    /// # Safety
    ///
    /// `node` is linked in this queue.
    pub(super) unsafe fn with_linked<R>(
        &mut self,
        node: &Node,
        f: impl FnOnce(&mut NodeState) -> R,
    ) -> R {
        // SAFETY: the node is borrowed, so alive; `&mut self` is the lock.
        unsafe { Node::with_state(NonNull::from(node), f) }
    }

    /// Unlinks `node`, which its owner is giving up, and returns the permits it had
    /// been assigned. Its outcome stays `WAITING`: the owner is dropping it.
    ///
    /// # Safety
    ///
    /// `node` is linked in this queue.
    pub(super) unsafe fn remove(&mut self, node: &Node) -> usize {
        let pointer = NonNull::from(node);
        // SAFETY: borrowed, so alive; we hold the lock.
        let (prev, next, assigned) = unsafe {
            Node::with_state(pointer, |state| {
                state.waker = None;
                (state.prev.take(), state.next.take(), state.assigned)
            })
        };
        match prev {
            // SAFETY: a linked neighbour, alive by the invariants; we hold the lock.
            Some(prev) => unsafe { Node::with_state(prev, |state| state.next = next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(next) => unsafe { Node::with_state(next, |state| state.prev = prev) },
            None => self.tail = prev,
        }
        self.len -= 1;
        assigned
    }
}
