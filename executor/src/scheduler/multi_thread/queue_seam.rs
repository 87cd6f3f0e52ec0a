//! The seam between the scheduler and its run queues.
//!
//! A normal build uses crossbeam-deque: each worker's `Worker` (FIFO) with its
//! `Stealer`, and the shared `Injector`. crossbeam's lock-free deques cannot run under
//! loom (their atomics and epoch GC are std's, invisible to the model checker), so under
//! `cfg(loom)` a stand-in with the same names, methods and batch sizes takes their
//! place: a loom mutex around a `VecDeque`. The worker loop, its stealing, and the
//! notify/park protocol around the queues then run unchanged inside a loom model, and
//! every queue access is a point where loom may switch threads.
//!
//! The stand-in never returns `Steal::Retry` (a loom thread must not spin waiting for
//! another), so the scheduler's retry arms are not explored; they only loop back to the
//! same steal.

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker as LocalQueue};

#[cfg(loom)]
pub(crate) use stand_in::{Injector, LocalQueue, Steal, Stealer};

#[cfg(loom)]
pub(crate) mod stand_in {
    use std::collections::VecDeque;
    use std::sync::Arc;

    use spindle_loom_shim::Mutex;

    /// crossbeam-deque's cap on one batch steal.
    const MAX_BATCH: usize = 32;

    /// The outcome of a steal, as crossbeam-deque's `Steal`.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum Steal<T> {
        /// The queue was empty.
        Empty,
        /// One task was taken (and, for a batch steal, more moved to the destination).
        Success(T),
        /// Never produced by the stand-in; present so the scheduler's match compiles.
        #[allow(dead_code)]
        Retry,
    }

    type Shared<T> = Arc<Mutex<VecDeque<T>>>;

    /// A worker's own FIFO queue: the owner pushes to the back and pops the front.
    pub(crate) struct LocalQueue<T> {
        queue: Shared<T>,
    }

    /// Steals from the front of one worker's queue, from any thread.
    pub(crate) struct Stealer<T> {
        queue: Shared<T>,
    }

    /// The shared queue every remote wake pushes to.
    pub(crate) struct Injector<T> {
        queue: Mutex<VecDeque<T>>,
    }

    impl<T> LocalQueue<T> {
        pub(crate) fn new_fifo() -> LocalQueue<T> {
            LocalQueue {
                queue: Arc::new(Mutex::new(VecDeque::new())),
            }
        }

        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer {
                queue: self.queue.clone(),
            }
        }

        pub(crate) fn push(&self, task: T) {
            self.queue.lock().push_back(task);
        }

        pub(crate) fn pop(&self) -> Option<T> {
            self.queue.lock().pop_front()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }

        /// Moves a stolen batch in. The source's lock is already released, so two
        /// workers stealing from each other never hold both locks.
        fn append(&self, batch: VecDeque<T>) {
            if !batch.is_empty() {
                self.queue.lock().extend(batch);
            }
        }
    }

    /// Takes `take` tasks from the front of `source`: the first to return, the rest
    /// for the destination.
    fn split_front<T>(source: &mut VecDeque<T>, take: usize) -> Option<(T, VecDeque<T>)> {
        let first = source.pop_front()?;
        let rest = source.drain(..take.saturating_sub(1)).collect();
        Some((first, rest))
    }

    impl<T> Stealer<T> {
        /// Steals half of the queue (rounded up, at most `MAX_BATCH`), as crossbeam
        /// does: one task is returned, the rest go to `dest`.
        pub(crate) fn steal_batch_and_pop(&self, dest: &LocalQueue<T>) -> Steal<T> {
            if Arc::ptr_eq(&self.queue, &dest.queue) {
                return dest.pop().map_or(Steal::Empty, Steal::Success);
            }
            let stolen = {
                let mut source = self.queue.lock();
                let take = 1 + ((source.len().max(1) - 1) / 2).min(MAX_BATCH - 1);
                split_front(&mut source, take)
            };
            match stolen {
                Some((first, rest)) => {
                    dest.append(rest);
                    Steal::Success(first)
                }
                None => Steal::Empty,
            }
        }

        pub(crate) fn len(&self) -> usize {
            self.queue.lock().len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Injector<T> {
            Injector {
                queue: Mutex::new(VecDeque::new()),
            }
        }

        pub(crate) fn push(&self, task: T) {
            self.queue.lock().push_back(task);
        }

        /// Takes one task.
        pub(crate) fn steal(&self) -> Steal<T> {
            self.queue
                .lock()
                .pop_front()
                .map_or(Steal::Empty, Steal::Success)
        }

        /// Takes half of the queue (rounded up), at most `limit` tasks, as crossbeam
        /// does: one task is returned, the rest go to `dest`.
        pub(crate) fn steal_batch_with_limit_and_pop(
            &self,
            dest: &LocalQueue<T>,
            limit: usize,
        ) -> Steal<T> {
            let stolen = {
                let mut source = self.queue.lock();
                let take = source.len().div_ceil(2).min(limit.max(1));
                split_front(&mut source, take)
            };
            match stolen {
                Some((first, rest)) => {
                    dest.append(rest);
                    Steal::Success(first)
                }
                None => Steal::Empty,
            }
        }

        pub(crate) fn len(&self) -> usize {
            self.queue.lock().len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }
    }
}
