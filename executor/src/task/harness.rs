//! The vtable functions of a task cell: polling, cancelling, completing, reading the
//! output and freeing, monomorphised for one future type and one scheduler.
//!
//! Every function here starts from a `NonNull<Header>` and a reference that its caller
//! hands over; each path ends by passing that reference on (to a queue, to the
//! scheduler) or dropping it through the state word. User code (the future's `poll`
//! and `drop`, the output's `drop`, a join waker) runs inside `catch_unwind`, so a
//! panic there becomes the task's `JoinError` and never unwinds through a worker.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::cell::{Cell, Header, Schedule, Vtable};
use super::state::{Snapshot, TransitionToIdle, TransitionToRunning};
use super::{waker, Failure, JoinError, Notified, RawTask};
use crate::runtime::context;
use crate::runtime::TaskMeta;

/// The vtable for cells of future `F` on scheduler `S`.
pub(crate) fn vtable<F: Future, S: Schedule>() -> &'static Vtable {
    &Vtable {
        run: run::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle: drop_join_handle::<F, S>,
        shutdown: shutdown::<F, S>,
    }
}

/// A typed view of one cell.
struct Harness<F: Future, S: Schedule> {
    cell: NonNull<Cell<F, S>>,
}

impl<F: Future, S: Schedule> Harness<F, S> {
    /// # Safety
    /// `header` must point into a live `Cell<F, S>`.
    unsafe fn from_raw(header: NonNull<Header>) -> Self {
        Harness {
            cell: header.cast(),
        }
    }

    fn cell(&self) -> &Cell<F, S> {
        // SAFETY: `from_raw`'s contract keeps the cell alive while the caller holds a
        // reference, and cells are only mutated through their interior cells.
        unsafe { self.cell.as_ref() }
    }

    fn header(&self) -> &Header {
        &self.cell().header
    }

    fn raw(&self) -> RawTask {
        RawTask::from_header(self.cell.cast())
    }

    /// Drops the future, with the task current when that runs user code, so that code
    /// sees its id and name (and `block_in_place` marks it).
    ///
    /// # Safety
    /// The caller holds `RUNNING`, so the stage is ours.
    #[inline]
    unsafe fn drop_future(&self) {
        let _current =
            std::mem::needs_drop::<F>().then(|| context::set_current_task(self.cell.cast()));
        // SAFETY: the stage is ours, per the contract.
        unsafe { self.cell().drop_future() };
    }

    /// Drops the outcome nobody will read, if the stage holds one, with the task current
    /// when that runs user code.
    ///
    /// # Safety
    /// The caller owns the stage: it is the `JoinHandle` after `COMPLETE`, or it
    /// completed the task and no `JoinHandle` is interested.
    #[inline]
    unsafe fn drop_outcome(&self) {
        let cell = self.cell();
        // SAFETY: the stage is ours, per the contract.
        let _current = unsafe { cell.outcome_drop_runs_user_code() }
            .then(|| context::set_current_task(self.cell.cast()));
        // SAFETY: as above.
        unsafe { cell.drop_outcome() };
    }

    /// Polls the future once; the caller set `RUNNING`, holding the run reference.
    fn poll(self) {
        // We hold `RUNNING`: the stage is ours.
        self.header().progress.count_poll();
        let hooks = self.cell().core.scheduler.hooks();
        if let Some(hook) = hooks.and_then(|hooks| hooks.before_poll.as_ref()) {
            let _ = panic::catch_unwind(AssertUnwindSafe(|| hook(&TaskMeta::new(self.header()))));
        }
        let waker = ManuallyDrop::new(waker::borrowed(self.cell.cast()));
        let mut cx = Context::from_waker(&waker);
        // SAFETY: the caller holds `RUNNING`.
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            let _current = context::set_current_task(self.cell.cast());
            // A future whose poll panics is dropped while the panic unwinds, as in
            // tokio: its destructor sees `std::thread::panicking()` and can tell a
            // crash from a cancellation.
            struct DropFutureOnUnwind<'a, F: Future, S: Schedule>(&'a Harness<F, S>);
            impl<F: Future, S: Schedule> Drop for DropFutureOnUnwind<'_, F, S> {
                fn drop(&mut self) {
                    // SAFETY: the guard lives inside this poll, while the caller holds
                    // `RUNNING`; it is forgotten when the poll returns normally.
                    unsafe { self.0.drop_future() }
                }
            }
            let drop_on_unwind = DropFutureOnUnwind(&self);
            // SAFETY: the caller holds `RUNNING` from a notified, not-complete state, so
            // the stage is ours and still holds the future.
            let polled = unsafe { self.cell().poll_future(&mut cx) };
            std::mem::forget(drop_on_unwind);
            polled
        }));
        // Taken on every path, so a `yield_now` never leaks into the next task's poll.
        let yielded = super::yield_now::take_yield_request();
        if let Some(hook) = hooks.and_then(|hooks| hooks.after_poll.as_ref()) {
            let _ = panic::catch_unwind(AssertUnwindSafe(|| hook(&TaskMeta::new(self.header()))));
        }
        match polled {
            Ok(Poll::Ready(output)) => {
                // SAFETY: still `RUNNING`; the finished future drops here.
                let dropped =
                    panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.drop_future() }));
                let result = match dropped {
                    Ok(()) => Ok(output),
                    Err(payload) => Err(Failure::panic(payload)),
                };
                self.complete(result);
            }
            Err(payload) => {
                // The future was dropped during the unwind (`DropFutureOnUnwind`).
                self.complete(Err(Failure::panic(payload)));
            }
            Ok(Poll::Pending) => match self.header().state.transition_to_idle() {
                TransitionToIdle::Ok => {}
                TransitionToIdle::OkNotified => {
                    let scheduler = &self.cell().core.scheduler;
                    // Woken by its own `yield_now`, or forced to yield by a spent
                    // budget: run it after the drivers were polled (as tokio defers).
                    let deferred = yielded || !spindle_sync::coop::has_budget_remaining();
                    if deferred {
                        scheduler.defer(Notified(self.raw()));
                    } else {
                        scheduler.yield_now(Notified(self.raw()));
                    }
                }
                TransitionToIdle::OkDealloc => self.dealloc(),
                TransitionToIdle::Cancelled => self.cancel_and_complete(),
            },
        }
    }

    /// Drops the future and completes with a cancellation (or with the panic that
    /// dropping it raised). The caller holds `RUNNING` and one reference.
    fn cancel_and_complete(self) {
        // SAFETY: the caller holds `RUNNING`.
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.drop_future() }));
        let failure = match dropped {
            Ok(()) => Failure::Cancelled,
            Err(payload) => Failure::panic(payload),
        };
        self.complete(Err(failure));
    }

    /// Stores `result` for the `JoinHandle`, publishes it, leaves the owned list and
    /// drops the caller's reference (and the list's). The caller holds `RUNNING` and
    /// has dropped the future. A panic that no `JoinHandle` is left to receive is
    /// reported to the scheduler.
    fn complete(self, result: Result<F::Output, Failure>) {
        let panicked = result.as_ref().is_err_and(Failure::is_panic);
        let hooks = self.cell().core.scheduler.hooks();
        if let Some(hook) = hooks.and_then(|hooks| hooks.on_terminate.as_ref()) {
            let _ = panic::catch_unwind(AssertUnwindSafe(|| hook(&TaskMeta::new(self.header()))));
        }
        // Leave the owned list before publishing the output, so that whoever sees the
        // task complete also sees it gone from the list (alive counts, dumps).
        let released = self
            .cell()
            .core
            .scheduler
            .release(&ManuallyDrop::new(super::Task(self.raw())));
        let references = match released {
            Some(task) => {
                std::mem::forget(task);
                2
            }
            None => 1,
        };
        if !self.header().state.load().is_join_interested() {
            // No `JoinHandle`, and none can come back: the output is nobody's. Drop it
            // now, with the task current as for any drop of its values, and complete
            // and release in one step.
            let runs_user_code = match &result {
                Ok(_) => std::mem::needs_drop::<F::Output>(),
                Err(failure) => failure.is_panic(),
            };
            let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                let _current = runs_user_code.then(|| context::set_current_task(self.cell.cast()));
                drop(result);
            }));
            if panicked {
                self.cell().core.scheduler.unhandled_panic();
            }
            if self
                .header()
                .state
                .transition_to_complete_unjoined(references)
            {
                self.dealloc();
            }
            return;
        }
        // SAFETY: still `RUNNING`: the stage is ours until `COMPLETE` is published, and
        // the future was dropped.
        unsafe { self.cell().store_outcome(result) };
        let before = self.header().state.transition_to_complete();
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            if !before.is_join_interested() {
                // SAFETY: complete with no `JoinHandle`: nobody else reads the output.
                unsafe { self.drop_outcome() };
            } else if before.is_join_waker_set() {
                // SAFETY: we observed `JOIN_WAKER` with our own `COMPLETE` transition.
                unsafe { self.cell().trailer.wake_join() };
            }
        }));
        if panicked && !before.is_join_interested() {
            self.cell().core.scheduler.unhandled_panic();
        }
        if self.header().state.transition_to_terminal(references) {
            self.dealloc();
        }
    }

    /// Drops the output the `JoinHandle` did not read, if any. A panic stored for the
    /// handle and never read goes unobserved, as if the handle had been dropped
    /// before the task finished: the scheduler is told either way, or the outcome
    /// would hang on which thread won the race.
    ///
    /// # Safety
    /// The task is complete and the caller is (or just was) its interested
    /// `JoinHandle`, so the stage is the caller's.
    #[inline]
    unsafe fn drop_unread_output(&self) {
        // SAFETY: per the contract, the stage is ours.
        if unsafe { self.cell().holds_outcome() } {
            // SAFETY: as above.
            unsafe { self.drop_held_output() };
        }
        // Otherwise the usual case: the handle read the output.
    }

    /// `drop_unread_output` when the stage does hold the output.
    ///
    /// # Safety
    /// As `drop_unread_output`.
    #[inline(never)]
    unsafe fn drop_held_output(&self) {
        // SAFETY: per the contract, the stage is ours.
        let unobserved_panic = unsafe { self.cell().holds_panic() };
        // SAFETY: per the contract, the stage is ours.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.drop_outcome() }));
        if unobserved_panic {
            self.cell().core.scheduler.unhandled_panic();
        }
    }

    fn dealloc(self) {
        // SAFETY: the reference count reached zero, so this is the last access; the
        // cell was allocated as a `Box<Cell<F, S>>` in `Cell::allocate`.
        drop(unsafe { Box::from_raw(self.cell.as_ptr()) });
    }
}

/// Runs a `Notified` reference.
///
/// # Safety
/// `header` points into a live `Cell<F, S>` and the caller hands over one reference
/// that was a `Notified`.
unsafe fn run<F: Future, S: Schedule>(header: NonNull<Header>) {
    // SAFETY: per this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(header) };
    match harness.header().state.transition_to_running() {
        TransitionToRunning::Success => harness.poll(),
        TransitionToRunning::Cancelled => harness.cancel_and_complete(),
        TransitionToRunning::Failed => {}
        TransitionToRunning::Dealloc => harness.dealloc(),
    }
}

/// # Safety
/// As `run`: the reference handed over becomes the submitted `Notified`.
unsafe fn schedule<F: Future, S: Schedule>(header: NonNull<Header>) {
    // SAFETY: per this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(header) };
    harness
        .cell()
        .core
        .scheduler
        .schedule(Notified(harness.raw()));
}

/// # Safety
/// `header` points into a `Cell<F, S>` whose reference count is zero.
unsafe fn dealloc<F: Future, S: Schedule>(header: NonNull<Header>) {
    // SAFETY: per this function's contract.
    unsafe { Harness::<F, S>::from_raw(header) }.dealloc();
}

/// # Safety
/// `header` points into a live `Cell<F, S>` on which the caller holds the
/// `JoinHandle`'s reference, and `destination` points to a
/// `Poll<Result<F::Output, JoinError>>`.
unsafe fn try_read_output<F: Future, S: Schedule>(
    header: NonNull<Header>,
    destination: *mut (),
    waker: &Waker,
) {
    // SAFETY: per this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(header) };
    if !can_read_output(harness.header(), &harness.cell().trailer, waker) {
        return;
    }
    // SAFETY: `COMPLETE` with join interest: the stage is the handle's now.
    let output = match unsafe { harness.cell().take_outcome() } {
        Some(Ok(output)) => Ok(output),
        Some(Err(failure)) => Err(JoinError::new(harness.header().id, failure)),
        None => panic!("JoinHandle polled after it already returned the task's output"),
    };
    // SAFETY: the caller passes a pointer to the matching `Poll` type, holding
    // `Poll::Pending`, which has nothing to drop, so it is overwritten without a drop.
    unsafe {
        destination
            .cast::<Poll<Result<F::Output, JoinError>>>()
            .write(Poll::Ready(output))
    };
}

/// Whether the output is ready; if not, makes sure `waker` will be woken when it is.
#[inline]
fn can_read_output(header: &Header, trailer: &super::cell::Trailer, waker: &Waker) -> bool {
    let snapshot = header.state.load();
    if snapshot.is_complete() {
        return true;
    }
    register_join_waker(snapshot, header, trailer, waker)
}

/// `can_read_output` when the task was not complete at the first look.
#[inline(never)]
fn register_join_waker(
    snapshot: Snapshot,
    header: &Header,
    trailer: &super::cell::Trailer,
    waker: &Waker,
) -> bool {
    if snapshot.is_join_waker_set() {
        // SAFETY: while `JOIN_WAKER` is set the task side only reads the slot; two
        // readers are fine.
        let same = trailer.join_waker.with(|slot| {
            unsafe { &*slot }
                .as_ref()
                .is_some_and(|stored| stored.will_wake(waker))
        });
        if same {
            return false;
        }
        if let Err(snapshot) = header.state.unset_join_waker() {
            debug_assert!(snapshot.is_complete());
            return true;
        }
    }
    store_join_waker(header, trailer, waker.clone()).is_err()
}

/// Puts `waker` in the slot and hands the slot to the task side; `Err` when the task
/// completed first.
fn store_join_waker(
    header: &Header,
    trailer: &super::cell::Trailer,
    waker: Waker,
) -> Result<Snapshot, Snapshot> {
    // SAFETY: `JOIN_WAKER` is clear, so the slot belongs to the handle, and there is
    // one handle.
    trailer
        .join_waker
        .with_mut(|slot| unsafe { *slot = Some(waker) });
    let result = header.state.set_join_waker();
    if result.is_err() {
        // SAFETY: the task completed without seeing `JOIN_WAKER`: still ours.
        trailer.join_waker.with_mut(|slot| unsafe { *slot = None });
    }
    result
}

/// # Safety
/// `header` points into a live `Cell<F, S>`; the caller hands over the `JoinHandle`'s
/// reference.
unsafe fn drop_join_handle<F: Future, S: Schedule>(header: NonNull<Header>) {
    // SAFETY: per this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(header) };
    let state = &harness.header().state;
    if state.load().is_complete() {
        // The usual case for a handle that was awaited: one atomic step after the
        // output (already taken, or dropped here) is dealt with.
        // SAFETY: complete, and we are the interested handle.
        unsafe { harness.drop_unread_output() };
        if state.unset_join_interest_of_complete() {
            harness.dealloc();
        }
        return;
    }
    let before = state.unset_join_interest();
    if before.is_complete() {
        // SAFETY: complete, and we were the interested handle.
        unsafe { harness.drop_unread_output() };
    } else if before.is_join_waker_set() {
        // SAFETY: we cleared `JOIN_WAKER` before `COMPLETE`, so the slot is ours again.
        harness
            .cell()
            .trailer
            .join_waker
            .with_mut(|slot| drop(unsafe { (*slot).take() }));
    }
    if state.ref_dec() {
        harness.dealloc();
    }
}

/// # Safety
/// `header` points into a live `Cell<F, S>`; the caller hands over one reference.
unsafe fn shutdown<F: Future, S: Schedule>(header: NonNull<Header>) {
    // SAFETY: per this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(header) };
    if harness.header().state.transition_to_shutdown() {
        harness.cancel_and_complete();
    } else if harness.header().state.ref_dec() {
        harness.dealloc();
    }
}
