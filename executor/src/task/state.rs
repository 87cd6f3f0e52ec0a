//! The one atomic word that says where a task is in its life, and how many references
//! to its cell exist.
//!
//! Low bits are flags, the rest is the reference count:
//!
//! - `RUNNING`: some thread owns the future (polling it, or cancelling it). Only the
//!   owner of this bit touches the future.
//! - `COMPLETE`: the future is gone and the output (or error) is stored. Set together
//!   with clearing `RUNNING`, once.
//! - `NOTIFIED`: a `Notified` reference for this task exists, or will be submitted by
//!   the thread running it. At most one `Notified` is ever outstanding, which is what
//!   lets a wake cost no allocation and at most one queue push.
//! - `CANCELLED`: the task is to be cancelled at its next run.
//! - `JOIN_INTEREST`: a `JoinHandle` exists; the output must be kept for it.
//! - `JOIN_WAKER`: the join waker slot holds a waker and belongs to the task side,
//!   which may read it on completion. While clear, the slot belongs to the `JoinHandle`.
//!
//! References are held by the owned-task list, the `JoinHandle`, the one `Notified`,
//! every `Waker` clone and every `AbortHandle`. The cell is freed when the count drops
//! to zero, by whichever holder dropped the last one.
//!
//! The word is 32 bits, so that it shares a header word with the owned-list key: 26
//! bits of count, the width it always had on 32-bit targets (and tokio's there). A
//! count past half of that means references leak in a loop, and `ref_inc` aborts
//! before it can wrap into the flags, as `Arc` does.

use spindle_loom_shim::{AtomicU32, Ordering};

// Every method is `#[inline]`: the task harness that calls them is generic, so it is
// compiled in the crate that spawns, where a non-generic function of this crate is
// otherwise an out-of-line call through the GOT.

const RUNNING: u32 = 0b00_0001;
const COMPLETE: u32 = 0b00_0010;
const NOTIFIED: u32 = 0b00_0100;
const CANCELLED: u32 = 0b00_1000;
const JOIN_INTEREST: u32 = 0b01_0000;
const JOIN_WAKER: u32 = 0b10_0000;
const REF_SHIFT: u32 = 6;
const REF_ONE: u32 = 1 << REF_SHIFT;

/// The state word of one task cell.
pub(crate) struct State {
    word: AtomicU32,
}

/// A copy of the state word at one moment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(u32);

impl Snapshot {
    #[inline]
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    #[inline]
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    #[inline]
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    #[inline]
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    #[inline]
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    #[inline]
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    #[inline]
    pub(crate) fn ref_count(self) -> usize {
        (self.0 >> REF_SHIFT) as usize
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// What the thread that popped a `Notified` may do with the task.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// The caller owns the future and polls it.
    Success,
    /// The caller owns the future and must cancel it.
    Cancelled,
    /// The task already ran to completion or is owned by someone else; the caller's
    /// reference was dropped.
    Failed,
    /// As `Failed`, and the dropped reference was the last: free the cell.
    Dealloc,
}

/// What the thread that polled a task to `Pending` must do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// The task is idle; the runner's reference was dropped.
    Ok,
    /// The task was woken during the poll; the runner keeps its reference as the
    /// task's `Notified` and must submit it again.
    OkNotified,
    /// As `Ok`, and the dropped reference was the last: free the cell.
    OkDealloc,
    /// The task was cancelled during the poll; the runner still owns the future and
    /// must cancel it.
    Cancelled,
}

/// What a waker that consumed its reference must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotifiedByVal {
    /// Nothing: the task is running, complete or already notified.
    DoNothing,
    /// Submit the reference as the task's `Notified`.
    Submit,
    /// The reference was the last: free the cell.
    Dealloc,
}

impl State {
    /// A new task: notified (it will be scheduled at once), with a `JoinHandle`, and
    /// `refs` references (the `Notified`, the `JoinHandle`, and the owned list if any).
    #[inline]
    pub(crate) fn new(refs: usize) -> State {
        State {
            word: AtomicU32::new(NOTIFIED | JOIN_INTEREST | (refs as u32 * REF_ONE)),
        }
    }

    #[inline]
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Ordering::Acquire))
    }

    /// Applies `step` until the compare-and-swap succeeds; `step` returns the next word
    /// (or `None` to leave it unchanged) and an outcome.
    #[inline]
    fn update<R>(&self, mut step: impl FnMut(Snapshot) -> (Option<Snapshot>, R)) -> R {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let (next, outcome) = step(Snapshot(current));
            let Some(next) = next else {
                return outcome;
            };
            match self.word.compare_exchange_weak(
                current,
                next.0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return outcome,
                Err(actual) => current = actual,
            }
        }
    }

    #[inline]
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.update(|current| {
            debug_assert!(current.is_notified() || current.is_running() || current.is_complete());
            if current.is_running() || current.is_complete() {
                let next = Snapshot(current.0 - REF_ONE);
                let outcome = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (Some(next), outcome);
            }
            let next = Snapshot((current.0 | RUNNING) & !NOTIFIED);
            let outcome = if current.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (Some(next), outcome)
        })
    }

    #[inline]
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.update(|current| {
            debug_assert!(current.is_running());
            if current.is_cancelled() {
                return (None, TransitionToIdle::Cancelled);
            }
            if current.is_notified() {
                return (
                    Some(Snapshot(current.0 & !RUNNING)),
                    TransitionToIdle::OkNotified,
                );
            }
            let next = Snapshot((current.0 & !RUNNING) - REF_ONE);
            let outcome = if next.ref_count() == 0 {
                TransitionToIdle::OkDealloc
            } else {
                TransitionToIdle::Ok
            };
            (Some(next), outcome)
        })
    }

    /// Clears `RUNNING` and sets `COMPLETE`, returning the word as it was before.
    #[inline]
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let previous = Snapshot(self.word.fetch_xor(RUNNING | COMPLETE, Ordering::AcqRel));
        debug_assert!(previous.is_running() && !previous.is_complete());
        previous
    }

    /// Completes a task whose output nobody will read, and drops `count` references,
    /// in one step; true when they were the last. The caller holds `RUNNING`, saw
    /// `JOIN_INTEREST` clear (it is never set again, and `JOIN_WAKER` went with it)
    /// and has dropped the output already.
    #[inline]
    pub(crate) fn transition_to_complete_unjoined(&self, count: usize) -> bool {
        // `RUNNING` is set and `COMPLETE` clear, so adding `COMPLETE - RUNNING` carries
        // the one bit into the other: the same as the XOR of `transition_to_complete`,
        // folded into the reference drop as one wrapping add.
        let delta = (COMPLETE - RUNNING).wrapping_sub(count as u32 * REF_ONE);
        let previous = Snapshot(self.word.fetch_add(delta, Ordering::AcqRel));
        debug_assert!(previous.is_running() && !previous.is_complete());
        debug_assert!(!previous.is_join_interested() && !previous.is_join_waker_set());
        debug_assert!(
            previous.ref_count() >= count,
            "task reference count underflow"
        );
        previous.ref_count() == count
    }

    /// Drops `count` references at once; true when they were the last.
    #[inline]
    pub(crate) fn transition_to_terminal(&self, count: usize) -> bool {
        let previous = Snapshot(
            self.word
                .fetch_sub(count as u32 * REF_ONE, Ordering::AcqRel),
        );
        debug_assert!(
            previous.ref_count() >= count,
            "task reference count underflow"
        );
        previous.ref_count() == count
    }

    #[inline]
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotifiedByVal {
        self.update(|current| {
            if current.is_running() {
                // The runner holds a reference too, so ours is never the last here.
                let next = Snapshot((current.0 | NOTIFIED) - REF_ONE);
                return (Some(next), TransitionToNotifiedByVal::DoNothing);
            }
            if current.is_complete() || current.is_notified() {
                let next = Snapshot(current.0 - REF_ONE);
                let outcome = if next.ref_count() == 0 {
                    TransitionToNotifiedByVal::Dealloc
                } else {
                    TransitionToNotifiedByVal::DoNothing
                };
                return (Some(next), outcome);
            }
            (
                Some(Snapshot(current.0 | NOTIFIED)),
                TransitionToNotifiedByVal::Submit,
            )
        })
    }

    /// Marks the task notified; true when the caller must submit a new `Notified`
    /// (a reference for it has been added).
    #[inline]
    pub(crate) fn transition_to_notified_by_ref(&self) -> bool {
        self.update(|current| {
            if current.is_complete() || current.is_notified() {
                return (None, false);
            }
            if current.is_running() {
                return (Some(Snapshot(current.0 | NOTIFIED)), false);
            }
            (Some(Snapshot((current.0 | NOTIFIED) + REF_ONE)), true)
        })
    }

    /// Asks for cancellation from another thread; true when the caller must submit a
    /// new `Notified` so that a worker carries the cancellation out (a reference for
    /// it has been added).
    #[inline]
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.update(|current| {
            if current.is_cancelled() || current.is_complete() {
                return (None, false);
            }
            if current.is_running() {
                return (Some(Snapshot(current.0 | NOTIFIED | CANCELLED)), false);
            }
            if current.is_notified() {
                return (Some(Snapshot(current.0 | CANCELLED)), false);
            }
            (
                Some(Snapshot((current.0 | NOTIFIED | CANCELLED) + REF_ONE)),
                true,
            )
        })
    }

    /// Runtime shutdown: marks the task cancelled and, when nobody owns the future,
    /// takes ownership of it (true) so the caller cancels it in place.
    #[inline]
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.update(|current| {
            if current.is_running() || current.is_complete() {
                if current.is_cancelled() || current.is_complete() {
                    return (None, false);
                }
                return (Some(Snapshot(current.0 | CANCELLED)), false);
            }
            (Some(Snapshot(current.0 | RUNNING | CANCELLED)), true)
        })
    }

    /// The `JoinHandle` goes away: clears `JOIN_INTEREST`, and `JOIN_WAKER` too when
    /// the task is not complete (the handle takes the slot back). Returns the word as
    /// it was before.
    #[inline]
    pub(crate) fn unset_join_interest(&self) -> Snapshot {
        self.update(|current| {
            debug_assert!(current.is_join_interested());
            let next = if current.is_complete() {
                current.0 & !JOIN_INTEREST
            } else {
                current.0 & !(JOIN_INTEREST | JOIN_WAKER)
            };
            (Some(Snapshot(next)), current)
        })
    }

    /// The `JoinHandle` goes away while the task runs on and no join waker is stored
    /// (a detached task, the common case): clears `JOIN_INTEREST` and drops the
    /// handle's reference in one step, returning true. Returns false, changing
    /// nothing, when the slow path is needed: the task is complete (its output must be
    /// dropped first, under the handle's reference), the waker slot is the task's (the
    /// handle must take the waker back), or the handle's reference is the last.
    #[inline]
    pub(crate) fn drop_join_handle_fast(&self) -> bool {
        self.update(|current| {
            debug_assert!(current.is_join_interested());
            if current.is_complete() || current.is_join_waker_set() || current.ref_count() == 1 {
                return (None, false);
            }
            let next = Snapshot((current.0 & !JOIN_INTEREST) - REF_ONE);
            (Some(next), true)
        })
    }

    /// The `JoinHandle` of a complete task goes away, having dealt with the output:
    /// clears `JOIN_INTEREST` and drops its reference in one step; true when that
    /// was the last reference.
    #[inline]
    pub(crate) fn unset_join_interest_of_complete(&self) -> bool {
        // `JOIN_INTEREST` is set (we are the handle), so subtracting it clears it.
        let previous = Snapshot(
            self.word
                .fetch_sub(JOIN_INTEREST + REF_ONE, Ordering::AcqRel),
        );
        debug_assert!(previous.is_complete() && previous.is_join_interested());
        debug_assert!(previous.ref_count() >= 1, "task reference count underflow");
        previous.ref_count() == 1
    }

    /// Hands the join waker slot to the task side. Fails, returning the word, when the
    /// task completed first; the slot then still belongs to the handle.
    #[inline]
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|current| {
            debug_assert!(current.is_join_interested() && !current.is_join_waker_set());
            if current.is_complete() {
                return (None, Err(current));
            }
            let next = Snapshot(current.0 | JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    /// Takes the join waker slot back for the handle, so it can store a different
    /// waker. Fails, returning the word, when the task completed first.
    #[inline]
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|current| {
            debug_assert!(current.is_join_interested() && current.is_join_waker_set());
            if current.is_complete() {
                return (None, Err(current));
            }
            let next = Snapshot(current.0 & !JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    #[inline]
    pub(crate) fn ref_inc(&self) {
        let previous = self.word.fetch_add(REF_ONE, Ordering::Relaxed);
        // A count this large means references are leaking in a loop; stop before the
        // count wraps into the flag bits.
        if previous > u32::MAX / 2 {
            std::process::abort();
        }
    }

    /// Drops one reference; true when it was the last.
    #[inline]
    pub(crate) fn ref_dec(&self) -> bool {
        let previous = Snapshot(self.word.fetch_sub(REF_ONE, Ordering::AcqRel));
        debug_assert!(previous.ref_count() >= 1, "task reference count underflow");
        previous.ref_count() == 1
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn new_task_is_notified_with_join_interest() {
        let state = State::new(3);
        let snapshot = state.load();
        assert!(snapshot.is_notified() && snapshot.is_join_interested());
        assert!(!snapshot.is_running() && !snapshot.is_complete());
        assert_eq!(snapshot.ref_count(), 3);
    }

    #[test]
    fn wake_while_running_defers_the_submit_to_the_runner() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert!(!state.transition_to_notified_by_ref());
        assert_eq!(state.transition_to_idle(), TransitionToIdle::OkNotified);
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn wake_by_ref_of_idle_task_adds_the_notified_reference() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(state.transition_to_idle(), TransitionToIdle::Ok);
        assert_eq!(state.load().ref_count(), 2);
        assert!(state.transition_to_notified_by_ref());
        assert_eq!(state.load().ref_count(), 3);
        assert!(
            !state.transition_to_notified_by_ref(),
            "second wake is coalesced"
        );
    }

    #[test]
    fn abort_of_running_task_is_seen_at_transition_to_idle() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert!(!state.transition_to_notified_and_cancel());
        assert_eq!(state.transition_to_idle(), TransitionToIdle::Cancelled);
    }

    #[test]
    fn shutdown_takes_ownership_only_of_idle_tasks() {
        let state = State::new(3);
        assert!(state.transition_to_shutdown(), "notified but not running");
        let running = State::new(3);
        assert_eq!(
            running.transition_to_running(),
            TransitionToRunning::Success
        );
        assert!(!running.transition_to_shutdown());
        assert!(running.load().is_cancelled());
    }

    #[test]
    fn a_join_handle_dropped_before_completion_leaves_in_one_step() {
        let state = State::new(3);
        assert!(state.drop_join_handle_fast());
        let snapshot = state.load();
        assert!(!snapshot.is_join_interested());
        assert_eq!(snapshot.ref_count(), 2);
    }

    #[test]
    fn a_join_handle_with_an_output_or_a_waker_to_drop_takes_the_slow_path() {
        let complete = State::new(3);
        assert_eq!(
            complete.transition_to_running(),
            TransitionToRunning::Success
        );
        complete.transition_to_complete();
        assert!(!complete.drop_join_handle_fast());
        assert!(complete.load().is_join_interested());

        let waiting = State::new(3);
        assert!(waiting.set_join_waker().is_ok());
        assert!(!waiting.drop_join_handle_fast());
        assert_eq!(waiting.load().ref_count(), 3);
    }

    #[test]
    fn an_unjoined_task_completes_and_drops_its_references_in_one_step() {
        let state = State::new(3);
        assert!(state.drop_join_handle_fast());
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert!(!state.transition_to_complete_unjoined(1));
        let snapshot = state.load();
        assert!(snapshot.is_complete() && !snapshot.is_running());
        assert!(!snapshot.is_notified() && !snapshot.is_join_interested());
        assert_eq!(snapshot.ref_count(), 1);
        assert!(state.ref_dec(), "the last reference");
    }

    #[test]
    fn the_handle_of_a_complete_task_leaves_in_one_step() {
        let state = State::new(2);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        state.transition_to_complete();
        assert!(!state.transition_to_terminal(1));
        assert!(
            state.unset_join_interest_of_complete(),
            "the last reference"
        );
        assert!(!state.load().is_join_interested());
    }

    #[test]
    fn join_waker_cannot_be_set_after_completion() {
        let state = State::new(3);
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        state.transition_to_complete();
        assert!(state.set_join_waker().is_err());
    }
}
