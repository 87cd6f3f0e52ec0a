//! A minimal `block_on` for the `blocking_*` methods (`blocking_lock`, `blocking_recv`,
//! `blocking_send`, ...), which let synchronous code wait on an async primitive.
//!
//! It parks the calling thread until the future's waker unparks it. It is private on
//! purpose: it knows nothing of runtimes beyond the flag of [`runtime_context`]: on a
//! thread that drives async tasks it panics (at the caller's line, through
//! `#[track_caller]` on it and on every public `blocking_*` method) rather than park a
//! thread other tasks need. Under loom it is loom's own `block_on`, so a model can
//! exercise these paths.
//!
//! [`runtime_context`]: crate::runtime_context

use std::future::Future;

/// Panics if the current thread drives async tasks (see `runtime_context`).
#[track_caller]
fn refuse_on_runtime_thread() {
    if crate::runtime_context::is_driving_tasks() {
        panic!("{}", crate::runtime_context::CANNOT_BLOCK);
    }
}

#[cfg(not(loom))]
#[track_caller]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    refuse_on_runtime_thread();
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::thread::Thread;

    struct ThreadWaker(Thread);

    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // A spurious unpark only costs another poll.
        std::thread::park();
    }
}

#[cfg(loom)]
#[track_caller]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    refuse_on_runtime_thread();
    loom::future::block_on(future)
}
