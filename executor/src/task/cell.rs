//! The task cell: the one allocation that holds everything a task is.
//!
//! ```text
//! Cell<F, S> (repr(C), heap, never moves)
//! ├── Header   state word, owned-list key, vtable, id, spawn site, progress, spawn time
//! │            (type-erased)
//! ├── Core     the scheduler handle, and the stage: the future, then the outcome
//! │            (a union; the header's `Progress` word says which it holds)
//! └── Trailer  the join waker slot
//! ```
//!
//! The header comes first so that a `NonNull<Header>` can be cast back to the full
//! cell by the vtable functions, which are monomorphised for `F` and `S`. Queues,
//! wakers and handles only ever hold the header pointer. Who may touch the stage and
//! the trailer is decided by the state word (see `state.rs`): the stage belongs to
//! whoever set `RUNNING`, or, once `COMPLETE`, to the `JoinHandle`; the trailer
//! belongs to the `JoinHandle` while `JOIN_WAKER` is clear.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::id::Id;
use super::site::SpawnSite;
use super::state::State;
use super::{Failure, Notified, SpawnMeta, Task};
use crate::runtime::hooks::TaskHooks;
// Under loom the `Progress` word is loom's: a model then sees every access to it, and
// it carries the stage tag (a tag read not ordered after its write, through the state
// word, shows up as a stale tag).
use spindle_loom_shim::{AtomicU64, Ordering, UnsafeCell};
// The owned-list key stays std's even under loom: the owned list reads and writes it
// under its shard lock (`task/list.rs`), so it is no protocol of its own, and a loom
// atomic there multiplies the interleavings of every runtime model (the worker-pool
// model ran for over ten minutes instead of seconds).
use std::sync::atomic::AtomicU32;

/// What a task needs from the scheduler it belongs to.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues a task that was woken or spawned.
    fn schedule(&self, task: Notified);

    /// Queues a task that yielded: behind the work already waiting, so it does not
    /// starve it.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
    }

    /// The running task yielded on purpose (`yield_now`, or its cooperative budget
    /// ran out): a scheduler that can should run it only after its next look at the
    /// IO and timer drivers, so the events it may be waiting for get a chance to
    /// arrive first.
    fn defer(&self, task: Notified) {
        self.yield_now(task);
    }

    /// A task panicked and nobody holds its `JoinHandle` to see it.
    fn unhandled_panic(&self) {}

    /// The runtime's task hooks, when any is set.
    fn hooks(&self) -> Option<&TaskHooks> {
        None
    }

    /// Removes the task from the scheduler's owned list, returning the list's
    /// reference, or `None` if the task was never in one or was already removed.
    fn release(&self, task: &Task) -> Option<Task>;
}

/// The functions that know a cell's concrete type, reached through the header.
pub(crate) struct Vtable {
    /// Runs a `Notified` reference: poll, or cancel, or drop the reference.
    pub(crate) run: unsafe fn(NonNull<Header>),
    /// Submits a `Notified` reference to the task's scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Frees the cell; the reference count is zero.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Moves the output into `*mut Poll<Result<F::Output, JoinError>>` if it is ready,
    /// otherwise stores the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Drops the `JoinHandle`'s interest and reference.
    pub(crate) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task for runtime shutdown, consuming one reference.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
}

/// The type-erased head of every task cell.
///
/// Six words, because every idle task pays for each of them: the name shares a word
/// with the spawn location (`SpawnSite`); the `block_in_place` flag and the stage tag
/// share one with the poll count (`Progress`); the owned-list key shares one with the
/// 32-bit state word. (The busy time the watchdog samples is kept by the owned list,
/// for the few tasks it ever saw busy.)
pub(crate) struct Header {
    pub(crate) state: State,
    /// Where the owned list keeps this task; written under that list's lock.
    pub(crate) owned_key: AtomicU32,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: Id,
    /// Where the task was spawned, and the name given with `task::Builder::name`.
    pub(crate) site: SpawnSite,
    /// Polls so far, which of its values the stage holds, and whether the task is
    /// inside `block_in_place`.
    pub(crate) progress: Progress,
    /// When it was spawned, by `clock_nanos`.
    pub(crate) spawned_nanos: u64,
}

/// A task's poll count (bits 0 to 60), what its stage holds (bits 61 and 62, a
/// `StageTag`), and whether it runs a `block_in_place` closure (bit 63).
///
/// Every part is written only by the thread that owns the task's stage (the holder of
/// `RUNNING`, which is where polls and `block_in_place` happen; once `COMPLETE`, the
/// `JoinHandle`; or the last reference, freeing the cell), so updates are a load and a
/// store, not a read-modify-write. The state word's transitions order one owner's
/// writes before the next owner's reads, as they do for the stage itself. Other threads
/// (the task dump) only read the count and the flag.
pub(crate) struct Progress(AtomicU64);

const BLOCKING: u64 = 1 << 63;
const STAGE_SHIFT: u32 = 61;
const STAGE_MASK: u64 = 0b11 << STAGE_SHIFT;
const POLLS_MASK: u64 = (1 << STAGE_SHIFT) - 1;

/// Which value a task's `Stage` holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StageTag {
    /// The future (it is zero, so a new cell's word is all zero).
    Future = 0,
    /// The outcome: the output, or why there is none.
    Outcome = 1,
    /// Nothing: the future is gone and the outcome not stored yet, or already read or
    /// dropped.
    Empty = 2,
}

impl Progress {
    #[inline]
    fn new() -> Progress {
        Progress(AtomicU64::new(0))
    }

    /// Counts one poll. Only the thread that owns the task's stage may call it.
    #[inline]
    pub(crate) fn count_poll(&self) {
        let word = self.0.load(Ordering::Relaxed);
        // The count would need 2^61 polls to carry into the stage tag.
        self.0.store(word + 1, Ordering::Relaxed);
    }

    /// Marks the task as inside (or out of) `block_in_place`. Only the thread that owns
    /// the task's stage may call it.
    #[inline]
    pub(crate) fn set_blocking(&self, blocking: bool) {
        let word = self.0.load(Ordering::Relaxed);
        let word = if blocking {
            word | BLOCKING
        } else {
            word & !BLOCKING
        };
        self.0.store(word, Ordering::Relaxed);
    }

    /// How many times the task was polled.
    #[inline]
    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed) & POLLS_MASK
    }

    /// Whether the task is inside `block_in_place`.
    #[inline]
    pub(crate) fn is_blocking(&self) -> bool {
        self.0.load(Ordering::Relaxed) & BLOCKING != 0
    }

    /// What the stage holds. Only the owner of the stage may ask.
    #[inline]
    fn stage(&self) -> StageTag {
        match (self.0.load(Ordering::Relaxed) & STAGE_MASK) >> STAGE_SHIFT {
            0 => StageTag::Future,
            1 => StageTag::Outcome,
            _ => StageTag::Empty,
        }
    }

    /// Records what the stage holds. Only the owner of the stage may call it.
    #[inline]
    fn set_stage(&self, tag: StageTag) {
        let word = self.0.load(Ordering::Relaxed);
        let word = (word & !STAGE_MASK) | ((tag as u64) << STAGE_SHIFT);
        self.0.store(word, Ordering::Relaxed);
    }

    /// Changes the tag from `from` to `to` and returns true, or returns false when it
    /// was not `from`; one load (and one store). Only the owner of the stage may call
    /// it.
    #[inline]
    fn replace_stage(&self, from: StageTag, to: StageTag) -> bool {
        let word = self.0.load(Ordering::Relaxed);
        if word & STAGE_MASK != (from as u64) << STAGE_SHIFT {
            return false;
        }
        self.0.store(
            word ^ (((from as u64) ^ (to as u64)) << STAGE_SHIFT),
            Ordering::Relaxed,
        );
        true
    }
}

/// The storage of a task's future, and later of its outcome, in the same bytes.
///
/// A union rather than an enum: an `async` block's state machine offers the enclosing
/// enum no niche for its discriminant, so an enum stage would be a word larger than
/// the future. The discriminant lives in the header's `Progress` word instead, and
/// every access goes through the typed methods on `Cell` that keep the two in step.
pub(crate) union Stage<F: Future> {
    future: ManuallyDrop<F>,
    outcome: ManuallyDrop<Result<F::Output, Failure>>,
}

pub(crate) struct Core<F: Future, S> {
    pub(crate) scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

pub(crate) struct Trailer {
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) core: Core<F, S>,
    pub(crate) trailer: Trailer,
}

impl<F: Future, S: Schedule> Cell<F, S> {
    /// Allocates a cell holding `future` with `refs` initial references.
    #[inline]
    pub(crate) fn allocate(
        future: F,
        scheduler: S,
        meta: SpawnMeta,
        refs: usize,
        vtable: &'static Vtable,
    ) -> NonNull<Header> {
        let cell = Box::new(Cell {
            header: Header {
                state: State::new(refs),
                owned_key: AtomicU32::new(u32::MAX),
                vtable,
                id: meta.id,
                site: SpawnSite::new(meta.spawned_at, meta.name),
                progress: Progress::new(),
                spawned_nanos: clock_nanos(),
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage {
                    future: ManuallyDrop::new(future),
                }),
            },
            trailer: Trailer {
                join_waker: UnsafeCell::new(None),
            },
        });
        NonNull::from(Box::leak(cell)).cast::<Header>()
    }
}

impl<F: Future, S> Cell<F, S> {
    /// Polls the future.
    ///
    /// # Safety
    /// The caller owns the stage (it holds `RUNNING`), the stage holds the future, and
    /// the cell is pinned (task cells never move).
    #[inline]
    pub(crate) unsafe fn poll_future(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        debug_assert_eq!(self.header.progress.stage(), StageTag::Future);
        self.core.stage.with_mut(|stage| {
            // SAFETY: the stage is ours and holds the future (the contract); it is
            // pinned because the cell never moves and the future is only ever dropped
            // in place (`drop_future`, `Drop for Cell`).
            let future = unsafe { Pin::new_unchecked(&mut *(*stage).future) };
            future.poll(cx)
        })
    }

    /// Drops the future in place, if the stage still holds it.
    ///
    /// The stage is marked empty first, so a future whose drop panics is never dropped
    /// again.
    ///
    /// # Safety
    /// The caller owns the stage (it holds `RUNNING`).
    #[inline]
    pub(crate) unsafe fn drop_future(&self) {
        if !self
            .header
            .progress
            .replace_stage(StageTag::Future, StageTag::Empty)
        {
            return;
        }
        self.core.stage.with_mut(|stage| {
            // SAFETY: the stage is ours and held the future until the line above; it
            // drops in place, as pinning requires, and is never touched again.
            unsafe { ManuallyDrop::drop(&mut (*stage).future) }
        });
    }

    /// Stores the outcome in the (empty) stage.
    ///
    /// # Safety
    /// The caller owns the stage and has dropped the future.
    #[inline]
    pub(crate) unsafe fn store_outcome(&self, outcome: Result<F::Output, Failure>) {
        debug_assert_eq!(self.header.progress.stage(), StageTag::Empty);
        self.core.stage.with_mut(|stage| {
            // SAFETY: the stage is ours and holds nothing that needs dropping.
            unsafe { (*stage).outcome = ManuallyDrop::new(outcome) }
        });
        self.header.progress.set_stage(StageTag::Outcome);
    }

    /// Moves the outcome out, leaving the stage empty; `None` if it was already taken
    /// or dropped.
    ///
    /// # Safety
    /// The caller owns the stage (`COMPLETE`, and it is the interested `JoinHandle`).
    #[inline]
    pub(crate) unsafe fn take_outcome(&self) -> Option<Result<F::Output, Failure>> {
        if !self
            .header
            .progress
            .replace_stage(StageTag::Outcome, StageTag::Empty)
        {
            return None;
        }
        // SAFETY: the stage is ours and held the outcome until the line above; it is
        // moved out once and the stage is marked empty.
        Some(
            self.core
                .stage
                .with_mut(|stage| unsafe { ManuallyDrop::take(&mut (*stage).outcome) }),
        )
    }

    /// Drops the outcome in place, if the stage holds it, marking the stage empty first.
    ///
    /// # Safety
    /// The caller owns the stage (see `take_outcome`, or it completed the task and no
    /// `JoinHandle` is interested).
    #[inline]
    pub(crate) unsafe fn drop_outcome(&self) {
        if !self
            .header
            .progress
            .replace_stage(StageTag::Outcome, StageTag::Empty)
        {
            return;
        }
        self.core.stage.with_mut(|stage| {
            // SAFETY: the stage is ours and held the outcome until the line above.
            unsafe { ManuallyDrop::drop(&mut (*stage).outcome) }
        });
    }

    /// Whether the stage holds the outcome (not yet read or dropped).
    ///
    /// # Safety
    /// The caller owns the stage.
    #[inline]
    pub(crate) unsafe fn holds_outcome(&self) -> bool {
        self.header.progress.stage() == StageTag::Outcome
    }

    /// Whether the stage holds a panic (which nobody will now see, if the caller is
    /// about to drop it).
    ///
    /// # Safety
    /// The caller owns the stage.
    #[inline]
    pub(crate) unsafe fn holds_panic(&self) -> bool {
        if self.header.progress.stage() != StageTag::Outcome {
            return false;
        }
        self.core.stage.with(|stage| {
            // SAFETY: the stage is ours and holds the outcome.
            matches!(unsafe { &*(*stage).outcome }, Err(failure) if failure.is_panic())
        })
    }

    /// Whether dropping the outcome the stage holds may run user code: an output
    /// whose type has drop glue, or a panic payload. Most finished tasks hold an
    /// outcome for which this is false, and skip making the task current for the drop.
    ///
    /// # Safety
    /// The caller owns the stage.
    #[inline]
    pub(crate) unsafe fn outcome_drop_runs_user_code(&self) -> bool {
        if self.header.progress.stage() != StageTag::Outcome {
            return false;
        }
        self.core.stage.with(|stage| {
            // SAFETY: the stage is ours and holds the outcome.
            match unsafe { &*(*stage).outcome } {
                Ok(_) => std::mem::needs_drop::<F::Output>(),
                Err(failure) => failure.is_panic(),
            }
        })
    }
}

impl<F: Future, S> Drop for Cell<F, S> {
    /// Drops whatever the stage still holds: the future of a task freed before it ran
    /// to the end (a `LocalSet` task, a blocking-pool task dropped unrun), or an output
    /// the `JoinHandle` never read and the freeing path did not drop.
    #[inline]
    fn drop(&mut self) {
        match self.header.progress.stage() {
            StageTag::Future => self.core.stage.with_mut(|stage| {
                // SAFETY: the cell is being freed, so nothing else can reach the stage,
                // and it holds the future, which drops in place.
                unsafe { ManuallyDrop::drop(&mut (*stage).future) }
            }),
            StageTag::Outcome => self.core.stage.with_mut(|stage| {
                // SAFETY: as above; it holds the outcome.
                unsafe { ManuallyDrop::drop(&mut (*stage).outcome) }
            }),
            StageTag::Empty => {}
        }
    }
}

/// A task's spawn timestamp, and the clock its age in the task dump is measured by:
/// nanoseconds on a monotonic clock with an arbitrary zero.
///
/// Every spawn reads it, and only the dump's age (shown to the millisecond) uses it, so
/// on Linux it is `CLOCK_MONOTONIC_COARSE`: the time of the last kernel tick (1 to 4
/// ms old), read from the vDSO without the hardware clock, about a third of the
/// instructions of an `Instant` difference.
#[cfg(target_os = "linux")]
pub(crate) fn clock_nanos() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a pointer to a live one;
    // CLOCK_MONOTONIC_COARSE exists on every Linux since 2.6.32, so it does not fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut now) };
    (now.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(now.tv_nsec as u64)
}

/// A task's spawn timestamp: nanoseconds since the first call in this process.
#[cfg(not(target_os = "linux"))]
pub(crate) fn clock_nanos() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

impl Trailer {
    /// Wakes the stored join waker without consuming it.
    ///
    /// # Safety
    /// The caller must have observed `JOIN_WAKER` set together with `COMPLETE` (so the
    /// handle no longer writes the slot).
    pub(crate) unsafe fn wake_join(&self) {
        self.join_waker.with(|slot| {
            // SAFETY: per the contract, the slot is only read from here on.
            if let Some(waker) = unsafe { &*slot } {
                waker.wake_by_ref();
            }
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_six_words() {
        assert_eq!(std::mem::size_of::<Header>(), 48);
    }

    /// The cell of a task whose future is two words (one capture and the state) is 88
    /// bytes, which glibc's malloc serves from a 96-byte chunk: with an enum stage, or a
    /// seventh header word, it would be 96 bytes and take a 112-byte chunk.
    #[test]
    fn a_small_task_cell_is_eleven_words() {
        fn cell_size<F: Future>(_: &F) -> usize {
            std::mem::size_of::<Cell<F, std::sync::Arc<crate::scheduler::multi_thread::Handle>>>()
        }
        let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let future = async move {
            counter.fetch_add(1, Ordering::Relaxed);
            std::future::pending::<()>().await;
        };
        assert_eq!(std::mem::size_of_val(&future), 16);
        assert_eq!(cell_size(&future), 88);
    }
}
