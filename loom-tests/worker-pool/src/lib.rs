//! A user's crate, written the way an application would write it: a bounded worker
//! pool built on `spindle::sync::{Semaphore, Mutex}`, and a loom model of it in
//! `tests/model.rs`.
//!
//! It is here to show what `RUSTFLAGS="--cfg loom"` gives a spindle user: with that
//! flag, spindle's sync primitives are built on loom's atomics, locks and cells, so a
//! loom model of *this* crate also explores every interleaving inside the semaphore
//! and the mutex it uses. The crate's own shim (below) is the only loom-specific code a
//! user writes: which `thread` and which `block_on` to use.
//!
//! The pool runs at most `capacity` jobs at once, each on its own thread. A job holds
//! a semaphore permit from submission until its result is recorded;
//! [`Pool::wait_idle`] takes every permit, so when it returns, every submitted job's
//! result is in the list. [`Pool::with_planted_bug`] builds the same pool with the
//! permit released *before* the result is recorded: `wait_idle` can then return a list
//! that misses a finished job. An ordinary test run almost never hits that window;
//! the loom model finds it at once (see `loom-tests/README.md` for both outputs).

#![deny(missing_docs)]

use std::sync::Arc;

use spindle::sync::{Mutex, Semaphore};

/// Threads and blocking waits, from loom under `--cfg loom` and from std otherwise:
/// the one piece of the user's code that knows about loom.
mod shim {
    #[cfg(loom)]
    pub(crate) use loom::thread;
    #[cfg(not(loom))]
    pub(crate) use std::thread;
}

/// A pool that runs at most `capacity` jobs at a time and collects their results.
pub struct Pool {
    capacity: u32,
    permits: Arc<Semaphore>,
    results: Arc<Mutex<Vec<u64>>>,
    release_before_record: bool,
}

impl Pool {
    /// A pool running at most `capacity` jobs at once.
    ///
    /// # Panics
    ///
    /// Panics when `capacity` is 0: such a pool could never run a job.
    pub fn new(capacity: u32) -> Pool {
        assert!(capacity > 0, "Pool::new(0): a pool needs room for one job");
        Pool {
            capacity,
            permits: Arc::new(Semaphore::new(capacity as usize)),
            results: Arc::new(Mutex::new(Vec::new())),
            release_before_record: false,
        }
    }

    /// The same pool with the planted bug: a job gives its permit back before it
    /// records its result.
    pub fn with_planted_bug(capacity: u32) -> Pool {
        Pool {
            release_before_record: true,
            ..Pool::new(capacity)
        }
    }

    /// Waits for room, then runs `job` on a thread of its own.
    pub async fn submit(&self, job: impl FnOnce() -> u64 + Send + 'static) {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the pool never closes its semaphore");
        let results = self.results.clone();
        let release_before_record = self.release_before_record;
        shim::thread::spawn(move || {
            let result = job();
            if release_before_record {
                // THE PLANTED BUG: from here, `wait_idle` may take every permit and
                // read the results before this one is in.
                drop(permit);
                results.blocking_lock().push(result);
            } else {
                results.blocking_lock().push(result);
                drop(permit);
            }
        });
    }

    /// Waits until no job is running, then returns every result recorded so far.
    pub async fn wait_idle(&self) -> Vec<u64> {
        let _all = self
            .permits
            .acquire_many(self.capacity)
            .await
            .expect("the pool never closes its semaphore");
        self.results.lock().await.clone()
    }
}
