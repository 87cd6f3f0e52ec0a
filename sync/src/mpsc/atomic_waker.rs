//! The receiver's waker slot, registered and taken without a lock.
//!
//! One task registers (the receiver); any number of threads wake. The state word says
//! who may touch the waker cell: `REGISTERING` belongs to the registerer, `WAKING` to
//! the one waker that moved the word from idle. A wake that finds the registerer busy
//! only sets `WAKING` and leaves; the registerer sees it when it tries to finish and
//! wakes its own waker. So a wake is never lost: either it happens after the
//! registration and wakes the new waker, or the registration sees it. A wake leaves
//! the waker in place (waking it by reference), so a task that sleeps again
//! re-registers without a clone, and without touching the state word at all when
//! nobody is waking (only the registerer ever writes the cell; wakers only read it);
//! `take` empties the slot when the receiver goes.
//!
//! The contract for users: register first, then check the condition you wait for; a
//! waker sets the condition first, then calls [`wake`](AtomicWaker::wake). Both state
//! changes are read-modify-writes of one word, so the later one synchronises with the
//! earlier and one of the two sides sees the other's update.

use std::task::Waker;

use spindle_loom_shim::{AtomicUsize, Ordering, UnsafeCell};

/// Nobody is registering or waking; the cell may hold a waker.
const IDLE: usize = 0;
const REGISTERING: usize = 0b01;
const WAKING: usize = 0b10;

pub(super) struct AtomicWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cell is only accessed by the holder of REGISTERING or WAKING (module
// docs), which the state word hands to one thread at a time; `Waker` is Send + Sync.
unsafe impl Send for AtomicWaker {}
// SAFETY: as above.
unsafe impl Sync for AtomicWaker {}

impl AtomicWaker {
    pub(super) fn new() -> Self {
        AtomicWaker {
            state: AtomicUsize::new(IDLE),
            waker: UnsafeCell::new(None),
        }
    }

    /// Stores `waker` to be woken by the next [`wake`](AtomicWaker::wake). Only one
    /// thread at a time may register (the receiver, through `&mut`).
    pub(super) fn register(&self, waker: &Waker) {
        // Fast path: the same task's waker is still in place and nobody is waking.
        // Only the registerer writes the cell (wakers only read it, under WAKING), so
        // it may read it at any time. Seeing IDLE with Acquire synchronises with every
        // wake that ran before, whose conditions the caller checks next; a wake after
        // the load finds IDLE and wakes this very waker.
        if self.state.load(Ordering::Acquire) == IDLE {
            // SAFETY: we are the only writer of the cell (see above).
            let same = self.waker.with(|cell| unsafe {
                (*cell)
                    .as_ref()
                    .is_some_and(|current| current.will_wake(waker))
            });
            if same {
                return;
            }
        }
        match self
            .state
            .compare_exchange(IDLE, REGISTERING, Ordering::Acquire, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(_) => {
                // A wake is taking the previous waker right now. It may be another
                // task's, so wake this one: its task polls again and re-registers.
                // Give the waking thread a moment first, so the re-poll does not spin
                // against it (under loom: let the model schedule it).
                waker.wake_by_ref();
                #[cfg(loom)]
                loom::thread::yield_now();
                #[cfg(not(loom))]
                std::hint::spin_loop();
                return;
            }
        }
        // A waker whose `clone` panics must not leave REGISTERING set for good (every
        // later wake would be dropped): the guard hands the slot back on unwind.
        let guard = IdleOnUnwind(&self.state);
        // SAFETY: REGISTERING is ours: wakers touch the cell only after moving the
        // state from IDLE, which fails while it is set.
        let replaced = self
            .waker
            .with_mut(|cell| spindle_loom_shim::replace_waker(unsafe { &mut *cell }, waker));
        std::mem::forget(guard);
        if self
            .state
            .compare_exchange(REGISTERING, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // A wake arrived meanwhile (state is REGISTERING | WAKING) and left the
            // delivery to us.
            // SAFETY: REGISTERING is still ours.
            let woken = self.waker.with_mut(|cell| unsafe { (*cell).take() });
            self.state.swap(IDLE, Ordering::AcqRel);
            if let Some(woken) = woken {
                woken.wake();
            }
        }
        drop(replaced);
    }

    /// Wakes the registered waker, if any. The waker stays registered, so a receiver
    /// that sleeps again in the same task re-registers without cloning it.
    pub(super) fn wake(&self) {
        if self.state.fetch_or(WAKING, Ordering::AcqRel) == IDLE {
            // SAFETY: we moved the state from IDLE to WAKING, so the cell is ours until
            // we clear WAKING.
            self.waker.with(|cell| unsafe {
                if let Some(waker) = &*cell {
                    waker.wake_by_ref();
                }
            });
            self.state.fetch_and(!WAKING, Ordering::Release);
        }
        // Otherwise REGISTERING: the registerer sees WAKING and wakes itself; or WAKING:
        // another waker is delivering, and one delivery is enough.
    }

    /// Takes the registered waker out, leaving none. Only the registerer calls it (the
    /// receiver, when it goes), so the cell keeps a single writer.
    pub(super) fn take(&self) -> Option<Waker> {
        match self.state.fetch_or(WAKING, Ordering::AcqRel) {
            IDLE => {
                // SAFETY: we moved the state from IDLE to WAKING, so the cell is ours
                // until we clear WAKING.
                let waker = self.waker.with_mut(|cell| unsafe { (*cell).take() });
                self.state.fetch_and(!WAKING, Ordering::Release);
                waker
            }
            // Someone else holds the cell; see `wake`.
            _ => None,
        }
    }
}

/// Resets the state to IDLE if dropped, which only happens while unwinding out of
/// `register` (it is forgotten otherwise).
struct IdleOnUnwind<'a>(&'a AtomicUsize);

impl Drop for IdleOnUnwind<'_> {
    fn drop(&mut self) {
        self.0.swap(IDLE, Ordering::AcqRel);
    }
}
