//! A user's crate, written the way an application would write it: a bounded worker
//! pool built on `spindle::sync::{Semaphore, Mutex, Notify}`, and a loom model of it in
//! `tests/model.rs`.
//!
//! It is here to show what `RUSTFLAGS="--cfg loom"` gives a spindle user: with that
//! flag, spindle's sync primitives are built on loom's atomics, locks and cells, so a
//! loom model of *this* crate also explores every interleaving inside the semaphore,
//! the mutex and the notify it uses. The crate's own shim (below) is the only
//! loom-specific code a user writes: which `thread` to use.
//!
//! The pool runs at most `capacity` jobs at once, each on its own thread (a semaphore
//! permit per job). A finished job records its result, counts itself out and wakes
//! whoever waits in [`Pool::wait_idle`], which returns every result once no job runs.
//!
//! [`Pool::with_planted_bug`] builds the same pool with the classic lost wake-up in
//! `wait_idle`: it checks "is a job still running?" and only *then* starts listening
//! for the "job finished" notification, so a job that finishes between the two is never
//! heard of and `wait_idle` waits forever. The window is a few instructions wide: an
//! ordinary test run on real threads almost never falls into it, while the loom model
//! finds it at once (see `loom-tests/worker-pool/README.md` for both outputs).

use std::sync::Arc;

use spindle::sync::{Mutex, Notify, Semaphore};

/// Threads from loom under `--cfg loom` and from std otherwise: the one piece of the
/// user's code that knows about loom.
mod shim {
    #[cfg(loom)]
    pub(crate) use loom::thread;
    #[cfg(not(loom))]
    pub(crate) use std::thread;
}

/// What the jobs share: their results, and how many are still running.
#[derive(Default)]
struct Progress {
    results: Vec<u64>,
    running: usize,
}

/// A pool that runs at most `capacity` jobs at a time and collects their results.
pub struct Pool {
    permits: Arc<Semaphore>,
    progress: Arc<Mutex<Progress>>,
    job_finished: Arc<Notify>,
    check_before_listening: bool,
}

impl Pool {
    /// A pool running at most `capacity` jobs at once.
    ///
    /// # Panics
    ///
    /// Panics when `capacity` is 0: such a pool could never run a job.
    pub fn new(capacity: usize) -> Pool {
        assert!(capacity > 0, "Pool::new(0): a pool needs room for one job");
        Pool {
            permits: Arc::new(Semaphore::new(capacity)),
            progress: Arc::new(Mutex::new(Progress::default())),
            job_finished: Arc::new(Notify::new()),
            check_before_listening: false,
        }
    }

    /// The same pool with the planted bug: `wait_idle` checks for running jobs before
    /// it starts listening for their end.
    pub fn with_planted_bug(capacity: usize) -> Pool {
        Pool {
            check_before_listening: true,
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
        self.progress.lock().await.running += 1;
        let progress = self.progress.clone();
        let job_finished = self.job_finished.clone();
        shim::thread::spawn(move || {
            let result = job();
            {
                let mut progress = progress.blocking_lock();
                progress.results.push(result);
                progress.running -= 1;
            }
            job_finished.notify_waiters();
            drop(permit);
        });
    }

    /// Waits until no job is running, then returns every result recorded so far.
    pub async fn wait_idle(&self) -> Vec<u64> {
        loop {
            if self.check_before_listening {
                // THE PLANTED BUG: a job that finishes between this check and the
                // `notified()` below notifies nobody, and the wait never ends.
                if let Some(results) = self.results_if_idle().await {
                    return results;
                }
                self.job_finished.notified().await;
            } else {
                // Listen first, then check: a `Notified` counts every `notify_waiters`
                // made after it was created, so a job finishing after the check still
                // wakes this wait.
                let finished = self.job_finished.notified();
                if let Some(results) = self.results_if_idle().await {
                    return results;
                }
                finished.await;
            }
        }
    }

    /// The results, if no job is running.
    async fn results_if_idle(&self) -> Option<Vec<u64>> {
        let progress = self.progress.lock().await;
        (progress.running == 0).then(|| progress.results.clone())
    }
}
