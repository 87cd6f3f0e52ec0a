//! `CancellationToken`: a tree of cancel flags for cooperative shutdown.
//!
//! Each token handle points at a node: an atomic `cancelled` flag (read without the
//! lock by `is_cancelled`) plus, under the node's lock, its children, its link to its
//! parent, a count of live handles, and a FIFO [`WaitList`] of `cancelled()` futures.
//! `cancel` sets the flag under the lock, takes the children out and wakes the waiters
//! after releasing it, then walks down the children with an explicit stack (no lock is
//! ever held on two nodes at once, so there is no lock order to get wrong).
//!
//! Invariants: a node's flag only goes from false to true; a node that is cancelled
//! gets no new children (a child of a cancelled token is born cancelled); and a node
//! that has no live handles and no children unlinks itself from its parent, so a
//! long-lived token that hands out a child per request does not grow without bound.

use std::fmt;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll, Waker};

use slab::Slab;

use crate::coop;
use crate::waiters::{WaitList, WakeList};
use spindle_loom_shim::replace_waker;
use spindle_loom_shim::{Arc, AtomicBool, Mutex, Ordering};

/// A token that signals cancellation to every task holding a clone of it, and to its
/// child tokens.
///
/// ```
/// use spindle_sync::CancellationToken;
///
/// let shutdown = CancellationToken::new();
/// let request = shutdown.child_token();
/// shutdown.cancel();
/// assert!(request.is_cancelled());
/// futures::executor::block_on(request.cancelled());
/// ```
pub struct CancellationToken {
    node: Arc<Node>,
}

struct Node {
    cancelled: AtomicBool,
    state: Mutex<NodeState>,
}

struct NodeState {
    children: Slab<Arc<Node>>,
    /// The parent and our key among its children.
    parent: Option<(Arc<Node>, usize)>,
    handles: usize,
    waiters: WaitList<Option<Waker>>,
}

impl Node {
    fn new(cancelled: bool, parent: Option<(Arc<Node>, usize)>) -> Arc<Node> {
        Arc::new(Node {
            cancelled: AtomicBool::new(cancelled),
            state: Mutex::new(NodeState {
                children: Slab::new(),
                parent,
                handles: 1,
                waiters: WaitList::new(),
            }),
        })
    }
}

impl CancellationToken {
    /// Creates a token that is not cancelled.
    pub fn new() -> Self {
        CancellationToken {
            node: Node::new(false, None),
        }
    }

    /// Creates a child token: cancelled when this one is (or when cancelled itself),
    /// while cancelling the child leaves this one alone.
    pub fn child_token(&self) -> CancellationToken {
        let mut state = self.node.state.lock();
        if self.node.cancelled.load(Ordering::Acquire) {
            return CancellationToken {
                node: Node::new(true, None),
            };
        }
        let entry = state.children.vacant_entry();
        let child = Node::new(false, Some((Arc::clone(&self.node), entry.key())));
        entry.insert(Arc::clone(&child));
        CancellationToken { node: child }
    }

    /// Cancels this token and all its descendants, waking every task waiting in
    /// [`cancelled`](CancellationToken::cancelled). Idempotent.
    pub fn cancel(&self) {
        let mut pending = vec![Arc::clone(&self.node)];
        while let Some(node) = pending.pop() {
            let mut wakers = WakeList::new();
            let mut state = node.state.lock();
            if node.cancelled.swap(true, Ordering::AcqRel) {
                continue;
            }
            let children = std::mem::take(&mut state.children);
            state
                .waiters
                .drain_linked(|waker| wakers.push(waker.take()));
            drop(state);
            wakers.wake_all();
            pending.extend(children.into_iter().map(|(_, child)| child));
        }
    }

    /// Whether the token (or an ancestor) has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::Acquire)
    }

    /// Waits until the token is cancelled. Cancel safe.
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture {
            node: &self.node,
            key: None,
        }
    }

    /// Like [`cancelled`](CancellationToken::cancelled), but the future owns a clone of
    /// the token, so it can be moved into a spawned task.
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        WaitForCancellationFutureOwned {
            token: self,
            key: None,
        }
    }

    /// Returns a guard that cancels the token when dropped, unless disarmed.
    pub fn drop_guard(self) -> DropGuard {
        DropGuard { token: Some(self) }
    }

    /// Runs `future` to completion unless the token is cancelled first, in which case
    /// the future is dropped and `None` returned.
    ///
    /// ```
    /// use spindle_sync::CancellationToken;
    ///
    /// let token = CancellationToken::new();
    /// token.cancel();
    /// let result = futures::executor::block_on(token.run_until_cancelled(std::future::pending::<()>()));
    /// assert_eq!(result, None);
    /// ```
    pub async fn run_until_cancelled<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut future = pin!(future);
        let mut cancelled = self.cancelled();
        std::future::poll_fn(|cx| {
            if Pin::new(&mut cancelled).poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            future.as_mut().poll(cx).map(Some)
        })
        .await
    }
}

impl Default for CancellationToken {
    fn default() -> Self {
        CancellationToken::new()
    }
}

impl Clone for CancellationToken {
    fn clone(&self) -> Self {
        self.node.state.lock().handles += 1;
        CancellationToken {
            node: Arc::clone(&self.node),
        }
    }
}

impl Drop for CancellationToken {
    fn drop(&mut self) {
        let mut state = self.node.state.lock();
        state.handles -= 1;
        if state.handles > 0 || !state.children.is_empty() {
            return;
        }
        let mut link = state.parent.take();
        drop(state);
        // Unlink from the parent; a parent left with neither handles nor children
        // unlinks itself in turn.
        while let Some((parent, key)) = link.take() {
            let mut state = parent.state.lock();
            state.children.try_remove(key);
            if state.handles == 0 && state.children.is_empty() {
                link = state.parent.take();
            }
        }
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken")
            .field("is_cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Polls for cancellation of `node`, queueing the waker under `key` if not yet.
fn poll_cancelled(node: &Node, key: &mut Option<usize>, cx: &mut Context<'_>) -> Poll<()> {
    let budget = ready!(coop::poll_proceed(cx));
    let mut state = node.state.lock();
    if node.cancelled.load(Ordering::Acquire) {
        if let Some(key) = key.take() {
            state.waiters.remove(key);
        }
        budget.made_progress();
        return Poll::Ready(());
    }
    let displaced = match *key {
        Some(key) => replace_waker(state.waiters.get_mut(key), cx.waker()),
        None => {
            *key = Some(state.waiters.push_back(Some(cx.waker().clone())));
            None
        }
    };
    // A waker's drop is user code: not under our lock.
    drop(state);
    drop(displaced);
    Poll::Pending
}

fn leave_queue(node: &Node, key: &mut Option<usize>) {
    if let Some(key) = key.take() {
        node.state.lock().waiters.remove(key);
    }
}

/// Future returned by [`CancellationToken::cancelled`].
///
/// Cancel safe: dropping it only leaves the queue of waiters.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitForCancellationFuture<'a> {
    node: &'a Arc<Node>,
    key: Option<usize>,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_cancelled(this.node, &mut this.key, cx)
    }
}

impl Drop for WaitForCancellationFuture<'_> {
    fn drop(&mut self) {
        leave_queue(self.node, &mut self.key);
    }
}

impl fmt::Debug for WaitForCancellationFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFuture")
            .finish_non_exhaustive()
    }
}

/// Future returned by [`CancellationToken::cancelled_owned`].
///
/// Cancel safe: dropping it only leaves the queue of waiters.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitForCancellationFutureOwned {
    token: CancellationToken,
    key: Option<usize>,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_cancelled(&this.token.node, &mut this.key, cx)
    }
}

impl Drop for WaitForCancellationFutureOwned {
    fn drop(&mut self) {
        leave_queue(&self.token.node, &mut self.key);
    }
}

impl fmt::Debug for WaitForCancellationFutureOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFutureOwned")
            .finish_non_exhaustive()
    }
}

/// Cancels its token when dropped; see [`CancellationToken::drop_guard`].
#[must_use = "the token is cancelled at once if the guard is not held"]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Gives the token back without cancelling it.
    pub fn disarm(mut self) -> CancellationToken {
        match self.token.take() {
            Some(token) => token,
            None => unreachable!("a DropGuard holds its token until disarmed or dropped"),
        }
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            token.cancel();
        }
    }
}

impl fmt::Debug for DropGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropGuard")
            .field("token", &self.token)
            .finish()
    }
}
