//! `JoinHandle`: await a task's output, or abort it.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use super::abort::abort_task;
use super::{AbortHandle, Id, JoinError, RawTask};

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] when the task panicked or was
/// cancelled. Dropping it detaches the task: it keeps running, and its output is
/// dropped when it finishes.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let handle = spindle_executor::spawn(async { 6 * 7 });
///     handle.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle moves the output `T` between threads, so it is `Send` when `T`
// is; everything else it touches is the cell's atomic state.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` gives access only to `abort`, `is_finished` and `id`, which
// use the atomic state and never touch the output.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}
// A panic while awaiting leaves the handle as it was: the output is taken out of the
// cell only by a poll that returns it.
impl<T> std::panic::UnwindSafe for JoinHandle<T> {}
impl<T> std::panic::RefUnwindSafe for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Cancels the task; awaiting this handle then gives a cancelled [`JoinError`],
    /// unless the task finished first.
    ///
    /// ```
    /// use spindle_executor::runtime::Runtime;
    ///
    /// let rt = Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = spindle_executor::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        abort_task(self.raw);
    }

    /// True once the task has finished: completed, panicked or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// An [`AbortHandle`] that can cancel the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(self.raw)
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.header().id
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let budget = std::task::ready!(spindle_sync::coop::poll_proceed(cx));
        let mut output: Poll<Result<T, JoinError>> = Poll::Pending;
        let header = self.raw.header();
        // SAFETY: this handle owns the join reference and `output` has the type that
        // the cell's `F::Output` was erased from (the handle was created with it).
        unsafe {
            (header.vtable.try_read_output)(
                NonNull::from(header),
                (&mut output as *mut Poll<Result<T, JoinError>>).cast(),
                cx.waker(),
            );
        }
        if output.is_ready() {
            budget.made_progress();
        }
        output
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let header = self.raw.header();
        // One compare-and-swap for a handle dropped while its task runs on; the
        // cell's typed code only when there is an output or a join waker to drop.
        if header.state.drop_join_handle_fast() {
            return;
        }
        // SAFETY: this handle owns the join reference and gives it up here.
        unsafe { (header.vtable.drop_join_handle)(NonNull::from(header)) };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Waker};

    use crate::runtime::Builder;

    /// Counts its drops.
    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_join_handle_polled_again_after_its_output_panics_and_the_output_drops_once() {
        let rt = Builder::new_current_thread().build().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Counted(drops.clone());
        let mut handle = rt.spawn(async move { output });
        let output = rt.block_on(&mut handle).unwrap();
        drop(output);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let mut cx = Context::from_waker(Waker::noop());
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = Pin::new(&mut handle).poll(&mut cx);
        }));
        assert!(
            again.is_err(),
            "a second read must panic, not read the output again"
        );
        drop(handle);
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_unread_output_drops_once_with_the_handle() {
        let rt = Builder::new_current_thread().build().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = Counted(drops.clone());
        let handle = rt.spawn(async move { output });
        // Run the task to completion without reading its output.
        rt.block_on(async {
            while !handle.is_finished() {
                crate::task::yield_now().await;
            }
        });
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(handle);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
