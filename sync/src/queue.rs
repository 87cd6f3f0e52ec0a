//! asyncio's `Queue`, beyond tokio: a bounded multi-producer, multi-consumer work
//! queue whose producers can `join` until every item has been processed.
//!
//! Two FIFO [`Semaphore`]s carry the waiting: `items` holds one permit per queued
//! item, `free_slots` one per empty slot (absent when `maxsize` is 0, i.e. unbounded).
//! `put` takes a slot, pushes, then adds an item permit; `get` takes an item permit,
//! pops, then adds a slot. So getters and putters are each served in arrival order,
//! and a dropped `get`/`put` future gives its place (and any permit handed to it) on,
//! exactly as with the semaphore. Invariant: the number of item permits never exceeds
//! the queue's length, so a getter holding one always finds an item.
//!
//! The *unfinished* count goes up with every put and down with every
//! [`task_done`](Queue::task_done); `join` waits for it to reach zero.

use std::collections::VecDeque;
use std::fmt;

use crate::notify::Notify;
use crate::semaphore::{Acquire, Semaphore, TryAcquireError};
use spindle_loom_shim::Mutex;

/// Error returned by [`Queue::try_put`] when the queue is full; the item is given back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct QueueFull<T>(pub T);

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueFull").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is full")
    }
}

impl<T> std::error::Error for QueueFull<T> {}

/// Error returned by [`Queue::try_get`] when the queue is empty.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct QueueEmpty;

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is empty")
    }
}

impl std::error::Error for QueueEmpty {}

/// A work queue with asyncio's semantics: bounded `put`/`get`, plus `task_done` and
/// `join` to wait until every item put has been processed.
///
/// ```
/// use std::sync::Arc;
/// use spindle_sync::queue::Queue;
///
/// let queue = Arc::new(Queue::new(2));
/// let worker = {
///     let queue = Arc::clone(&queue);
///     std::thread::spawn(move || {
///         futures::executor::block_on(async {
///             for _ in 0..3 {
///                 let job: u32 = queue.get().await;
///                 assert!(job < 3);
///                 queue.task_done();
///             }
///         })
///     })
/// };
/// futures::executor::block_on(async {
///     for job in 0..3 {
///         queue.put(job).await;
///     }
///     queue.join().await; // every job was taken *and* marked done
/// });
/// worker.join().expect("worker panicked");
/// ```
pub struct Queue<T> {
    maxsize: usize,
    state: Mutex<QueueState<T>>,
    items: Semaphore,
    free_slots: Option<Semaphore>,
    all_done: Notify,
}

struct QueueState<T> {
    items: VecDeque<T>,
    unfinished: usize,
}

impl<T> Queue<T> {
    /// Creates a queue holding at most `maxsize` items; `0` means unbounded, as in
    /// asyncio.
    ///
    /// # Panics
    ///
    /// Panics if `maxsize` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(maxsize: usize) -> Self {
        assert!(
            maxsize <= Semaphore::MAX_PERMITS,
            "Queue::new: maxsize {maxsize} exceeds Semaphore::MAX_PERMITS; use 0 for unbounded"
        );
        Queue {
            maxsize,
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                unfinished: 0,
            }),
            items: Semaphore::new(0),
            free_slots: (maxsize > 0).then(|| Semaphore::new(maxsize)),
            all_done: Notify::new(),
        }
    }

    /// Creates an unbounded queue.
    pub fn unbounded() -> Self {
        Queue::new(0)
    }

    /// Puts `item` at the back, waiting for a free slot while the queue is full.
    ///
    /// Cancel safe: if the future is dropped before it completes, the item was not
    /// put (it is dropped with the future) and the slot it waited for goes to the
    /// next putter.
    pub async fn put(&self, item: T) {
        if let Some(slots) = &self.free_slots {
            if Acquire::new(slots, 1).await.is_err() {
                unreachable!("a Queue's slot semaphore is never closed");
            }
        }
        self.push(item);
    }

    /// Puts `item` if there is a free slot right now.
    pub fn try_put(&self, item: T) -> Result<(), QueueFull<T>> {
        if let Some(slots) = &self.free_slots {
            if let Err(TryAcquireError::NoPermits | TryAcquireError::Closed) = slots.try_take(1) {
                return Err(QueueFull(item));
            }
        }
        self.push(item);
        Ok(())
    }

    /// Takes the item at the front, waiting while the queue is empty.
    ///
    /// Cancel safe: if the future is dropped before it completes, no item was taken.
    pub async fn get(&self) -> T {
        if Acquire::new(&self.items, 1).await.is_err() {
            unreachable!("a Queue's item semaphore is never closed");
        }
        self.pop()
    }

    /// Takes the item at the front if there is one (and no getter is queued ahead).
    pub fn try_get(&self) -> Result<T, QueueEmpty> {
        self.items.try_take(1).map_err(|_| QueueEmpty)?;
        Ok(self.pop())
    }

    /// Marks one item taken with `get` as processed. When every item put has been
    /// marked, tasks waiting in [`join`](Queue::join) wake.
    ///
    /// # Panics
    ///
    /// Panics if called more times than items were put, as asyncio raises
    /// `ValueError`.
    #[track_caller]
    pub fn task_done(&self) {
        let mut state = self.state.lock();
        if state.unfinished == 0 {
            drop(state);
            panic!("Queue::task_done called more times than items were put");
        }
        state.unfinished -= 1;
        let finished = state.unfinished == 0;
        drop(state);
        if finished {
            self.all_done.notify_waiters();
        }
    }

    /// Waits until every item put has been taken and marked with
    /// [`task_done`](Queue::task_done). Returns at once if none is outstanding.
    ///
    /// Cancel safe.
    pub async fn join(&self) {
        loop {
            let mut notified = std::pin::pin!(self.all_done.notified());
            notified.as_mut().enable();
            if self.state.lock().unfinished == 0 {
                return;
            }
            notified.await;
        }
    }

    /// How many items are queued (asyncio's `qsize`).
    pub fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// Whether no item is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the queue holds `maxsize` items (never true when unbounded).
    pub fn is_full(&self) -> bool {
        self.maxsize > 0 && self.len() >= self.maxsize
    }

    /// The bound given at creation; `0` means unbounded.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// How many items were put but not yet marked done.
    pub fn unfinished_tasks(&self) -> usize {
        self.state.lock().unfinished
    }

    fn push(&self, item: T) {
        let mut state = self.state.lock();
        state.items.push_back(item);
        state.unfinished += 1;
        drop(state);
        self.items.release(1);
    }

    fn pop(&self) -> T {
        let item = self.state.lock().items.pop_front();
        if let Some(slots) = &self.free_slots {
            slots.release(1);
        }
        match item {
            Some(item) => item,
            None => unreachable!("an item permit is only granted for a queued item"),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Queue")
            .field("maxsize", &self.maxsize)
            .field("len", &state.items.len())
            .field("unfinished", &state.unfinished)
            .finish()
    }
}
