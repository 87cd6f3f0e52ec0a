//! The hierarchical timing wheel: O(1) insert and cancel, expiry in deadline order,
//! never early.
//!
//! Time is counted in ticks of [`TICK_NANOS`] (100 µs) since the clock's origin. The
//! wheel has six levels of 64 slots; a slot of level `l` spans `64^l` ticks, so level 0
//! covers 6.4 ms at 100 µs resolution and the top level about 80 days. A timer is
//! linked into the lowest level whose slot separates its deadline tick from
//! `elapsed`, the tick up to which the wheel has been processed. When processing
//! reaches a slot of a higher level, its entries cascade to lower levels (or fire), so
//! each timer moves at most once per level.
//!
//! Ticks only decide placement. Every entry keeps its exact deadline in nanoseconds
//! and fires only once the clock's `now` is at or past it; the current level-0 slot
//! may therefore keep entries that are due later in the same tick (a *partial* slot),
//! and the parked worker is told to wake at the earliest exact deadline (from the
//! per-slot `earliest` hints of [`level::Level`]), not at a tick boundary. Lateness is
//! then bounded by the thread's wake-up latency, not by rounding to 1 ms.
//!
//! Invariants:
//! - every pending entry is linked in exactly the slot recorded in it, and that slot's
//!   bit in `occupied` is set;
//! - no occupied slot ends at or before `elapsed` (except level 0's current slot,
//!   which holds entries due later in the current tick), so the next occupied slot in
//!   rotation order is the next to process;
//! - `elapsed` only grows, and every entry whose deadline tick is below `elapsed` has
//!   fired.
//!
//! Deadlines beyond one rotation of the top level are placed at most `MAX_SPAN - 1`
//! ticks ahead and cascade again when their slot comes round, so even a deadline of
//! `u64::MAX` nanoseconds never overflows anything.

mod entries;
mod level;

use std::task::Waker;

pub(crate) use entries::TimerKey;
use entries::{Entries, Node, PendingEntry, NIL};
use level::{level_for, slot_for, slot_range, Level, LEVELS, MAX_SPAN};

/// The wheel's resolution, in nanoseconds; placement only, not firing precision.
pub(crate) const TICK_NANOS: u64 = 100_000;

/// The wheel itself; the driver keeps it behind its lock.
#[derive(Debug)]
pub(crate) struct Wheel {
    /// Every slot that ends at or before this tick has been processed.
    elapsed: u64,
    levels: [Level; LEVELS],
    entries: Entries,
    /// Entries linked in the wheel (not fired, not released).
    pending: usize,
}

/// The slot processing must visit next.
#[derive(Debug, Clone, Copy)]
struct Expiration {
    level: usize,
    slot: usize,
    /// The tick at which the slot starts.
    start: u64,
}

/// What a key names right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerState {
    Pending,
    Fired,
}

impl Wheel {
    pub(crate) fn new() -> Self {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level::new()),
            entries: Entries::new(),
            pending: 0,
        }
    }

    /// How many timers are waiting to fire.
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Bytes the wheel holds for entries (slab capacity), for the memory report.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.entries.allocated_bytes() + std::mem::size_of::<Self>()
    }

    /// Registers a timer for `deadline` (nanoseconds since the origin). The caller has
    /// checked that the deadline is still ahead of the clock.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Option<Waker>) -> TimerKey {
        let index = self.entries.allocate(Node::Pending(PendingEntry {
            deadline,
            waker,
            prev: NIL,
            next: NIL,
            level: 0,
            slot: 0,
        }));
        self.link(index);
        self.pending += 1;
        TimerKey(index)
    }

    /// Unregisters the timer and frees its node; `key` must not be used again.
    ///
    /// Returns the waker the entry held, for the caller to drop once it has released
    /// the driver's lock: a waker's destructor may drop another `Sleep`, which takes
    /// that lock again.
    #[must_use = "drop the waker after releasing the driver's lock"]
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waker> {
        let waker = match self.entries.get_mut(key.0) {
            Node::Pending(entry) => entry.waker.take(),
            _ => None,
        };
        if matches!(self.entries.get(key.0), Node::Pending(_)) {
            self.unlink(key.0);
            self.pending -= 1;
        }
        self.entries.release(key.0);
        waker
    }

    pub(crate) fn state(&self, key: TimerKey) -> TimerState {
        match self.entries.get(key.0) {
            Node::Pending(_) => TimerState::Pending,
            Node::Fired => TimerState::Fired,
            Node::Vacant { .. } => unreachable!("a timer key outlived its node"),
        }
    }

    /// Stores `waker` in a pending entry unless it would wake the same task already.
    ///
    /// Returns the waker it replaced, to be dropped outside the driver's lock (see
    /// [`Wheel::remove`]).
    #[must_use = "drop the waker after releasing the driver's lock"]
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: &Waker) -> Option<Waker> {
        match self.entries.get_mut(key.0) {
            Node::Pending(entry) => spindle_loom_shim::replace_waker(&mut entry.waker, waker),
            _ => None,
        }
    }

    /// Moves a timer to a new `deadline`, which the caller has checked is ahead of the
    /// clock; a fired timer is armed again (its waker is set by the next poll).
    pub(crate) fn reschedule(&mut self, key: TimerKey, deadline: u64) {
        match self.entries.get_mut(key.0) {
            Node::Pending(_) => {
                self.unlink(key.0);
                self.entries.pending_mut(key.0).deadline = deadline;
                self.link(key.0);
            }
            node @ Node::Fired => {
                *node = Node::Pending(PendingEntry {
                    deadline,
                    waker: None,
                    prev: NIL,
                    next: NIL,
                    level: 0,
                    slot: 0,
                });
                self.link(key.0);
                self.pending += 1;
            }
            Node::Vacant { .. } => unreachable!("a timer key outlived its node"),
        }
    }

    /// Fires one timer now (its deadline was moved into the past); returns its waker.
    pub(crate) fn fire(&mut self, key: TimerKey) -> Option<Waker> {
        if !matches!(self.entries.get(key.0), Node::Pending(_)) {
            return None;
        }
        self.unlink(key.0);
        self.pending -= 1;
        match std::mem::replace(self.entries.get_mut(key.0), Node::Fired) {
            Node::Pending(entry) => entry.waker,
            _ => None,
        }
    }

    /// When the parked worker should wake next, in nanoseconds since the origin: the
    /// earliest deadline of the next slot to process (a lower bound, see
    /// [`level::Level`]), capped at that slot's end so a slot holding only far-future
    /// entries still gets cascaded in time. `None` when no timer is pending.
    pub(crate) fn next_wake(&self) -> Option<u64> {
        let expiration = self.next_expiration()?;
        let earliest = self.levels[expiration.level].earliest[expiration.slot];
        let slot_end = (expiration.start + slot_range(expiration.level)).saturating_mul(TICK_NANOS);
        Some(earliest.min(slot_end))
    }

    /// Fires every timer whose deadline is at or before `now` (nanoseconds since the
    /// origin), pushing `(deadline, waker)` to `fired` for the caller to wake after it
    /// releases the lock. Returns how many timers fired (with or without a waker).
    pub(crate) fn fire_expired(&mut self, now: u64, fired: &mut Vec<(u64, Waker)>) -> usize {
        let now_tick = now / TICK_NANOS;
        let mut count = 0;
        while let Some(expiration) = self.next_expiration() {
            if expiration.start > now_tick {
                break;
            }
            if expiration.level == 0 && expiration.start == now_tick {
                // The current tick: fire what is due, keep the rest in place. This is the
                // last slot that can hold anything due.
                count += self.fire_due_in_current_slot(expiration.slot, now, fired);
                break;
            }
            debug_assert!(expiration.start >= self.elapsed, "the wheel went backwards");
            self.elapsed = expiration.start;
            count += self.process_slot(expiration, now, fired);
        }
        self.elapsed = self.elapsed.max(now_tick);
        count
    }

    /// Fires every pending timer regardless of its deadline (runtime shutdown).
    pub(crate) fn fire_all(&mut self, fired: &mut Vec<(u64, Waker)>) -> usize {
        let mut count = 0;
        for node in self.entries.iter_mut() {
            if let Node::Pending(_) = node {
                if let Node::Pending(entry) = std::mem::replace(node, Node::Fired) {
                    if let Some(waker) = entry.waker {
                        fired.push((entry.deadline, waker));
                    }
                }
                count += 1;
            }
        }
        for level in &mut self.levels {
            *level = Level::new();
        }
        self.pending = 0;
        count
    }

    /// The first occupied slot in processing order: lower levels always come first,
    /// because a level's slots all lie beyond the current slot of the level below.
    fn next_expiration(&self) -> Option<Expiration> {
        self.levels.iter().enumerate().find_map(|(level, slots)| {
            slots
                .next_expiration(level, self.elapsed)
                .map(|(slot, start)| Expiration { level, slot, start })
        })
    }

    /// Empties a slot that `elapsed` has reached: due entries fire, the rest cascade to
    /// the level their deadline now belongs to.
    fn process_slot(
        &mut self,
        expiration: Expiration,
        now: u64,
        fired: &mut Vec<(u64, Waker)>,
    ) -> usize {
        let level = &mut self.levels[expiration.level];
        let mut cursor = std::mem::replace(&mut level.heads[expiration.slot], NIL);
        level.occupied &= !(1 << expiration.slot);
        level.earliest[expiration.slot] = u64::MAX;
        let mut count = 0;
        while cursor != NIL {
            let index = cursor;
            let entry = self.entries.pending_mut(index);
            cursor = entry.next;
            if entry.deadline <= now {
                self.fire_unlinked(index, fired);
                count += 1;
            } else {
                self.link(index);
            }
        }
        count
    }

    /// Fires the due entries of level 0's current slot and refreshes its `earliest`.
    fn fire_due_in_current_slot(
        &mut self,
        slot: usize,
        now: u64,
        fired: &mut Vec<(u64, Waker)>,
    ) -> usize {
        let mut cursor = self.levels[0].heads[slot];
        let mut earliest_left = u64::MAX;
        let mut count = 0;
        while cursor != NIL {
            let index = cursor;
            let entry = self.entries.pending_mut(index);
            cursor = entry.next;
            if entry.deadline <= now {
                self.unlink(index);
                self.fire_unlinked(index, fired);
                count += 1;
            } else {
                earliest_left = earliest_left.min(entry.deadline);
            }
        }
        self.levels[0].earliest[slot] = earliest_left;
        count
    }

    /// Marks an entry that is no longer in any list as fired.
    fn fire_unlinked(&mut self, index: u32, fired: &mut Vec<(u64, Waker)>) {
        self.pending -= 1;
        if let Node::Pending(entry) = std::mem::replace(self.entries.get_mut(index), Node::Fired) {
            if let Some(waker) = entry.waker {
                fired.push((entry.deadline, waker));
            }
        }
    }

    /// Links a pending entry at the head of the slot its deadline belongs to, seen from
    /// `elapsed`.
    fn link(&mut self, index: u32) {
        let elapsed = self.elapsed;
        let deadline = self.entries.pending_mut(index).deadline;
        let when = (deadline / TICK_NANOS).clamp(elapsed, elapsed + MAX_SPAN - 1);
        let level = level_for(elapsed, when);
        let slot = slot_for(when, level);
        let slots = &mut self.levels[level];
        let head = slots.heads[slot];
        let bit = 1 << slot;
        if slots.occupied & bit == 0 {
            slots.occupied |= bit;
            slots.earliest[slot] = deadline;
        } else {
            slots.earliest[slot] = slots.earliest[slot].min(deadline);
        }
        slots.heads[slot] = index;
        let entry = self.entries.pending_mut(index);
        entry.level = level as u8;
        entry.slot = slot as u8;
        entry.prev = NIL;
        entry.next = head;
        if head != NIL {
            self.entries.pending_mut(head).prev = index;
        }
    }

    /// Removes a pending entry from its slot list (it stays `Pending` in the slab).
    fn unlink(&mut self, index: u32) {
        let entry = self.entries.pending_mut(index);
        let (prev, next) = (entry.prev, entry.next);
        let (level, slot) = (entry.level as usize, entry.slot as usize);
        entry.prev = NIL;
        entry.next = NIL;
        if next != NIL {
            self.entries.pending_mut(next).prev = prev;
        }
        let slots = &mut self.levels[level];
        if prev != NIL {
            self.entries.pending_mut(prev).next = next;
        } else {
            slots.heads[slot] = next;
            if next == NIL {
                slots.occupied &= !(1 << slot);
            }
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
