//! The adapter for runtimes that spell tokio's API: tokio itself and spindle, whose
//! public API mirrors tokio's. One macro generates both, so the only difference
//! between their benchmark code is the crate name.

/// Generates an adapter module body for a crate with tokio's paths and names.
macro_rules! tokio_like_adapter {
    ($krate:ident) => {
        use std::future::Future;
        use std::pin::Pin;
        use std::task::{Context, Poll};

        pub use $krate::sync::{broadcast, mpsc, oneshot, Mutex, Notify};
        pub use $krate::task::yield_now;

        /// A multi-thread runtime with a fixed worker count, timers and IO enabled.
        pub struct Runtime(pub $krate::runtime::Runtime);

        impl Runtime {
            pub fn new(workers: usize) -> Runtime {
                let rt = $krate::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .enable_all()
                    .build()
                    .expect("build runtime");
                Runtime(rt)
            }

            pub fn block_on<F: Future>(&self, future: F) -> F::Output {
                self.0.block_on(future)
            }

            /// Spawns from outside the runtime (the "remote" spawn of tokio's benches).
            pub fn spawn<F>(&self, future: F) -> Join<F::Output>
            where
                F: Future + Send + 'static,
                F::Output: Send + 'static,
            {
                Join(self.0.spawn(future))
            }
        }

        /// Spawns onto the current runtime, from a task or `block_on`.
        pub fn spawn<F>(future: F) -> Join<F::Output>
        where
            F: Future + Send + 'static,
            F::Output: Send + 'static,
        {
            Join($krate::spawn(future))
        }

        pub fn spawn_blocking<F, R>(work: F) -> Join<R>
        where
            F: FnOnce() -> R + Send + 'static,
            R: Send + 'static,
        {
            Join($krate::task::spawn_blocking(work))
        }

        /// A join handle whose output is the task's value: every workload's tasks
        /// succeed, and unwrapping here keeps the workload code identical to smol's,
        /// whose `Task` has no error case.
        pub struct Join<T>($krate::task::JoinHandle<T>);

        impl<T> Join<T> {
            /// Lets the task run on unobserved (dropping a handle detaches it here).
            pub fn detach(self) {}
        }

        impl<T> Future for Join<T> {
            type Output = T;

            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
                Pin::new(&mut self.0)
                    .poll(cx)
                    .map(|result| result.expect("benchmark task failed"))
            }
        }
    };
}
