//! A minimal `block_on` for the `blocking_*` methods (`blocking_lock`, `blocking_recv`,
//! `blocking_send`, ...), which let synchronous code wait on an async primitive.
//!
//! It parks the calling thread until the future's waker unparks it. It is private on
//! purpose: it knows nothing of runtimes, and calling it from inside an async task
//! would block that task's worker thread, which is why the public methods say so.
//! Under loom it is loom's own `block_on`, so a model can exercise these paths.

use std::future::Future;

#[cfg(not(loom))]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
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
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    loom::future::block_on(future)
}
