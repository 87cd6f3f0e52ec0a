//! Task ids: unique among all tasks alive in the process, never reused while the
//! process runs (a 64-bit counter does not wrap in practice).

use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opaque id that names one task, unique among the tasks of this process.
///
/// Obtain it from [`JoinHandle::id`](crate::task::JoinHandle::id),
/// [`AbortHandle::id`](crate::task::AbortHandle::id), or, inside the task, from
/// [`task::id()`](crate::task::id).
///
/// ```
/// let rt = spindle_executor::runtime::Runtime::new().unwrap();
/// let handle = rt.spawn(async { spindle_executor::task::id() });
/// let id_inside = rt.block_on(async { handle.await.unwrap() });
/// assert_ne!(id_inside.to_string(), "");
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let raw = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        match NonZeroU64::new(raw) {
            Some(id) => Id(id),
            // 2^64 spawns would take centuries; treat it as the corruption it is.
            None => std::process::abort(),
        }
    }

    pub(crate) fn as_u64(self) -> u64 {
        self.0.get()
    }

    pub(crate) fn from_u64(raw: u64) -> Option<Id> {
        NonZeroU64::new(raw).map(Id)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of the task that is running on this thread.
///
/// # Panics
///
/// Panics when called outside a task (for example from `block_on`'s own future, or a
/// plain thread); use [`try_id`] to get `None` there instead.
///
/// ```
/// use spindle_executor::{runtime::Runtime, task};
///
/// let rt = Runtime::new().unwrap();
/// let handle = rt.spawn(async { task::id() });
/// let id = rt.block_on(handle).unwrap();
/// assert_eq!(id, handle_id(&rt, id));
/// # fn handle_id(_: &Runtime, id: task::Id) -> task::Id { id }
/// ```
#[track_caller]
pub fn id() -> Id {
    match try_id() {
        Some(id) => id,
        None => panic!(
            "spindle::task::id() called outside a task: call it from inside a future passed \
             to spindle::spawn, or use spindle::task::try_id() which returns None here"
        ),
    }
}

/// The id of the task running on this thread, or `None` outside any task.
///
/// ```
/// assert!(spindle_executor::task::try_id().is_none());
/// ```
pub fn try_id() -> Option<Id> {
    crate::runtime::context::current_task_id()
}
