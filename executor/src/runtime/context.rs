//! The thread's runtime context: which runtime is entered, whether we are already
//! inside one (so `block_on` can refuse to nest), which task is running, and, on a
//! scheduler's own threads, a pointer to that scheduler's per-thread state so that a
//! wake from a running task can push to the local queue.
//!
//! All of it is thread-local; guards restore the previous value on drop, so entering
//! nests (a runtime's handle entered inside another's) and unwinding leaves the thread
//! clean.

use std::cell::{Cell, RefCell};
use std::ptr::NonNull;

use std::sync::Arc;

use spindle_sync::runtime_context;

use crate::scheduler;
use crate::task::cell::Header;
use crate::task::Id;

struct Context {
    handle: RefCell<Option<scheduler::Handle>>,
}

/// What every poll and wake reads. Kept apart from `Context`, whose handle needs a
/// destructor: a thread-local with nothing to drop is a plain TLS access, while one
/// with a destructor checks (and on first use registers) it on every access, which
/// cost about 30 instructions each time a task was polled, dropped or woken.
struct Hot {
    scheduler: Cell<Option<NonNull<scheduler::Context>>>,
    /// The header of the task being polled (or dropped) on this thread.
    current_task: Cell<Option<NonNull<Header>>>,
}

// Under loom the threads of a model share one OS thread, so the slots must be loom's.
#[cfg(not(loom))]
thread_local! {
    static CONTEXT: Context = const { Context::new() };
    static HOT: Hot = const { Hot::new() };
}
#[cfg(loom)]
loom::thread_local! {
    static CONTEXT: Context = Context::new();
    static HOT: Hot = Hot::new();
}

impl Context {
    const fn new() -> Context {
        Context {
            handle: RefCell::new(None),
        }
    }
}

impl Hot {
    const fn new() -> Hot {
        Hot {
            scheduler: Cell::new(None),
            current_task: Cell::new(None),
        }
    }
}

/// Restores the previously running task on drop.
pub(crate) struct CurrentTaskGuard(Option<NonNull<Header>>);

/// Marks `task` as the one running on this thread. The task harness calls this around
/// each poll and each drop of a future, while it holds a reference to the cell.
#[inline]
pub(crate) fn set_current_task(task: NonNull<Header>) -> CurrentTaskGuard {
    CurrentTaskGuard(
        HOT.try_with(|hot| hot.current_task.replace(Some(task)))
            .ok()
            .flatten(),
    )
}

impl Drop for CurrentTaskGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = HOT.try_with(|hot| hot.current_task.set(self.0));
    }
}

fn with_current_task<R>(f: impl FnOnce(&Header) -> R) -> Option<R> {
    let task = HOT.try_with(|hot| hot.current_task.get()).ok().flatten()?;
    // SAFETY: the pointer is installed by the harness only while it holds a reference
    // to the cell and is running on this thread, and the guard removes it before the
    // harness returns (also on unwind), so the header is alive here.
    Some(f(unsafe { task.as_ref() }))
}

pub(crate) fn current_task_id() -> Option<Id> {
    with_current_task(|header| header.id)
}

/// Marks the running task as inside (or out of) a `block_in_place` closure.
pub(crate) fn set_current_task_blocking(blocking: bool) {
    // The running task's own thread calls this, inside its poll: it owns the stage,
    // as `Progress::set_blocking` requires.
    with_current_task(|header| header.progress.set_blocking(blocking));
}

pub(crate) fn current_task_name() -> Option<Arc<str>> {
    with_current_task(|header| header.site.name().cloned()).flatten()
}

/// The entered runtime's handle, if any.
pub(crate) fn current_handle() -> Option<scheduler::Handle> {
    CONTEXT
        .try_with(|cx| cx.handle.borrow().clone())
        .ok()
        .flatten()
}

/// The entered runtime's handle (`Ok(None)`: none entered), or `Err` when this
/// thread's context was already destroyed (the thread is exiting).
pub(crate) fn current_handle_or_destroyed() -> Result<Option<scheduler::Handle>, ()> {
    CONTEXT
        .try_with(|cx| cx.handle.borrow().clone())
        .map_err(|_| ())
}

/// Restores the previously entered handles on drop.
pub(crate) struct SetHandleGuard {
    previous: Option<scheduler::Handle>,
    _time: Option<spindle_timers::EnterGuard>,
    _io: Option<super::io_seam::IoEnterGuard>,
}

/// Enters the runtime's handle, and its timer handle when time is enabled, so that
/// resources created on this thread find their runtime.
pub(crate) fn set_current_handle(handle: &scheduler::Handle) -> SetHandleGuard {
    let entered = CONTEXT.try_with(|cx| cx.handle.borrow_mut().replace(handle.clone()));
    // Gone only while the thread destroys its thread-locals (a runtime kept in a
    // `thread_local!` is dropped then). The drivers' slots were created after ours,
    // so they are gone too, and entering them would panic: skip them.
    let alive = entered.is_ok();
    let previous = entered.ok().flatten();
    let time = alive.then(|| handle.driver().time().map(|time| time.enter()));
    let io = alive.then(|| handle.driver().io().map(|io| io.enter()));
    SetHandleGuard {
        previous,
        _time: time.flatten(),
        _io: io.flatten(),
    }
}

impl Drop for SetHandleGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CONTEXT.try_with(|cx| *cx.handle.borrow_mut() = previous);
    }
}

/// Marks the thread as running a runtime (a worker, or inside `block_on`). The mark is
/// spindle-sync's "drives async tasks" flag, so that the primitives' `blocking_*`
/// methods, which cannot see the executor, refuse to park such a thread.
pub(crate) struct InRuntimeGuard(());

/// Enters "runtime mode", or `None` if this thread is already in one (the caller then
/// reports the nesting misuse).
pub(crate) fn try_enter_runtime() -> Option<InRuntimeGuard> {
    let entered = runtime_context::set_driving_tasks(true);
    if entered {
        None
    } else {
        Some(InRuntimeGuard(()))
    }
}

/// True while this thread runs a runtime (a worker, or inside `block_on`), outside
/// any `block_in_place` closure: where blocking the thread would stall tasks.
pub(crate) fn is_in_runtime() -> bool {
    runtime_context::is_driving_tasks()
}

impl Drop for InRuntimeGuard {
    fn drop(&mut self) {
        runtime_context::set_driving_tasks(false);
    }
}

/// Leaves runtime mode while `f` runs (for `block_in_place`, whose closure may block
/// and may call `Handle::block_on`); restores it afterwards, also on unwind.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            runtime_context::set_driving_tasks(self.0);
        }
    }
    let was = runtime_context::set_driving_tasks(false);
    let _reset = Reset(was);
    f()
}

/// Runs `f` with `scheduler` installed as this thread's scheduler context.
pub(crate) fn set_scheduler<R>(scheduler: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<NonNull<scheduler::Context>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = HOT.try_with(|hot| hot.scheduler.set(self.0));
        }
    }
    let previous = HOT.with(|hot| hot.scheduler.replace(Some(NonNull::from(scheduler))));
    let _reset = Reset(previous);
    f()
}

/// Calls `f` with this thread's scheduler context, if one is installed.
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let pointer = HOT.try_with(|hot| hot.scheduler.get()).ok().flatten();
    // SAFETY: the pointer was installed by `set_scheduler` from a reference that
    // outlives the closure it runs, and is reset before that closure returns (also on
    // unwind); this thread is the only one that reads it.
    let scheduler = pointer.map(|pointer| unsafe { pointer.as_ref() });
    f(scheduler)
}
