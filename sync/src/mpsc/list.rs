//! The lock-free message list under both mpsc flavours.
//!
//! Messages live in a singly linked list of blocks of [`BLOCK_CAP`] slots. Every
//! message has a position (0, 1, 2, ...): a sender claims the next one with one
//! `fetch_add` on `Tail::position`, walks from `Tail::block` to the block holding it
//! (appending blocks as needed), writes the value and sets the slot's *ready* bit. The
//! one consumer reads positions in order, each once its ready bit is set. So senders
//! never wait for each other or for the consumer, and the consumer takes no lock.
//!
//! A block's `slot_bits` word holds, for every slot, a ready bit (low half) and a
//! *waiting* bit (high half). The consumer, about to sleep on position `p`, sets
//! `p`'s waiting bit; the sender of `p` sets the ready bit with `fetch_or` and reads
//! the waiting bit from the same atomic step. Both are read-modify-writes of one word,
//! so one of them sees the other: either the consumer finds the message already ready,
//! or the sender learns it must wake the consumer. A sender whose slot nobody waits
//! for never touches the consumer's waker.
//!
//! Freeing blocks: only the consumer frees, and only blocks wholly behind it. A sender
//! may still be walking through a block the consumer has finished with, so a block is
//! freed only once it is *released*: `Tail::block` has been moved past it (only done
//! once all its slots are written), and `released_at`, the claim counter read just
//! after that move, is at or behind the consumer. Every sender that could still hold
//! the block claimed a position before `released_at` (it read the old `Tail::block`
//! after its claim), and the consumer has received that position, so that sender is
//! done with the block.
//!
//! Sealing: setting [`SEALED`] in the claim counter ends the list. A claim that finds
//! it set is refused (the sender keeps its message), and the seal returns how many
//! positions were claimed before it; those are exactly the messages still to come.

use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};

use spindle_loom_shim::{AtomicPtr, AtomicU64, Ordering, UnsafeCell};

/// Slots per block. Small under loom, so the models cross block boundaries.
#[cfg(not(loom))]
pub(super) const BLOCK_CAP: u64 = 32;
#[cfg(loom)]
pub(super) const BLOCK_CAP: u64 = 2;

const _: () = assert!(BLOCK_CAP.is_power_of_two() && BLOCK_CAP <= 32);

/// Every slot's ready bit.
const ALL_READY: u64 = (1 << BLOCK_CAP) - 1;
/// The waiting bits sit this far above the ready bits.
const WAITING_SHIFT: u64 = 32;
/// Set in the claim counter once the list is sealed; never cleared.
const SEALED: u64 = 1 << 63;
/// `released_at` of a block that `Tail::block` has not moved past yet.
const NOT_RELEASED: u64 = u64::MAX;

fn block_start(position: u64) -> u64 {
    position & !(BLOCK_CAP - 1)
}

fn slot_of(position: u64) -> usize {
    (position & (BLOCK_CAP - 1)) as usize
}

fn ready_bit(slot: usize) -> u64 {
    1 << slot
}

fn waiting_bit(slot: usize) -> u64 {
    1 << (WAITING_SHIFT + slot as u64)
}

/// Keeps a field on its own cache lines, so the senders' claim counter and the
/// consumer's cursor do not bounce one line between cores.
#[repr(align(128))]
pub(super) struct CachePadded<T>(pub(super) T);

struct Block<T> {
    /// Position of slot 0; fixed before the block is published.
    start: u64,
    next: AtomicPtr<Block<T>>,
    /// Ready bits (low half) and waiting bits (high half), one of each per slot.
    slot_bits: AtomicU64,
    /// The claim counter read after `Tail::block` moved past this block, or
    /// `NOT_RELEASED`.
    released_at: AtomicU64,
    slots: [UnsafeCell<MaybeUninit<T>>; BLOCK_CAP as usize],
}

impl<T> Block<T> {
    fn allocate(start: u64) -> NonNull<Block<T>> {
        let block = Box::new(Block {
            start,
            next: AtomicPtr::new(ptr::null_mut()),
            slot_bits: AtomicU64::new(0),
            released_at: AtomicU64::new(NOT_RELEASED),
            slots: std::array::from_fn(|_| UnsafeCell::new(MaybeUninit::uninit())),
        });
        NonNull::from(Box::leak(block))
    }

    /// The block after this one, appending a fresh one if there is none yet.
    ///
    /// A sender that loses the race to append keeps its fresh block and appends it
    /// further down instead, since it will be needed soon.
    fn next_or_grow(&self) -> NonNull<Block<T>> {
        if let Some(next) = NonNull::new(self.next.load(Ordering::Acquire)) {
            return next;
        }
        let fresh = Block::<T>::allocate(self.start + BLOCK_CAP);
        let next = match self.next.compare_exchange(
            ptr::null_mut(),
            fresh.as_ptr(),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return fresh,
            Err(next) => next,
        };
        // SAFETY: a non-null `next` points to a published block; blocks at or after one
        // we may touch are not freed while we walk (module docs).
        let next = unsafe { NonNull::new_unchecked(next) };
        let mut last = next;
        loop {
            // SAFETY: `last` is published and after `self` (see above).
            let last_ref = unsafe { last.as_ref() };
            // SAFETY: `fresh` is not published yet, so it is ours alone.
            unsafe { (*fresh.as_ptr()).start = last_ref.start + BLOCK_CAP };
            match last_ref.next.compare_exchange(
                ptr::null_mut(),
                fresh.as_ptr(),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return next,
                // SAFETY: as for `next` above.
                Err(further) => last = unsafe { NonNull::new_unchecked(further) },
            }
        }
    }
}

/// The senders' end: where the last block is, and the claim counter.
pub(super) struct Tail<T> {
    block: AtomicPtr<Block<T>>,
    position: AtomicU64,
}

/// The consumer's end. Only the consumer touches it (see [`List`]).
pub(super) struct Cursor<T> {
    /// The block holding `position`, or the one before it if that is not linked yet.
    head: NonNull<Block<T>>,
    /// The next position to receive.
    position: u64,
    /// The oldest block not freed yet.
    free_head: NonNull<Block<T>>,
    /// How many positions were claimed before the seal, once sealed.
    sealed_at: Option<u64>,
}

/// The list: a senders' tail and a consumer cursor over the same blocks.
pub(super) struct List<T> {
    tail: CachePadded<Tail<T>>,
    cursor: CachePadded<UnsafeCell<Cursor<T>>>,
}

// SAFETY: values cross from senders to the consumer, so `T: Send` is required and
// enough: a value is only ever accessed by the one thread that claimed its slot (until
// the ready bit publishes it) and then by the consumer. The cursor is only used by the
// consumer, whose exclusivity the callers of `cursor` guarantee.
unsafe impl<T: Send> Send for List<T> {}
// SAFETY: as above; shared access from senders only claims, writes its own slot and
// walks blocks that are not freed while it may hold them.
unsafe impl<T: Send> Sync for List<T> {}

/// What a sender's push did.
pub(super) enum Pushed<T> {
    /// The message is in; `wake_receiver` says the consumer sleeps on this very slot.
    Done { wake_receiver: bool },
    /// The list is sealed: the message was not sent and is given back.
    Sealed(T),
}

impl<T> List<T> {
    pub(super) fn new() -> Self {
        let first = Block::<T>::allocate(0);
        List {
            tail: CachePadded(Tail {
                block: AtomicPtr::new(first.as_ptr()),
                position: AtomicU64::new(0),
            }),
            cursor: CachePadded(UnsafeCell::new(Cursor {
                head: first,
                position: 0,
                free_head: first,
                sealed_at: None,
            })),
        }
    }

    /// Claims the next position and writes `value` into it.
    pub(super) fn push(&self, value: T) -> Pushed<T> {
        // Acquire: pairs with the release of `release_block`, see `find_block`.
        let position = self.tail.0.position.fetch_add(1, Ordering::Acquire);
        if position & SEALED != 0 {
            return Pushed::Sealed(value);
        }
        let block = self.find_block(position);
        // SAFETY: `find_block` returns a live block (module docs: not freed while we
        // may hold it).
        let block = unsafe { block.as_ref() };
        let slot = slot_of(position);
        // SAFETY: the claim made this slot ours alone; the consumer reads it only after
        // the ready bit below, which we have not set yet.
        block.slots[slot].with_mut(|cell| unsafe { (*cell).write(value) });
        // `fetch_add` rather than `fetch_or`: the bit is clear (only this claim sets
        // it, once), so they agree, and `fetch_add` is one wait-free `lock xadd` where
        // a `fetch_or` whose result we inspect becomes a compare-and-swap loop that
        // retries under the other senders' writes to the same word.
        let before = block.slot_bits.fetch_add(ready_bit(slot), Ordering::AcqRel);
        Pushed::Done {
            wake_receiver: before & waiting_bit(slot) != 0,
        }
    }

    /// Walks from the tail block to the one holding `position`, appending blocks as
    /// needed and moving the tail forward over blocks that are full.
    fn find_block(&self, position: u64) -> NonNull<Block<T>> {
        let start = block_start(position);
        let mut current = self.tail.0.block.load(Ordering::Acquire);
        // SAFETY: the tail block is live: it is only freed after being released, which
        // moves `Tail::block` past it first, and our claim precedes that move (below).
        let tail_start = unsafe { (*current).start };
        // Only a sender well past the tail tries to move it (the one at slot 0 of the
        // next block, slots 0 and 1 two blocks on, ...), so one sender usually does it
        // instead of all of them contending.
        let mut try_move_tail = (start - tail_start) / BLOCK_CAP > slot_of(position) as u64;
        loop {
            // SAFETY: `current` is the tail block or after it, and so live (above).
            let block = unsafe { &*current };
            if block.start == start {
                // SAFETY: non-null, it came from `Tail::block` or a `next` link.
                return unsafe { NonNull::new_unchecked(current) };
            }
            let next = block.next_or_grow();
            try_move_tail =
                try_move_tail && block.slot_bits.load(Ordering::Acquire) & ALL_READY == ALL_READY;
            if try_move_tail {
                match self.tail.0.block.compare_exchange(
                    current,
                    next.as_ptr(),
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // Read the counter *after* the move, as one more step in its
                        // modification order: a sender whose claim comes later
                        // synchronises with it and so sees the moved tail; every
                        // sender that may still see the old one claimed before.
                        let claimed = self.tail.0.position.fetch_add(0, Ordering::Release);
                        block
                            .released_at
                            .store(claimed & !SEALED, Ordering::Release);
                        // `block` must not be touched after this store.
                    }
                    Err(_) => try_move_tail = false,
                }
            }
            current = next.as_ptr();
        }
    }

    /// Seals the list; returns how many positions were claimed before the seal. Only
    /// the consumer seals, once.
    ///
    /// # Safety
    ///
    /// The caller is the consumer (see [`cursor`](List::cursor)).
    pub(super) unsafe fn seal(&self) -> u64 {
        // SAFETY: forwarded to our caller.
        let cursor = unsafe { self.cursor() };
        if let Some(sealed_at) = cursor.sealed_at {
            return sealed_at;
        }
        let claimed = self.tail.0.position.fetch_or(SEALED, Ordering::AcqRel) & !SEALED;
        cursor.sealed_at = Some(claimed);
        claimed
    }

    /// The consumer's cursor.
    ///
    /// # Safety
    ///
    /// Only the consumer may call this, and it must not hold two results at once: the
    /// receiver while it exists (it takes `&mut self` for every call that gets here),
    /// then the list's own `Drop`.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn cursor(&self) -> &mut Cursor<T> {
        // SAFETY: exclusive by this function's contract.
        self.cursor.0.with_mut(|cursor| unsafe { &mut *cursor })
    }

    /// How many positions are claimed but not received yet (messages, counting those
    /// still being written).
    ///
    /// # Safety
    ///
    /// The caller is the consumer; a shared borrow of it is enough, as this only reads.
    pub(super) unsafe fn len(&self) -> usize {
        // SAFETY: read-only use by the consumer, whose mutable uses need `&mut` of it.
        let (position, sealed_at) = self
            .cursor
            .0
            .with(|cursor| unsafe { ((*cursor).position, (*cursor).sealed_at) });
        let claimed = self.tail.0.position.load(Ordering::Acquire) & !SEALED;
        let claimed = sealed_at.map_or(claimed, |sealed_at| claimed.min(sealed_at));
        (claimed - position) as usize
    }

    /// Whether a sender has claimed the consumer's next position (its message may
    /// still be being written).
    pub(super) fn is_claimed(&self, cursor: &Cursor<T>) -> bool {
        let claimed = self.tail.0.position.load(Ordering::Acquire) & !SEALED;
        let claimed = cursor
            .sealed_at
            .map_or(claimed, |sealed_at| claimed.min(sealed_at));
        cursor.position < claimed
    }
}

impl<T> Cursor<T> {
    /// Takes the message at the next position if it is ready.
    pub(super) fn pop(&mut self) -> Option<T> {
        let block = self.head_block()?;
        self.free_released_blocks();
        // SAFETY: `head_block` returned the live head block.
        let block = unsafe { block.as_ref() };
        let slot = slot_of(self.position);
        if block.slot_bits.load(Ordering::Acquire) & ready_bit(slot) == 0 {
            return None;
        }
        // SAFETY: the ready bit, read with Acquire, publishes the sender's write; the
        // position is read once, since we move past it at once.
        let value = block.slots[slot].with(|cell| unsafe { (*cell).assume_init_read() });
        self.position += 1;
        Some(value)
    }

    /// Marks the next position as waited for, so its sender wakes the consumer.
    /// Returns true if the message turned out to be ready already.
    pub(super) fn wait_for_next(&mut self) -> bool {
        let block = match self.head_block() {
            Some(block) => block,
            None => {
                // Nobody linked the block of our position yet: link it ourselves, so
                // there is a word to leave the waiting bit in. `head` holds the
                // position before ours, so the missing block is the very next one.
                // SAFETY: the head block is live (we have not freed it).
                let next = unsafe { self.head.as_ref() }.next_or_grow();
                // SAFETY: `next_or_grow` returns a live, linked block.
                debug_assert_eq!(unsafe { next.as_ref() }.start, block_start(self.position));
                self.head = next;
                next
            }
        };
        let slot = slot_of(self.position);
        // SAFETY: the live head block.
        let before = unsafe { block.as_ref() }
            .slot_bits
            .fetch_or(waiting_bit(slot), Ordering::AcqRel);
        before & ready_bit(slot) != 0
    }

    /// Position of the next message to receive.
    pub(super) fn position(&self) -> u64 {
        self.position
    }

    pub(super) fn sealed_at(&self) -> Option<u64> {
        self.sealed_at
    }

    /// Moves `head` to the block of the next position; `None` if that block is not
    /// linked yet.
    fn head_block(&mut self) -> Option<NonNull<Block<T>>> {
        let start = block_start(self.position);
        loop {
            // SAFETY: the head block is live: only blocks behind it are freed.
            let head = unsafe { self.head.as_ref() };
            if head.start == start {
                return Some(self.head);
            }
            self.head = NonNull::new(head.next.load(Ordering::Acquire))?;
        }
    }

    /// Frees the blocks behind `head` that no sender can still hold (module docs).
    fn free_released_blocks(&mut self) {
        while self.free_head != self.head {
            // SAFETY: `free_head` is live until we free it here.
            let block = unsafe { self.free_head.as_ref() };
            let released_at = block.released_at.load(Ordering::Acquire);
            if released_at == NOT_RELEASED || released_at > self.position {
                return;
            }
            let Some(next) = NonNull::new(block.next.load(Ordering::Acquire)) else {
                return;
            };
            let freed = std::mem::replace(&mut self.free_head, next);
            // SAFETY: every slot of the block was received (it lies wholly behind
            // `position`), no sender holds it (released at or behind `position`), and
            // nothing links to it any more except the list we just walked past.
            drop(unsafe { Box::from_raw(freed.as_ptr()) });
        }
    }
}

impl<T> Drop for List<T> {
    fn drop(&mut self) {
        // `&mut self`: every sender and the receiver are gone.
        let cursor = self.cursor.0.get_mut();
        let mut position = cursor.position;
        let mut block = Some(cursor.free_head);
        while let Some(current) = block {
            // SAFETY: the blocks from `free_head` on are live and ours alone now.
            let owned = unsafe { Box::from_raw(current.as_ptr()) };
            let ready = owned.slot_bits.load(Ordering::Acquire);
            // Messages written but never received (the receiver drains what it can on
            // drop, so normally none are left).
            while position >= owned.start && position < owned.start + BLOCK_CAP {
                let slot = slot_of(position);
                if ready & ready_bit(slot) != 0 {
                    // SAFETY: written (ready bit) and never read (at or after the
                    // cursor's position).
                    owned.slots[slot].with(|cell| unsafe { drop((*cell).assume_init_read()) });
                }
                position += 1;
            }
            block = NonNull::new(owned.next.load(Ordering::Acquire));
        }
    }
}
