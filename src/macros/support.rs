//! Run-time helpers of the macro expansions; reached as `$crate::__private`, which is
//! not part of the public API.
//!
//! `select!` picks its first branch with a per-thread xorshift generator: it is only
//! for fairness between branches, so it needs to be fast and spread evenly, not to be
//! unpredictable. Each thread seeds it from std's `RandomState`, which draws its keys
//! from the operating system once per thread.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

pub use spindle_executor::macro_support::SelectFutures;
pub use spindle_macros::{join_internal, select_internal, try_join_internal};

thread_local! {
    static SELECT_RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    // xorshift never leaves 0, so a zero hash (vanishingly rare) is replaced.
    match RandomState::new().hash_one(0x5eed_u64) {
        0 => 0x9e37_79b9_7f4a_7c15,
        seed => seed,
    }
}

/// A branch index in `0..branches`, for `select!` to poll first.
pub fn select_first_branch(branches: usize) -> usize {
    if let Some(branch) = spindle_executor::sim::__select_first_branch(branches) {
        return branch;
    }
    let random = SELECT_RNG.with(|state| {
        // xorshift64 (Marsaglia, 2003).
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        x
    });
    // Multiply-shift maps the high 32 bits onto 0..branches with no division and a
    // bias below branches / 2^32.
    (((random >> 32) * branches as u64) >> 32) as usize
}

/// Takes a finished future's output out of its slot once every future of `join!` or
/// `try_join!` is done.
///
/// # Panics
///
/// Panics when the slot is empty, which the expansion rules out by checking every
/// slot first.
pub fn take_join_output<T>(slot: &mut Option<T>) -> T {
    slot.take()
        .expect("join!: an output was taken before its future finished (a spindle bug)")
}
