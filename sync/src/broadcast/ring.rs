//! The ring of a broadcast channel and the protocol that fills and reads it.
//!
//! The ring is `capacity` slots, each behind its own small lock, plus a *tail* lock
//! that holds where the next value goes, the sender and receiver counts and the list
//! of waiting receivers. Position `p` (counted from 0 since the channel was made)
//! lives in slot `p % capacity`; a slot records the position it holds, how many
//! receivers have yet to read it (`rem`) and the value.
//!
//! - A send takes the tail lock, writes the next slot under that slot's lock (its
//!   position, `rem` = the receiver count, the value), advances the tail, unlinks the
//!   waiters, and releases the tail before it wakes them or drops what it overwrote.
//! - A receive locks only the slot at its cursor. If the slot holds the position it
//!   wants, it clones the value (the last reader also takes the stored one out, so the
//!   value is dropped once every receiver has seen it) and is done: a receiver that has a value
//!   ready never touches the tail, so one sender and many receivers only meet on a
//!   slot when they want the same one at the same instant.
//! - Otherwise the receiver takes the tail lock and decides there, where no send can
//!   move under it: caught up (`Empty`, or `Closed` once every sender is gone), in
//!   which case it queues its waker on the tail's list before releasing the lock;
//!   overwritten (`Lagged`, resuming at the oldest position still held); or the value
//!   arrived after it looked, and it reads the slot again. Because the check and the
//!   queueing happen under the tail lock and a send writes and unlinks under the same
//!   lock, a send either finds the waiter or the waiter finds the value.
//!
//! A slot's lock is a mutex, not a reader-writer lock: readers of one slot take turns
//! to clone, so `T` needs only `Send`, never `Sync` (concurrent `clone` calls through
//! `&T` are what tokio's RUSTSEC-2025-0023 was about), and `rem` needs no atomic. Two
//! receivers contend only when they read the same position at the same moment, and
//! then only for one clone.
//!
//! Each receiver owns one node of the waiter list from its first wait until it is
//! dropped; a send unlinks nodes and takes their wakers but never frees them. So a
//! `Recv` that completes leaves the tail alone (at worst its node is still linked and
//! the next send wakes the task once for nothing), and only a `Recv` dropped while
//! waiting takes the tail lock, to unlink its node.
//!
//! Locks are only ever nested tail, then slot (send); a receive holds at most one lock
//! at a time, so there is no lock-order cycle. Every lock is the loom shim's, so the
//! loom models in `loom-tests/tests/broadcast.rs` run this very code.
//!
//! Invariants: `rem` of a slot counts the receivers that existed when it was written
//! and have neither read it nor been dropped; a slot's value is present while `rem >
//! 0` and its position is not overwritten. A dropped receiver releases its unit in
//! every position between its cursor and the tail it saw when it left (the tail lock
//! makes that set exact: later sends no longer count it).

use std::task::Waker;

use super::error::TryRecvError;
use crate::notify::Notify;
use crate::waiters::{WaitList, WakeList};
use spindle_loom_shim::replace_waker;
use spindle_loom_shim::Mutex;

/// A position in the channel's history together with its slot, `pos % capacity`,
/// kept alongside so the hot path needs no division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cursor {
    pub(super) pos: u64,
    index: usize,
}

impl Cursor {
    /// The first position of a new channel.
    pub(super) const START: Cursor = Cursor { pos: 0, index: 0 };

    fn advance(&mut self, capacity: usize) {
        self.pos += 1;
        self.index += 1;
        if self.index == capacity {
            self.index = 0;
        }
    }
}

/// A slot's position before anything was written to it: no receiver ever wants it.
const NEVER_WRITTEN: u64 = u64::MAX;

struct Slot<T> {
    /// The position whose value this slot holds.
    pos: u64,
    /// Receivers that have yet to read `value`.
    rem: usize,
    value: Option<T>,
}

struct Tail {
    /// Where the next value goes.
    next: Cursor,
    senders: usize,
    /// `WeakSender`s alive; they keep the ring but not the channel open.
    weak_senders: usize,
    receivers: usize,
    /// Receivers that found nothing to read; every send unlinks them all. Each node
    /// belongs to one `Receiver` for its whole life (see `Receiver::waiter`).
    waiters: WaitList<Option<Waker>>,
}

/// The state every `Sender` and `Receiver` of one channel shares.
pub(super) struct Shared<T> {
    tail: CachePadded<Mutex<Tail>>,
    slots: Box<[Mutex<Slot<T>>]>,
    /// Notified when the last receiver goes, for `Sender::closed`.
    pub(super) receivers_gone: Notify,
}

/// Keeps the tail lock, which every send writes, off the cache lines of the fields
/// every receive reads (the slot array's address and length): without it a receiver on
/// another core misses its cache on each value while the sender is busy. 128 bytes,
/// because x86 prefetches cache lines in pairs.
#[repr(align(128))]
struct CachePadded<T>(T);

/// Where a receive that finds nothing should queue: the receiver's node key (created
/// on first use) and the waker to store in it.
pub(super) struct Wait<'a> {
    pub(super) node: &'a mut Option<usize>,
    pub(super) waker: &'a Waker,
}

impl<T> Shared<T> {
    /// A channel of `capacity` slots with one sender and `receivers` receivers (0 or 1).
    pub(super) fn new(capacity: usize, receivers: usize) -> Self {
        let slots = (0..capacity)
            .map(|_| {
                Mutex::new(Slot {
                    pos: NEVER_WRITTEN,
                    rem: 0,
                    value: None,
                })
            })
            .collect();
        Shared {
            tail: CachePadded(Mutex::new(Tail {
                next: Cursor::START,
                senders: 1,
                weak_senders: 0,
                receivers,
                waiters: WaitList::new(),
            })),
            slots,
            receivers_gone: Notify::new(),
        }
    }

    fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Writes `value` at the tail for every current receiver and wakes the waiting
    /// ones; returns the receiver count, or the value when there is no receiver.
    pub(super) fn send(&self, value: T) -> Result<usize, T> {
        let mut tail = self.tail.0.lock();
        if tail.receivers == 0 {
            return Err(value);
        }
        let at = tail.next;
        let receivers = tail.receivers;
        let overwritten = {
            let mut slot = self.slots[at.index].lock();
            slot.pos = at.pos;
            slot.rem = receivers;
            slot.value.replace(value)
        };
        tail.next.advance(self.capacity());
        let mut wakers = WakeList::new();
        if !tail.waiters.is_empty() {
            tail.waiters.drain_linked(|waker| wakers.push(waker.take()));
        }
        drop(tail);
        // A value still present was unread by a receiver that lagged; drop it (user
        // code) and wake outside every lock.
        drop(overwritten);
        wakers.wake_all();
        Ok(receivers)
    }

    /// Registers one more receiver and returns where it starts: at the tail, so it
    /// sees values sent from now on.
    pub(super) fn subscribe(&self) -> Cursor {
        let mut tail = self.tail.0.lock();
        tail.receivers += 1;
        tail.next
    }

    pub(super) fn add_sender(&self) {
        self.tail.0.lock().senders += 1;
    }

    /// Unregisters a sender; the last one closes the channel and wakes every waiter,
    /// which will then see `Closed` once it has read what is left.
    pub(super) fn drop_sender(&self) {
        let mut wakers = WakeList::new();
        let mut tail = self.tail.0.lock();
        tail.senders -= 1;
        if tail.senders == 0 {
            tail.waiters.drain_linked(|waker| wakers.push(waker.take()));
        }
        drop(tail);
        wakers.wake_all();
    }

    /// Turns a weak sender into a sender, unless every sender is gone already (the
    /// channel is closed for good then).
    pub(super) fn upgrade_sender(&self) -> bool {
        let mut tail = self.tail.0.lock();
        if tail.senders == 0 {
            return false;
        }
        tail.senders += 1;
        true
    }

    pub(super) fn add_weak_sender(&self) {
        self.tail.0.lock().weak_senders += 1;
    }

    pub(super) fn drop_weak_sender(&self) {
        self.tail.0.lock().weak_senders -= 1;
    }

    pub(super) fn sender_count(&self) -> usize {
        self.tail.0.lock().senders
    }

    pub(super) fn weak_sender_count(&self) -> usize {
        self.tail.0.lock().weak_senders
    }

    /// How many values are still queued: sent but not yet read by every receiver that
    /// existed when they were sent, and not overwritten. By the invariants, those are
    /// exactly the slots that still hold a value.
    pub(super) fn queued(&self) -> usize {
        // The tail lock keeps sends out while we count.
        let _tail = self.tail.0.lock();
        self.slots
            .iter()
            .filter(|slot| slot.lock().value.is_some())
            .count()
    }

    pub(super) fn receiver_count(&self) -> usize {
        self.tail.0.lock().receivers
    }

    pub(super) fn is_closed(&self) -> bool {
        self.tail.0.lock().senders == 0
    }

    /// How many positions lie between `cursor` and the tail.
    pub(super) fn unread(&self, cursor: Cursor) -> u64 {
        self.tail.0.lock().next.pos.saturating_sub(cursor.pos)
    }

    /// Unregisters a receiver whose next position is `cursor`: frees its waiter node
    /// and gives back its unit of every value it had not read, dropping the values no
    /// one else is waiting for. Returns whether it was the last receiver.
    pub(super) fn drop_receiver(&self, cursor: Cursor, node: Option<usize>) -> bool {
        let mut tail = self.tail.0.lock();
        tail.receivers -= 1;
        let last = tail.receivers == 0;
        let stale_waker = node.map(|key| tail.waiters.remove(key));
        // Sends from here on do not count this receiver: the positions it holds a
        // unit in are exactly those below `end` and still in the ring.
        let end = tail.next;
        drop(tail);
        drop(stale_waker);
        let mut at = self.oldest_from(cursor, end);
        while at.pos < end.pos {
            let released = {
                let mut slot = self.slots[at.index].lock();
                // A slot holding a later position was overwritten, value and all.
                if slot.pos == at.pos {
                    slot.rem -= 1;
                    if slot.rem == 0 {
                        slot.value.take()
                    } else {
                        None
                    }
                } else {
                    None
                }
            };
            drop(released);
            at.advance(self.capacity());
        }
        last
    }

    /// `cursor`, or the oldest position still held at tail `end` if the ring has
    /// moved past it.
    fn oldest_from(&self, cursor: Cursor, end: Cursor) -> Cursor {
        let oldest = end.pos.saturating_sub(self.capacity() as u64);
        if cursor.pos < oldest {
            // `oldest` is `end` one lap back, so it shares `end`'s slot.
            Cursor {
                pos: oldest,
                index: end.index,
            }
        } else {
            cursor
        }
    }

    /// Unlinks the receiver's node if a send has not already done so (a `Recv` that
    /// is dropped while waiting), dropping the waker it held.
    pub(super) fn cancel_wait(&self, node: usize) {
        let mut tail = self.tail.0.lock();
        let stale_waker = if tail.waiters.is_linked(node) {
            tail.waiters.unlink(node);
            tail.waiters.get_mut(node).take()
        } else {
            None
        };
        drop(tail);
        drop(stale_waker);
    }
}

impl<T: Clone> Shared<T> {
    /// Reads the value at `cursor` and advances it, or says why there is none. With
    /// `wait`, a receiver that finds nothing queues its waker before the tail lock is
    /// released, so the send that fills its position will wake it.
    #[inline(always)]
    pub(super) fn recv(
        &self,
        cursor: &mut Cursor,
        wait: Option<Wait<'_>>,
    ) -> Result<T, TryRecvError> {
        match self.read_slot(cursor) {
            Some(value) => Ok(value),
            None => self.recv_at_tail(cursor, wait),
        }
    }

    /// The slow path of `recv`: the slot did not hold the value, so decide under the
    /// tail lock whether it is coming (wait), gone (lagged) or there after all.
    #[inline(never)]
    fn recv_at_tail(
        &self,
        cursor: &mut Cursor,
        mut wait: Option<Wait<'_>>,
    ) -> Result<T, TryRecvError> {
        loop {
            let mut tail = self.tail.0.lock();
            if tail.next.pos == cursor.pos {
                if tail.senders == 0 {
                    return Err(TryRecvError::Closed);
                }
                let displaced = wait
                    .as_mut()
                    .and_then(|wait| queue_waker(&mut tail.waiters, wait));
                drop(tail);
                drop(displaced);
                return Err(TryRecvError::Empty);
            }
            let resume = self.oldest_from(*cursor, tail.next);
            if resume != *cursor {
                drop(tail);
                let missed = resume.pos - cursor.pos;
                *cursor = resume;
                return Err(TryRecvError::Lagged(missed));
            }
            // The value was sent after the slot was checked; it is there now.
            drop(tail);
            if let Some(value) = self.read_slot(cursor) {
                return Ok(value);
            }
        }
    }

    /// The fast path: the value at `cursor` if its slot holds it, advancing `cursor`.
    #[inline(always)]
    fn read_slot(&self, cursor: &mut Cursor) -> Option<T> {
        let mut slot = self.slots[cursor.index].lock();
        if slot.pos != cursor.pos {
            return None;
        }
        // As in tokio, every receiver gets a clone, and the read is counted (and the
        // cursor advanced) before cloning: a panicking `clone` consumes the value for
        // this receiver, whose next receive gets the one after. The value itself goes
        // once its last reader has read it (if that reader's clone panicked, it stays
        // until the slot is overwritten or the channel dropped).
        slot.rem -= 1;
        let last_reader = slot.rem == 0;
        cursor.advance(self.capacity());
        let value = slot
            .value
            .clone()
            .expect("a slot keeps its value until its last counted reader has read it");
        let released = if last_reader { slot.value.take() } else { None };
        drop(slot);
        // The stored value's drop is user code: run it outside the lock.
        drop(released);
        Some(value)
    }
}

/// Links the receiver's node at the back of the list with the current waker, or just
/// refreshes the waker if the node is still linked from an earlier poll.
///
/// Returns the waker it displaced, for the caller to drop once the tail lock is
/// released (its drop is user code, which may send on this very channel).
fn queue_waker(waiters: &mut WaitList<Option<Waker>>, wait: &mut Wait<'_>) -> Option<Waker> {
    match *wait.node {
        Some(key) if waiters.is_linked(key) => replace_waker(waiters.get_mut(key), wait.waker),
        Some(key) => {
            // Unlinked by a send since; the node is ours, so re-queue it.
            let stale = waiters.remove(key);
            *wait.node = Some(waiters.push_back(Some(wait.waker.clone())));
            stale
        }
        None => {
            *wait.node = Some(waiters.push_back(Some(wait.waker.clone())));
            None
        }
    }
}
