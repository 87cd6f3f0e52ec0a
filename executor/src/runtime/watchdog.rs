//! Slow-poll detection: asyncio's debug-mode warning about slow callbacks, built in.
//!
//! A poll that blocks its worker (a synchronous sleep, a busy loop, a deadlock) stalls
//! every task queued behind it. Each worker publishes what it is polling in a
//! [`PollSlot`]: a sequence word that is odd while a poll runs, and the task's id and
//! owned-list key. Publishing is three relaxed stores per poll and reads no clock, so
//! it is cheap enough to leave on.
//!
//! A watchdog thread per runtime looks at the slots four times per threshold. A slot
//! that shows the same odd sequence for a whole threshold is a slow poll: the watchdog
//! reports it while it is still stuck (naming the task, found through the owned list
//! under its lock, so the task cannot be freed while it is read), and again when it
//! ends, with its duration. The duration is measured by the watchdog's ticks, so it is
//! accurate to a quarter of the threshold, and a poll is caught once it lasts the
//! threshold plus at most one tick. The watchdog is an ordinary thread: on a machine
//! so loaded that it gets no CPU for the whole length of a slow poll, that poll goes
//! unreported.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::scheduler;
use crate::task::Id;

/// What one worker is polling: `seq` is `poll_number << 1 | polling`.
#[derive(Debug, Default)]
pub(crate) struct PollSlot {
    seq: AtomicU64,
    task_id: AtomicU64,
    owned_key: AtomicU32,
}

impl PollSlot {
    /// The worker starts its `number`th poll, of the task `id` kept at `owned_key`.
    pub(crate) fn begin(&self, number: u64, id: Id, owned_key: u32) {
        self.task_id.store(id.as_u64(), Ordering::Relaxed);
        self.owned_key.store(owned_key, Ordering::Relaxed);
        self.seq.store((number << 1) | 1, Ordering::Release);
    }

    /// The worker's `number`th poll returned.
    pub(crate) fn end(&self, number: u64) {
        self.seq.store(number << 1, Ordering::Release);
    }
}

/// A slow poll, as reported to [`Builder::on_slow_poll`](super::Builder::on_slow_poll).
#[derive(Debug, Clone)]
pub struct SlowPoll {
    /// The task being polled.
    pub task: Id,
    /// Its name, if it was given one.
    pub name: Option<Arc<str>>,
    /// Where it was spawned (`None` if it finished before the watchdog could look).
    pub spawned_at: Option<&'static Location<'static>>,
    /// The worker that was (or still is) stuck in the poll.
    pub worker: usize,
    /// How long the poll has run so far (to within a quarter of the threshold).
    pub duration: Duration,
    /// True while the poll is still running: the worker is blocked right now.
    pub still_running: bool,
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_deref().unwrap_or("unnamed");
        let verb = if self.still_running {
            "has been blocking"
        } else {
            "blocked"
        };
        write!(
            f,
            "task {} ({name}) {verb} worker {} for {:?} in one poll",
            self.task, self.worker, self.duration
        )?;
        if let Some(location) = self.spawned_at {
            write!(f, "; spawned at {location}")?;
        }
        f.write_str(
            "; move blocking work into spawn_blocking, or yield (task::yield_now) in long loops",
        )
    }
}

pub(crate) type SlowPollHook = Arc<dyn Fn(&SlowPoll) + Send + Sync>;

/// Stops the watchdog thread when dropped or told to.
pub(crate) struct Watchdog {
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    /// Starts the watchdog of a runtime whose workers publish into `slots`.
    pub(crate) fn start(
        runtime: Weak<dyn WatchedRuntime>,
        threshold: Duration,
        hook: Option<SlowPollHook>,
    ) -> std::io::Result<Watchdog> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread_stop = stop.clone();
        std::thread::Builder::new()
            .name("spindle-watchdog".to_owned())
            .spawn(move || watch(runtime, threshold, hook, &thread_stop))?;
        Ok(Watchdog { stop })
    }

    pub(crate) fn stop(&self) {
        *self.stop.0.lock() = true;
        self.stop.1.notify_all();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the watchdog needs from a scheduler.
pub(crate) trait WatchedRuntime: Send + Sync {
    fn slot_count(&self) -> usize;
    fn slot(&self, worker: usize) -> &PollSlot;
    fn owned(&self) -> &crate::task::list::OwnedTasks;
}

impl WatchedRuntime for scheduler::multi_thread::Handle {
    fn slot_count(&self) -> usize {
        self.shared.poll_slots().len()
    }
    fn slot(&self, worker: usize) -> &PollSlot {
        &self.shared.poll_slots()[worker]
    }
    fn owned(&self) -> &crate::task::list::OwnedTasks {
        &self.shared.owned
    }
}

impl WatchedRuntime for scheduler::current_thread::Handle {
    fn slot_count(&self) -> usize {
        1
    }
    fn slot(&self, _worker: usize) -> &PollSlot {
        &self.poll_slot
    }
    fn owned(&self) -> &crate::task::list::OwnedTasks {
        &self.owned
    }
}

#[derive(Clone)]
struct Observed {
    seq: u64,
    first_seen: Instant,
    /// The report made while the poll was stuck: the report of its end names the same
    /// task, although by then the slot may hold the next poll's task.
    stuck_report: Option<SlowPoll>,
}

fn watch(
    runtime: Weak<dyn WatchedRuntime>,
    threshold: Duration,
    hook: Option<SlowPollHook>,
    stop: &(Mutex<bool>, Condvar),
) {
    let tick = (threshold / 4).max(Duration::from_millis(1));
    let mut observed: Vec<Option<Observed>> = Vec::new();
    loop {
        {
            let mut stopped = stop.0.lock();
            if !*stopped {
                stop.1.wait_for(&mut stopped, tick);
            }
            if *stopped {
                return;
            }
        }
        let Some(runtime) = runtime.upgrade() else {
            return;
        };
        observed.resize(runtime.slot_count(), None);
        let now = Instant::now();
        for (worker, entry) in observed.iter_mut().enumerate() {
            let slot = runtime.slot(worker);
            let seq = slot.seq.load(Ordering::Acquire);
            if seq & 1 == 1 {
                // Sampling: the task in the poll is charged the whole tick.
                runtime.owned().add_sampled_busy(
                    slot.task_id.load(Ordering::Relaxed),
                    slot.owned_key.load(Ordering::Relaxed),
                    tick.as_millis().max(1) as u32,
                );
            }
            let previous = entry.take();
            let same_poll = previous.as_ref().is_some_and(|seen| seen.seq == seq);
            if !same_poll {
                if let Some(seen) = &previous {
                    if let Some(stuck) = &seen.stuck_report {
                        // A poll we reported as stuck has returned: report its full length.
                        deliver(
                            &SlowPoll {
                                duration: now - seen.first_seen,
                                still_running: false,
                                ..stuck.clone()
                            },
                            &hook,
                        );
                    }
                }
            }
            *entry = if seq & 1 == 0 {
                None
            } else if same_poll {
                previous.map(|mut seen| {
                    if seen.stuck_report.is_none() && now - seen.first_seen >= threshold {
                        seen.stuck_report =
                            describe(&*runtime, slot, worker, now - seen.first_seen);
                        if let Some(stuck) = &seen.stuck_report {
                            deliver(stuck, &hook);
                        }
                    }
                    seen
                })
            } else {
                Some(Observed {
                    seq,
                    first_seen: now,
                    stuck_report: None,
                })
            };
        }
    }
}

/// The report of the poll now running in `slot`, stuck for `duration` so far; `None`
/// if its task can no longer be identified.
fn describe(
    runtime: &dyn WatchedRuntime,
    slot: &PollSlot,
    worker: usize,
    duration: Duration,
) -> Option<SlowPoll> {
    let task = slot.task_id.load(Ordering::Relaxed);
    let key = slot.owned_key.load(Ordering::Relaxed);
    let found = runtime.owned().describe(task, key);
    let (id, name, spawned_at) = match found {
        Some((id, name, location)) => (Some(id), name, Some(location)),
        None => (None, None, None),
    };
    Some(SlowPoll {
        task: id.or_else(|| Id::from_u64(task))?,
        name,
        spawned_at,
        worker,
        duration,
        still_running: true,
    })
}

/// Reports `slow` through `tracing` and the runtime's hook.
fn deliver(slow: &SlowPoll, hook: &Option<SlowPollHook>) {
    tracing::warn!(
        task.id = %slow.task,
        task.name = slow.name.as_deref().unwrap_or(""),
        spawned_at = %slow.spawned_at.map(|location| location.to_string()).unwrap_or_default(),
        worker = slow.worker,
        duration_ms = slow.duration.as_millis() as u64,
        still_running = slow.still_running,
        "{slow}"
    );
    if let Some(hook) = hook {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(slow)));
    }
}
