//! Tasks: the unit of work the schedulers run.
//!
//! A task is one heap cell (`cell`) holding its future, its scheduler and its join
//! waker, governed by one atomic state word (`state`). The scheduler only ever sees
//! two kinds of reference to it: a `Notified`, which means "poll me", and a `Task`,
//! which is the owned list's claim used to cancel it at shutdown. Users see
//! [`JoinHandle`] and [`AbortHandle`].

mod abort;
mod block_in_place;
mod builder;
pub(crate) mod cell;
pub mod coop;
mod error;
mod group;
mod harness;
mod id;
mod join;
mod join_set;
pub(crate) mod list;
mod local;
mod site;
mod spawn;
pub(crate) mod state;
mod task_local;
mod waker;
mod yield_now;

use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;

pub use abort::AbortHandle;
pub use block_in_place::block_in_place;
pub use builder::{name, Builder};
pub(crate) use error::Failure;
pub use error::JoinError;
pub use group::{TaskGroup, TaskGroupError};
pub use id::{id, try_id, Id};
pub use join::JoinHandle;
pub use join_set::JoinSet;
pub use local::{spawn_local, LocalEnterGuard, LocalSet};
pub use spawn::{spawn, spawn_blocking};
pub use spindle_sync::coop::{consume_budget, unconstrained, Unconstrained};
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use yield_now::yield_now;

/// The futures this module's functions return, at tokio's `task::futures` path.
pub mod futures {
    pub use super::task_local::TaskLocalFuture;
}

use cell::{Cell, Header, Schedule};

/// An untyped pointer to a task cell; holding one says nothing about references.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    header: NonNull<Header>,
}

impl RawTask {
    pub(crate) fn from_header(header: NonNull<Header>) -> RawTask {
        RawTask { header }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a `RawTask` is only made from a live cell and only used while a
        // reference (held by its owner) keeps the cell alive.
        unsafe { self.header.as_ref() }
    }
}

/// A task's one "poll me" reference. Running it hands the reference to the harness;
/// dropping it unrun just releases the reference.
pub(crate) struct Notified(RawTask);

// SAFETY: a `Notified` only ever runs the future through the state machine, which
// gives one thread at a time exclusive access. Futures spawned on the runtime are
// `Send`; a `LocalSet`'s `!Send` futures travel only as references and are polled and
// dropped on the set's own thread (see `local.rs`).
unsafe impl Send for Notified {}

impl Notified {
    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }

    /// Cancels the task without running it, consuming this reference.
    pub(crate) fn shutdown(self) {
        let header = self.0.header;
        std::mem::forget(self);
        // SAFETY: the cell is alive and we hand our reference to `shutdown`.
        unsafe { (header.as_ref().vtable.shutdown)(header) };
    }

    /// Polls (or cancels) the task on this thread.
    pub(crate) fn run(self) {
        let header = self.0.header;
        std::mem::forget(self);
        // SAFETY: the cell is alive (we held a reference) and we hand that reference
        // over as the `Notified` the harness expects.
        unsafe { (header.as_ref().vtable.run)(header) };
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        release_reference(self.0);
    }
}

/// The owned list's reference to a task, used to cancel it at shutdown.
pub(crate) struct Task(RawTask);

// SAFETY: as for `Notified`: the state machine serialises access to the future.
unsafe impl Send for Task {}
// SAFETY: `&Task` only reads the header's atomics and immutable fields.
unsafe impl Sync for Task {}

impl Task {
    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.0
    }

    /// A snapshot of the task for the live task list; the owned list passes the busy
    /// time it keeps for the task.
    pub(crate) fn info(&self, busy_millis: u32) -> crate::runtime::TaskInfo {
        use crate::runtime::TaskState;
        let header = self.header();
        let state = header.state.load();
        let state = if state.is_complete() {
            TaskState::Finished
        } else if state.is_running() && header.progress.is_blocking() {
            TaskState::Blocking
        } else if state.is_running() {
            TaskState::Running
        } else if state.is_notified() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        crate::runtime::TaskInfo {
            id: header.id,
            name: header.site.name().cloned(),
            spawned_at: header.site.location(),
            state,
            polls: header.progress.count(),
            busy: std::time::Duration::from_millis(u64::from(busy_millis)),
            age: std::time::Duration::from_nanos(
                cell::clock_nanos().saturating_sub(header.spawned_nanos),
            ),
        }
    }

    /// Cancels the task for runtime shutdown, unless it is running elsewhere (then it
    /// is marked and cancels itself when its poll returns).
    pub(crate) fn shutdown(self) {
        let header = self.0.header;
        std::mem::forget(self);
        // SAFETY: the cell is alive and we hand our reference to `shutdown`.
        unsafe { (header.as_ref().vtable.shutdown)(header) };
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        release_reference(self.0);
    }
}

fn release_reference(raw: RawTask) {
    let header = raw.header();
    if header.state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(raw.header) };
    }
}

/// What identifies a task: its id, optional name, and where it was spawned.
pub(crate) struct SpawnMeta {
    pub(crate) id: Id,
    pub(crate) name: Option<std::sync::Arc<str>>,
    pub(crate) spawned_at: &'static Location<'static>,
}

impl SpawnMeta {
    /// A fresh id for an unnamed task spawned at `spawned_at`.
    pub(crate) fn new(spawned_at: &'static Location<'static>) -> SpawnMeta {
        SpawnMeta {
            id: Id::next(),
            name: None,
            spawned_at,
        }
    }
}

/// Allocates a task for a scheduler with an owned list: returns the list's reference,
/// the first `Notified` and the `JoinHandle`.
pub(crate) fn new_owned_task<F, S>(
    future: F,
    scheduler: S,
    meta: SpawnMeta,
) -> (Task, Notified, JoinHandle<F::Output>)
where
    F: Future + 'static,
    S: Schedule,
{
    let header = Cell::allocate(future, scheduler, meta, 3, harness::vtable::<F, S>());
    let raw = RawTask::from_header(header);
    (Task(raw), Notified(raw), JoinHandle::new(raw))
}

/// Allocates a task for a scheduler with an owned list, moving `scheduler` into it,
/// and hands `submit` a borrow of that scheduler with the list's reference and the
/// first `Notified`; returns the `JoinHandle`.
///
/// The borrow saves the spawn path a clone and a drop of the scheduler handle (two
/// atomic read-modify-writes for an `Arc`): the caller's handle is moved into the cell,
/// and `submit` still reaches it there.
pub(crate) fn spawn_owned_task<F, S>(
    future: F,
    scheduler: S,
    meta: SpawnMeta,
    submit: impl FnOnce(&S, Task, Notified),
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    S: Schedule,
{
    let header = Cell::allocate(future, scheduler, meta, 3, harness::vtable::<F, S>());
    let raw = RawTask::from_header(header);
    let join = JoinHandle::new(raw);
    // SAFETY: `header` is the head of the `Cell<F, S>` just allocated (`repr(C)`, header
    // first). The cell lives at least as long as `join`, one of its references, which
    // this function holds until `submit` has returned; its `scheduler` field is written
    // once, at allocation, and dropped only with the cell, and only ever read through
    // shared references.
    let scheduler = unsafe { &header.cast::<Cell<F, S>>().as_ref().core.scheduler };
    submit(scheduler, Task(raw), Notified(raw));
    join
}

/// Allocates a task that no owned list tracks (blocking-pool tasks): returns the
/// first `Notified` and the `JoinHandle`.
pub(crate) fn new_unowned_task<F, S>(
    future: F,
    scheduler: S,
    meta: SpawnMeta,
) -> (Notified, JoinHandle<F::Output>)
where
    F: Future + 'static,
    S: Schedule,
{
    let header = Cell::allocate(future, scheduler, meta, 2, harness::vtable::<F, S>());
    let raw = RawTask::from_header(header);
    (Notified(raw), JoinHandle::new(raw))
}
