//! smol: an `async_executor::Executor` run by N plain threads (as `smol::spawn`'s
//! global executor does, but with the worker count set like the other runtimes),
//! `async-io` for timers, and the smol family's idiomatic primitives: async-channel,
//! async-lock, async-broadcast, event-listener and `blocking::unblock`.
//!
//! Where smol's API differs in shape from tokio's, a thin wrapper here gives it
//! tokio's shape, so the workload code is the same text for every runtime. The
//! wrappers add no allocation and no synchronisation of their own.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll};
use std::thread;

use smol::{Executor, Task};

pub use smol::future::yield_now;

thread_local! {
    /// The executor `spawn` targets: set on the worker threads and inside `block_on`,
    /// the way tokio's context is, because smol has no ambient "current executor".
    static CURRENT: RefCell<Option<StdArc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// N threads running one executor until the runtime is dropped.
pub struct Runtime {
    executor: StdArc<Executor<'static>>,
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Runtime {
    pub fn new(workers: usize) -> Runtime {
        let executor = StdArc::new(Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|n| {
                let executor = executor.clone();
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("smol-{n}"))
                    .spawn(move || {
                        CURRENT.with(|current| *current.borrow_mut() = Some(executor.clone()));
                        // `async_io::block_on` also drives the reactor (timers, IO)
                        // while the executor has nothing to run.
                        let _ = smol::block_on(executor.run(stopped.recv()));
                    })
                    .expect("spawn smol worker")
            })
            .collect();
        Runtime {
            executor,
            stop: Some(stop),
            threads,
        }
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let previous = CURRENT.with(|current| current.borrow_mut().replace(self.executor.clone()));
        let output = smol::block_on(future);
        CURRENT.with(|current| *current.borrow_mut() = previous);
        output
    }

    /// Spawns from outside the runtime.
    pub fn spawn<F>(&self, future: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Join(Some(self.executor.spawn(future)))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Closing the channel ends every worker's `run`.
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Spawns onto the current runtime, from a task or `block_on`.
pub fn spawn<F>(future: F) -> Join<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    CURRENT.with(|current| {
        let current = current.borrow();
        let executor = current
            .as_ref()
            .expect("smol spawn outside the bench runtime");
        Join(Some(executor.spawn(future)))
    })
}

pub fn spawn_blocking<F, R>(work: F) -> Join<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Join(Some(smol::unblock(work)))
}

/// Timers: `async_io::Timer`.
pub fn sleep(duration: std::time::Duration) -> smol::Timer {
    smol::Timer::after(duration)
}

/// A `Task` that detaches on drop, as tokio's `JoinHandle` does (a dropped smol
/// `Task` cancels its future instead).
pub struct Join<T>(Option<Task<T>>);

impl<T> Join<T> {
    pub fn detach(mut self) {
        if let Some(task) = self.0.take() {
            task.detach();
        }
    }
}

impl<T> Drop for Join<T> {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.detach();
        }
    }
}

impl<T> Future for Join<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(self.0.as_mut().expect("polled after completion")).poll(cx)
    }
}

/// A oneshot is an async-channel of capacity 1, smol's usual stand-in.
pub mod oneshot {
    use super::*;

    pub struct Sender<T>(smol::channel::Sender<T>);

    pin_project_lite::pin_project! {
        /// async-channel's receiver holds its listener pinned in place, so this
        /// wrapper is polled through a pin projection rather than boxed.
        pub struct Receiver<T> {
            #[pin]
            inner: smol::channel::Receiver<T>,
        }
    }

    pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
        let (tx, rx) = smol::channel::bounded(1);
        (Sender(tx), Receiver { inner: rx })
    }

    impl<T> Sender<T> {
        pub fn send(self, value: T) -> Result<(), T> {
            self.0.try_send(value).map_err(|error| error.into_inner())
        }
    }

    impl<T> Future for Receiver<T> {
        type Output = Result<T, smol::channel::RecvError>;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            smol::stream::Stream::poll_next(self.project().inner, cx)
                .map(|value| value.ok_or(smol::channel::RecvError))
        }
    }
}

/// A bounded mpsc is a bounded async-channel.
pub mod mpsc {
    pub struct Sender<T>(smol::channel::Sender<T>);
    pub struct Receiver<T>(smol::channel::Receiver<T>);

    pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
        let (tx, rx) = smol::channel::bounded(capacity);
        (Sender(tx), Receiver(rx))
    }

    impl<T> Clone for Sender<T> {
        fn clone(&self) -> Self {
            Sender(self.0.clone())
        }
    }

    impl<T> Sender<T> {
        pub fn send(&self, value: T) -> smol::channel::Send<'_, T> {
            self.0.send(value)
        }
    }

    impl<T> Receiver<T> {
        pub async fn recv(&mut self) -> Option<T> {
            self.0.recv().await.ok()
        }
    }
}

pub use smol::lock::Mutex;

/// async-broadcast, with tokio's non-blocking `send` (the workloads never fill
/// the channel, so `try_broadcast` always succeeds) and `subscribe`.
pub mod broadcast {
    pub use async_broadcast::Receiver;

    pub struct Sender<T>(async_broadcast::Sender<T>);

    pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
        let (tx, rx) = async_broadcast::broadcast(capacity);
        (Sender(tx), rx)
    }

    impl<T: Clone> Sender<T> {
        pub fn send(&self, value: T) -> Result<usize, async_broadcast::TrySendError<T>> {
            self.0.try_broadcast(value).map(|_| self.0.receiver_count())
        }

        pub fn subscribe(&self) -> Receiver<T> {
            self.0.new_receiver()
        }
    }
}

/// tokio's `Notify` (one stored permit, `notify_one`) built the event-listener
/// way: a flag, and an `Event` to wait for it to change.
pub struct Notify {
    permit: std::sync::atomic::AtomicBool,
    event: event_listener::Event,
}

impl Notify {
    pub fn new() -> Notify {
        Notify {
            permit: std::sync::atomic::AtomicBool::new(false),
            event: event_listener::Event::new(),
        }
    }

    pub fn notify_one(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.permit.store(true, SeqCst);
        self.event.notify(1);
    }

    pub async fn notified(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        loop {
            if self.permit.swap(false, SeqCst) {
                return;
            }
            let listener = self.event.listen();
            // Re-check after registering, or a notify between the check and the
            // `listen` would be lost.
            if self.permit.swap(false, SeqCst) {
                return;
            }
            listener.await;
        }
    }
}

crate::workloads!();
crate::timer_workloads!();

/// IO: `smol::net`, with the read/write extension traits of its streams.
pub use smol::io::{AsyncReadExt, AsyncWriteExt};
pub use smol::net::{TcpListener, TcpStream, UdpSocket};

crate::io_workloads!();

/// Every workload smol runs.
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    let mut all = core_workloads();
    all.extend(timer_workloads());
    all.extend(io_workloads());
    all
}
