//! The FIFO waiter list that every waiting future in this crate queues on.
//!
//! A `WaitList<T>` is a doubly linked list threaded through a slab, kept inside the
//! primitive's own lock. Each waiting future owns one *node*, identified by its slab
//! key; the node carries the future's waker and whatever the primitive needs (how many
//! permits it asked for, whether it was notified).
//!
//! The invariant that keeps this safe without `unsafe`: **only the future that pushed a
//! node ever frees it** (in `remove`, on completion or on drop). A waker-side operation
//! (a release, a notify) only *unlinks* the node from the queue and records the outcome
//! in it; the node stays allocated until its owner comes back to read that outcome. A
//! key therefore never dangles and is never reused while its future still holds it.
//! Being linked means "still waiting, in FIFO position"; unlinked means "an outcome was
//! decided for you".
//!
//! Wakers are taken out under the lock and woken after the lock is released (see
//! [`WakeList`]), so a woken task that runs at once on another thread never finds the
//! lock still held by its waker.

use std::task::Waker;

use slab::Slab;

/// A node of the list: the owner's value plus its links.
#[derive(Debug)]
struct Node<T> {
    prev: Option<usize>,
    next: Option<usize>,
    linked: bool,
    value: T,
}

/// A FIFO queue of waiters whose nodes live in a slab; see the module docs.
#[derive(Debug)]
pub(crate) struct WaitList<T> {
    nodes: Slab<Node<T>>,
    head: Option<usize>,
    tail: Option<usize>,
    linked_len: usize,
}

impl<T> Default for WaitList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> Self {
        WaitList {
            nodes: Slab::new(),
            head: None,
            tail: None,
            linked_len: 0,
        }
    }

    /// Appends a node at the back of the queue and returns its key.
    pub(crate) fn push_back(&mut self, value: T) -> usize {
        let key = self.nodes.insert(Node {
            prev: self.tail,
            next: None,
            linked: true,
            value,
        });
        match self.tail {
            Some(tail) => self.nodes[tail].next = Some(key),
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        self.linked_len += 1;
        key
    }

    /// Whether no node is waiting (unlinked nodes awaiting their owner do not count).
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// How many nodes are waiting.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.linked_len
    }

    /// Takes the node out of the queue but keeps it allocated for its owner. Returns
    /// false if it was already unlinked.
    pub(crate) fn unlink(&mut self, key: usize) -> bool {
        let node = &mut self.nodes[key];
        if !node.linked {
            return false;
        }
        node.linked = false;
        let (prev, next) = (node.prev.take(), node.next.take());
        match prev {
            Some(prev) => self.nodes[prev].next = next,
            None => self.head = next,
        }
        match next {
            Some(next) => self.nodes[next].prev = prev,
            None => self.tail = prev,
        }
        self.linked_len -= 1;
        true
    }

    /// Unlinks the first waiting node and returns its key.
    pub(crate) fn pop_front(&mut self) -> Option<usize> {
        let key = self.head?;
        self.unlink(key);
        Some(key)
    }

    /// Whether the node is still waiting in the queue.
    pub(crate) fn is_linked(&self, key: usize) -> bool {
        self.nodes[key].linked
    }

    #[cfg(test)]
    pub(crate) fn get(&self, key: usize) -> &T {
        &self.nodes[key].value
    }

    pub(crate) fn get_mut(&mut self, key: usize) -> &mut T {
        &mut self.nodes[key].value
    }

    /// Frees the node (unlinking it first if needed) and returns its value. Only the
    /// node's owner calls this.
    pub(crate) fn remove(&mut self, key: usize) -> T {
        self.unlink(key);
        self.nodes.remove(key).value
    }

    /// Unlinks every waiting node, calling `on_unlink` with each, front to back.
    pub(crate) fn drain_linked(&mut self, mut on_unlink: impl FnMut(&mut T)) {
        while let Some(key) = self.pop_front() {
            on_unlink(&mut self.nodes[key].value);
        }
    }
}

/// Wakers collected under a lock, to be woken once the lock is released.
///
/// Waking is deferred so that the woken task, which may run at once on another
/// thread, does not immediately contend for the lock its waker still holds. The first
/// waker is kept inline: most releases wake one task, and they should not allocate.
#[derive(Debug, Default)]
pub(crate) struct WakeList {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl WakeList {
    pub(crate) const fn new() -> Self {
        WakeList {
            first: None,
            rest: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        let Some(waker) = waker else {
            return;
        };
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Wakes everything collected, in the order it was pushed. Call after the lock
    /// guard has been dropped.
    pub(crate) fn wake_all(self) {
        if let Some(first) = self.first {
            first.wake();
        }
        for waker in self.rest {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pop_front_returns_nodes_in_push_order() {
        let mut list = WaitList::new();
        let a = list.push_back('a');
        let b = list.push_back('b');
        let c = list.push_back('c');
        assert_eq!(list.pop_front(), Some(a));
        assert_eq!(list.pop_front(), Some(b));
        assert_eq!(list.pop_front(), Some(c));
        assert_eq!(list.pop_front(), None);
    }

    #[test]
    fn removing_a_middle_node_keeps_the_rest_in_order() {
        let mut list = WaitList::new();
        let a = list.push_back(1);
        let b = list.push_back(2);
        let c = list.push_back(3);
        assert_eq!(list.remove(b), 2);
        assert_eq!(list.len(), 2);
        assert_eq!(list.pop_front(), Some(a));
        assert_eq!(list.pop_front(), Some(c));
        assert!(list.is_empty());
    }

    #[test]
    fn unlinked_node_stays_readable_until_its_owner_removes_it() {
        let mut list = WaitList::new();
        let a = list.push_back(7);
        assert_eq!(list.pop_front(), Some(a));
        assert!(list.is_empty());
        assert_eq!(*list.get(a), 7);
        assert_eq!(list.remove(a), 7);
    }
}
