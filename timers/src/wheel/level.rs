//! One level of the hierarchical wheel: 64 slots, an occupancy bitmap, and per-slot
//! heads and earliest-deadline hints.
//!
//! Level `l` divides time into slots of `64^l` ticks; a timer sits at the lowest level
//! whose slot separates it from the wheel's `elapsed` tick (see [`level_for`]). The
//! occupancy bitmap finds the next non-empty slot with one rotate and one
//! `trailing_zeros`, so looking for the next expiration costs O(levels), never a scan
//! over empty slots.
//!
//! `earliest[slot]` is a lower bound on the deadlines in the slot: it is lowered on
//! every link and reset when the slot is emptied or rescanned, but cancel leaves it
//! alone (recomputing it would cost a scan). A stale value can only make the parked
//! worker wake a little early for nothing, never late; the wake then rescans the slot
//! and the stale hint is gone.

use super::entries::NIL;

/// Slots per level, as a power of two.
pub(super) const SLOT_BITS: u32 = 6;
/// Slots per level.
pub(super) const SLOTS: usize = 1 << SLOT_BITS;
/// Levels in the wheel.
pub(super) const LEVELS: usize = 6;
/// Ticks covered by one rotation of the top level; later deadlines are parked in the
/// top level and cascade again each rotation until they come within range.
pub(super) const MAX_SPAN: u64 = 1 << (SLOT_BITS as usize * LEVELS);

/// Ticks covered by one slot of `level`.
pub(super) fn slot_range(level: usize) -> u64 {
    1 << (SLOT_BITS as usize * level)
}

/// Ticks covered by all the slots of `level`.
pub(super) fn level_range(level: usize) -> u64 {
    slot_range(level) << SLOT_BITS
}

/// The level a timer placed at tick `when` belongs to, seen from tick `elapsed`: the
/// level of the highest bit in which the two differ, capped at the top level.
pub(super) fn level_for(elapsed: u64, when: u64) -> usize {
    let mut masked = (elapsed ^ when) | (SLOTS as u64 - 1);
    if masked >= MAX_SPAN {
        masked = MAX_SPAN - 1;
    }
    let significant = 63 - masked.leading_zeros();
    (significant / SLOT_BITS) as usize
}

/// The slot of `level` that tick `when` falls into.
pub(super) fn slot_for(when: u64, level: usize) -> usize {
    ((when >> (SLOT_BITS as usize * level)) & (SLOTS as u64 - 1)) as usize
}

/// One level's slots.
#[derive(Debug)]
pub(super) struct Level {
    /// Bit `s` is set when slot `s` has at least one entry.
    pub(super) occupied: u64,
    /// The first node of each slot's list, or `NIL`.
    pub(super) heads: [u32; SLOTS],
    /// A lower bound on each non-empty slot's deadlines, in nanoseconds.
    pub(super) earliest: [u64; SLOTS],
}

impl Level {
    pub(super) fn new() -> Self {
        Level {
            occupied: 0,
            heads: [NIL; SLOTS],
            earliest: [u64::MAX; SLOTS],
        }
    }

    /// The next occupied slot of this level, seen from tick `elapsed`, and the tick at
    /// which it starts.
    pub(super) fn next_expiration(&self, level: usize, elapsed: u64) -> Option<(usize, u64)> {
        if self.occupied == 0 {
            return None;
        }
        // Level 0's current slot is current (it holds entries due later in this tick), so
        // the search starts there. Above level 0 the current slot was emptied when
        // `elapsed` entered it, and only the top level can hold entries in it again:
        // deadlines a full rotation ahead, which come after every other slot, so the
        // search starts one slot later and reaches the current slot last.
        let first = (slot_for(elapsed, level) as u32 + u32::from(level > 0)) % SLOTS as u32;
        let distance = self.occupied.rotate_right(first).trailing_zeros();
        let slot = ((first + distance) as usize) % SLOTS;
        let level_start = elapsed & !(level_range(level) - 1);
        let mut start = level_start + slot as u64 * slot_range(level);
        if level > 0 && start <= elapsed {
            // Only the top level wraps: a deadline beyond one rotation is parked in a
            // slot "behind" `elapsed`, which therefore means the next rotation. Below
            // the top level, a slot at or behind `elapsed` was emptied when `elapsed`
            // entered it, and level 0's current slot is current, not wrapped.
            debug_assert_eq!(level, LEVELS - 1, "a lower level wrapped");
            start += level_range(level);
        }
        Some((slot, start))
    }
}
