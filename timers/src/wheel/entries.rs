//! Stable storage for timer entries: a slab of nodes addressed by [`TimerKey`].
//!
//! A `Sleep` keeps the key of its node from its first poll until it completes or is
//! dropped, so a key must never come to name somebody else's timer. The slab therefore
//! frees a node only when its owner asks ([`Entries::release`]); firing a timer turns
//! its node into [`Node::Fired`] and leaves it allocated. Vacant nodes form a free list
//! threaded through the vector, so allocation and release are O(1) and the vector only
//! grows to the peak number of live registrations.
//!
//! Pending nodes double as the links of the wheel's per-slot doubly-linked lists
//! (`prev`/`next` are node indices, [`NIL`] ends a list), which is what makes cancel
//! O(1) without intrusive pointers or `unsafe`.

use std::task::Waker;

/// The end of a slot list and of the free list.
pub(super) const NIL: u32 = u32::MAX;

/// Names one registered timer; stays valid until the owner releases it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey(pub(super) u32);

/// One slot of the slab.
#[derive(Debug)]
pub(super) enum Node {
    /// Free; `next_free` continues the free list.
    Vacant { next_free: u32 },
    /// Waiting in a wheel slot.
    Pending(PendingEntry),
    /// Fired (or woken by shutdown); kept until the owner releases it.
    Fired,
}

/// A timer that sits in one slot list of the wheel.
#[derive(Debug)]
pub(super) struct PendingEntry {
    /// The exact deadline, in nanoseconds since the clock's origin.
    pub(super) deadline: u64,
    /// Woken when the timer fires; `None` until the owner polls.
    pub(super) waker: Option<Waker>,
    pub(super) prev: u32,
    pub(super) next: u32,
    /// Where the entry is linked, so cancel can unlink it without recomputing.
    pub(super) level: u8,
    pub(super) slot: u8,
}

/// The slab of nodes.
#[derive(Debug)]
pub(super) struct Entries {
    nodes: Vec<Node>,
    free_head: u32,
}

impl Entries {
    pub(super) fn new() -> Self {
        Entries {
            nodes: Vec::new(),
            free_head: NIL,
        }
    }

    /// Stores `node` and returns its index.
    ///
    /// # Panics
    ///
    /// When more than `u32::MAX - 1` timers are registered at once (about 170 GB of
    /// nodes, so memory runs out first).
    pub(super) fn allocate(&mut self, node: Node) -> u32 {
        if self.free_head != NIL {
            let index = self.free_head;
            let slot = &mut self.nodes[index as usize];
            let Node::Vacant { next_free } = *slot else {
                unreachable!("the timer free list points at an occupied node");
            };
            self.free_head = next_free;
            *slot = node;
            index
        } else {
            let index = u32::try_from(self.nodes.len())
                .ok()
                .filter(|&index| index != NIL)
                .unwrap_or_else(|| panic!("more than u32::MAX - 1 timers registered at once"));
            self.nodes.push(node);
            index
        }
    }

    /// Frees the node at `index`; its key must not be used again.
    pub(super) fn release(&mut self, index: u32) {
        self.nodes[index as usize] = Node::Vacant {
            next_free: self.free_head,
        };
        self.free_head = index;
    }

    pub(super) fn get(&self, index: u32) -> &Node {
        &self.nodes[index as usize]
    }

    pub(super) fn get_mut(&mut self, index: u32) -> &mut Node {
        &mut self.nodes[index as usize]
    }

    /// The pending entry at `index`; the caller knows from the wheel's lists that it is
    /// pending.
    pub(super) fn pending_mut(&mut self, index: u32) -> &mut PendingEntry {
        match &mut self.nodes[index as usize] {
            Node::Pending(entry) => entry,
            _ => unreachable!("a wheel slot list links a node that is not pending"),
        }
    }

    /// Every node, for shutdown's sweep.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.nodes.iter_mut()
    }

    /// Bytes held by the slab (capacity, not length), for the memory report.
    pub(super) fn allocated_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
    }
}
