//! `AbortHandle`: cancel a task without owning its output.

use std::fmt;

use super::{Id, RawTask};

/// Cancels a task from anywhere without being able to await it. Obtained from
/// [`JoinHandle::abort_handle`](crate::task::JoinHandle::abort_handle); dropping it
/// does nothing to the task.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = spindle_executor::spawn(std::future::pending::<()>());
///     let abort = handle.abort_handle();
///     abort.abort();
///     assert!(handle.await.unwrap_err().is_cancelled());
///     assert!(abort.is_finished());
/// });
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: an `AbortHandle` only touches the cell's atomic state and hands a
// `Notified` to the task's (thread-safe) scheduler.
unsafe impl Send for AbortHandle {}
// SAFETY: as above; `&AbortHandle` offers nothing more than `AbortHandle`.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// Takes a new reference to the task.
    pub(crate) fn new(raw: RawTask) -> AbortHandle {
        raw.header().state.ref_inc();
        AbortHandle { raw }
    }

    /// Cancels the task. An idle task has its future dropped on its worker soon after;
    /// a running task is cancelled when its current poll returns. Its `JoinHandle` then
    /// yields a cancelled `JoinError`. Does nothing to a task that already finished.
    pub fn abort(&self) {
        abort_task(self.raw);
    }

    /// True once the task has finished (completed, panicked or been cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.header().id
    }
}

/// Requests cancellation of the task behind `raw`.
pub(crate) fn abort_task(raw: RawTask) {
    let header = raw.header();
    if header.state.transition_to_notified_and_cancel() {
        // SAFETY: the transition added the reference the `Notified` carries.
        unsafe { (header.vtable.schedule)(std::ptr::NonNull::from(header)) };
    }
}

// Its only operations are atomic transitions of the task's state word.
impl std::panic::UnwindSafe for AbortHandle {}
impl std::panic::RefUnwindSafe for AbortHandle {}

impl Clone for AbortHandle {
    fn clone(&self) -> Self {
        AbortHandle::new(self.raw)
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        let header = self.raw.header();
        if header.state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { (header.vtable.dealloc)(std::ptr::NonNull::from(header)) };
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
