//! Who is awake, who is looking for work, and who to wake when work arrives.
//!
//! One atomic word packs two counts: workers that are searching (stealing, not yet
//! running anything) and workers that are unparked. New work wakes a sleeper only
//! when nobody is searching and somebody sleeps: a searcher will find the work, and a
//! woken worker starts out searching, so a burst of spawns wakes one worker, not all.
//! At most half the workers search at once, so stealing does not turn into contention.
//!
//! No wake-up is lost: a worker that stops searching as the last searcher re-checks
//! every queue before it parks (`Context::park` in `worker.rs` does this), and a
//! notifier reads the counts after publishing its work. Both sides have a `SeqCst`
//! fence between their write and their read (`worker_to_notify`,
//! `transition_worker_to_parked`): the parker's `SeqCst` read-modify-write alone does
//! not order its later, weaker loads of the queues on every architecture.

use spindle_loom_shim::{fence, AtomicUsize, Mutex, Ordering};

const UNPARKED_SHIFT: u32 = 16;
const SEARCHING_MASK: usize = (1 << UNPARKED_SHIFT) - 1;

pub(crate) struct Idle {
    /// `unparked << 16 | searching`.
    counts: AtomicUsize,
    num_workers: usize,
    /// Indices of parked workers, most recently parked last.
    sleepers: Mutex<Vec<usize>>,
}

fn searching(word: usize) -> usize {
    word & SEARCHING_MASK
}

fn unparked(word: usize) -> usize {
    word >> UNPARKED_SHIFT
}

impl Idle {
    pub(crate) fn new(num_workers: usize) -> Idle {
        Idle {
            counts: AtomicUsize::new(num_workers << UNPARKED_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    /// Picks a parked worker to wake for new work, or `None` when someone is already
    /// searching or nobody sleeps. The chosen worker is counted as unparked and
    /// searching before it even wakes.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(Ordering::SeqCst);
        if !self.should_notify() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_notify() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.counts
            .fetch_add((1 << UNPARKED_SHIFT) | 1, Ordering::SeqCst);
        Some(worker)
    }

    fn should_notify(&self) -> bool {
        let word = self.counts.load(Ordering::SeqCst);
        searching(word) == 0 && unparked(word) < self.num_workers
    }

    /// A worker wants to start searching; refused when half the workers already are.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let word = self.counts.load(Ordering::SeqCst);
        if 2 * searching(word) >= self.num_workers {
            return false;
        }
        self.counts.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A searching worker found work; true when it was the last searcher (the caller
    /// then wakes another worker, in case there is more work to share).
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let previous = self.counts.fetch_sub(1, Ordering::SeqCst);
        debug_assert!(searching(previous) > 0);
        searching(previous) == 1
    }

    /// The worker parks; returns true when it was the last searcher, in which case it
    /// must look at every queue once more before it sleeps.
    pub(crate) fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let decrement = (1 << UNPARKED_SHIFT) | usize::from(is_searching);
        let previous = self.counts.fetch_sub(decrement, Ordering::SeqCst);
        sleepers.push(worker);
        // Pairs with the fence in `worker_to_notify`: the caller's re-check of the
        // queues must not be satisfied before this update is visible.
        fence(Ordering::SeqCst);
        is_searching && searching(previous) == 1
    }

    /// After waking: true if a notifier took this worker out of the sleepers (it is
    /// already counted as unparked and searching); false for a spurious wake-up, in
    /// which case the worker is still parked and should go back to sleep.
    pub(crate) fn was_notified(&self, worker: usize) -> bool {
        let sleepers = self.sleepers.lock();
        !sleepers.contains(&worker)
    }

    /// Takes a sleeper out unconditionally (for shutdown or a worker that wakes itself
    /// because it found work); true if it was asleep.
    pub(crate) fn unpark_worker_by_index(&self, worker: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        match sleepers.iter().position(|&sleeper| sleeper == worker) {
            Some(position) => {
                sleepers.swap_remove(position);
                self.counts
                    .fetch_add((1 << UNPARKED_SHIFT) | 1, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// A parked worker found work in its own queue (its driver woke tasks on its
    /// thread) and leaves the sleepers as a non-searcher. False when a notifier took it
    /// out first, in which case it is already counted as unparked and searching.
    pub(crate) fn unpark_worker_found_work(&self, worker: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        match sleepers.iter().position(|&sleeper| sleeper == worker) {
            Some(position) => {
                sleepers.swap_remove(position);
                self.counts.fetch_add(1 << UNPARKED_SHIFT, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// True when every worker is parked (the test clock may then auto-advance).
    pub(crate) fn all_parked(&self) -> bool {
        unparked(self.counts.load(Ordering::SeqCst)) == 0
    }
}
