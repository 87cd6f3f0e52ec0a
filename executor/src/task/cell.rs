//! The task cell: the one allocation that holds everything a task is.
//!
//! ```text
//! Cell<F, S> (repr(C), heap, never moves)
//! ├── Header   state word, vtable, id, owned-list key, spawn location   (type-erased)
//! ├── Core     the scheduler handle, and the stage: future, output, or consumed
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
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::Waker;

use super::id::Id;
use super::site::SpawnSite;
use super::state::State;
use super::{JoinError, Notified, SpawnMeta, Task};
use crate::loom::UnsafeCell;
use crate::runtime::hooks::TaskHooks;

/// What a task needs from the scheduler it belongs to.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues a task that was woken or spawned.
    fn schedule(&self, task: Notified);

    /// Queues a task that yielded: behind the work already waiting, so it does not
    /// starve it.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
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
/// Seven words, because every idle task pays for each of them: the name shares a word
/// with the spawn location (`SpawnSite`), the `block_in_place` flag shares one with the
/// poll count (`PollCount`), and the owned-list key and the sampled busy time are
/// `u32`s sharing another.
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: Id,
    /// Where the task was spawned, and the name given with `task::Builder::name`.
    pub(crate) site: SpawnSite,
    /// Polls so far, and whether the task is inside `block_in_place`.
    pub(crate) polls: PollCount,
    /// When it was spawned, by `clock_nanos`.
    pub(crate) spawned_nanos: u64,
    /// Where the owned list keeps this task; written under that list's lock.
    pub(crate) owned_key: AtomicU32,
    /// Busy time in milliseconds, sampled by the slow-poll watchdog at its ticks.
    pub(crate) sampled_busy_millis: AtomicU32,
}

/// A task's poll count, with bit 63 set while it runs a `block_in_place` closure.
///
/// Both halves are written only by the thread that owns the task's stage (the holder
/// of `RUNNING`, which is where polls and `block_in_place` happen), so updates are a
/// load and a store, not a read-modify-write; other threads (the task dump) only read.
pub(crate) struct PollCount(AtomicU64);

const BLOCKING: u64 = 1 << 63;

impl PollCount {
    fn new() -> PollCount {
        PollCount(AtomicU64::new(0))
    }

    /// Counts one poll. Only the thread that owns the task's stage may call it.
    pub(crate) fn count_poll(&self) {
        let word = self.0.load(Ordering::Relaxed);
        self.0.store(word + 1, Ordering::Relaxed);
    }

    /// Marks the task as inside (or out of) `block_in_place`. Only the thread that owns
    /// the task's stage may call it.
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
    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed) & !BLOCKING
    }

    /// Whether the task is inside `block_in_place`.
    pub(crate) fn is_blocking(&self) -> bool {
        self.0.load(Ordering::Relaxed) & BLOCKING != 0
    }
}

/// Where a task's future is in its life.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

impl<F: Future> Stage<F> {
    /// Whether dropping this stage may run user code: a future or an output whose
    /// type has drop glue, or a panic payload. Two of the three stage changes of a
    /// finishing task replace a stage for which this is false, and skip making the
    /// task current for the drop.
    pub(crate) fn drop_runs_user_code(&self) -> bool {
        match self {
            Stage::Running(_) => std::mem::needs_drop::<F>(),
            Stage::Finished(Ok(_)) => std::mem::needs_drop::<F::Output>(),
            Stage::Finished(Err(error)) => error.is_panic(),
            Stage::Consumed => false,
        }
    }
}

pub(crate) struct Core<F: Future, S> {
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
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
                vtable,
                id: meta.id,
                site: SpawnSite::new(meta.spawned_at, meta.name),
                polls: PollCount::new(),
                spawned_nanos: clock_nanos(),
                owned_key: AtomicU32::new(u32::MAX),
                sampled_busy_millis: AtomicU32::new(0),
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                join_waker: UnsafeCell::new(None),
            },
        });
        NonNull::from(Box::leak(cell)).cast::<Header>()
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
    fn the_header_is_seven_words() {
        assert_eq!(std::mem::size_of::<Header>(), 56);
    }
}
