//! The owned-task list: every live task of one runtime, so shutdown can cancel them.
//!
//! A task idle on a waker is referenced only by that waker, wherever the user keeps
//! it; without this list, shutdown could not find it to drop its future. The list
//! holds one reference per task, taken at spawn and given back when the task
//! completes. It is split into shards by task id so that spawns and completions on
//! different workers rarely meet on one lock; the counts live inside the shards, so
//! spawning touches no shared counter. Closing it (at shutdown) is final: a task bound
//! afterwards is handed back to be cancelled at once.
//!
//! Each shard keeps its tasks in a vector of slots, one word each (`Option<Task>` is a
//! non-null pointer), with the indexes of the empty slots on a free list; a task
//! records its slot index in its header, so removal finds it without a search. (A
//! `slab::Slab<Task>` would take two words per slot, its vacant entries holding the
//! free list's links: a word more for every live task.)
//!
//! A graceful shutdown waits for the list to empty ([`OwnedTasks::wait_until_empty`]).
//! Removals pay for that only with one load of the `draining` flag; while a drain is
//! on, each removal also stores a wake-up permit for the one waiter, which then
//! recounts.

use super::{Id, Task};
use crate::loom::{AtomicBool, Mutex, Ordering};

pub(crate) struct OwnedTasks {
    shards: Box<[Mutex<Shard>]>,
    shard_mask: usize,
    closed: AtomicBool,
    /// Set while a graceful shutdown waits for the list to empty.
    draining: AtomicBool,
    /// Woken by removals while `draining` is set.
    removed: spindle_sync::Notify,
}

#[derive(Default)]
struct Shard {
    tasks: Slots,
    /// Tasks ever bound to this shard.
    spawned: u64,
}

/// The tasks of one shard: each in the slot whose index its header's `owned_key` holds.
#[derive(Default)]
struct Slots {
    slots: Vec<Option<Task>>,
    /// Indexes of the `None` slots, reused last-freed first.
    vacant: Vec<u32>,
    len: usize,
}

impl Slots {
    /// Stores `task`, recording its slot index in its header.
    fn insert(&mut self, task: Task) {
        self.len += 1;
        let key = match self.vacant.pop() {
            Some(key) => key,
            None => {
                let key = u32::try_from(self.slots.len())
                    .expect("more than 2^32 live tasks in one owned-list shard");
                self.slots.push(None);
                key
            }
        };
        let header = task.header();
        header
            .owned_key
            .store(key, std::sync::atomic::Ordering::Relaxed);
        self.slots[key as usize] = Some(task);
    }

    /// The task in slot `key`, if any.
    fn get(&self, key: u32) -> Option<&Task> {
        self.slots.get(key as usize)?.as_ref()
    }

    /// Takes the task out of slot `key`, if it is `task`.
    fn remove_if(&mut self, key: u32, task: &Task) -> Option<Task> {
        let slot = self.slots.get_mut(key as usize)?;
        if slot.as_ref()?.raw() != task.raw() {
            return None;
        }
        let removed = slot.take();
        self.vacant.push(key);
        self.len -= 1;
        removed
    }

    fn len(&self) -> usize {
        self.len
    }

    fn iter(&self) -> impl Iterator<Item = &Task> {
        self.slots.iter().flatten()
    }

    fn into_tasks(self) -> impl Iterator<Item = Task> {
        self.slots.into_iter().flatten()
    }
}

impl OwnedTasks {
    /// A list with at least `shards` shards (rounded up to a power of two).
    pub(crate) fn new(shards: usize) -> OwnedTasks {
        // Task ids come from a process-wide counter, so in a loom model they differ
        // from one explored execution to the next; with several shards the id would
        // pick a different lock each time, and loom requires every replay of an
        // execution to take the same steps. One shard keeps the model deterministic.
        let shards = if cfg!(loom) { 1 } else { shards };
        let count = shards.max(1).next_power_of_two();
        OwnedTasks {
            shards: (0..count).map(|_| Mutex::new(Shard::default())).collect(),
            shard_mask: count - 1,
            closed: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            removed: spindle_sync::Notify::new(),
        }
    }

    fn shard_of(&self, id: Id) -> &Mutex<Shard> {
        &self.shards[id.as_u64() as usize & self.shard_mask]
    }

    /// Adds a new task; gives it back when the list is closed, for the caller to shut
    /// it down.
    pub(crate) fn bind(&self, task: Task) -> Result<(), Task> {
        let mut shard = self.shard_of(task.header().id).lock();
        // Checked under the shard lock: `close_and_shutdown_all` sets the flag and
        // then takes every shard lock, so no task slips in behind it.
        if self.closed.load(Ordering::Acquire) {
            return Err(task);
        }
        shard.spawned += 1;
        shard.tasks.insert(task);
        Ok(())
    }

    /// Removes `task`, returning the list's reference, or `None` if it is not here.
    pub(crate) fn remove(&self, task: &Task) -> Option<Task> {
        let header = task.header();
        let mut shard = self.shard_of(header.id).lock();
        let key = header.owned_key.load(std::sync::atomic::Ordering::Relaxed);
        let removed = shard.tasks.remove_if(key, task);
        drop(shard);
        // Read after the shard lock is released: a drain that set the flag before
        // counting this shard (under the same lock) is seen here, so either its count
        // saw the removal or this permit wakes it to count again.
        if removed.is_some() && self.draining.load(Ordering::SeqCst) {
            self.removed.notify_one();
        }
        removed
    }

    /// Waits until every task has left the list. Meant for one waiter at a time (the
    /// graceful shutdown); cancel-safe.
    pub(crate) async fn wait_until_empty(&self) {
        self.draining.store(true, Ordering::SeqCst);
        while self.len() > 0 {
            self.removed.notified().await;
        }
    }

    /// How many tasks are alive in this runtime.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().tasks.len())
            .sum()
    }

    /// How many tasks were ever spawned on this runtime.
    pub(crate) fn spawned_count(&self) -> u64 {
        self.shards.iter().map(|shard| shard.lock().spawned).sum()
    }

    /// Calls `visit` on every live task, one shard lock at a time. `visit` must not
    /// spawn, complete or drop tasks of this runtime (it runs under the lock).
    pub(crate) fn for_each(&self, mut visit: impl FnMut(&Task)) {
        for shard in self.shards.iter() {
            let shard = shard.lock();
            for task in shard.tasks.iter() {
                visit(task);
            }
        }
    }

    /// The id, name and spawn site of the task with id `id` kept at `key`, if it is
    /// still in the list.
    pub(crate) fn describe(
        &self,
        id: u64,
        key: u32,
    ) -> Option<(
        Id,
        Option<std::sync::Arc<str>>,
        &'static std::panic::Location<'static>,
    )> {
        let shard = self.shards[id as usize & self.shard_mask].lock();
        let task = shard.tasks.get(key)?;
        let header = task.header();
        (header.id.as_u64() == id).then(|| {
            (
                header.id,
                header.site.name().cloned(),
                header.site.location(),
            )
        })
    }

    /// Adds `millis` of sampled busy time to the task with id `id` kept at `key`.
    pub(crate) fn add_sampled_busy(&self, id: u64, key: u32, millis: u32) {
        let shard = self.shards[id as usize & self.shard_mask].lock();
        if let Some(task) = shard.tasks.get(key) {
            let header = task.header();
            if header.id.as_u64() == id {
                header
                    .sampled_busy_millis
                    .fetch_add(millis, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes the list and cancels every task in it. Each shard is emptied under its
    /// lock and its tasks shut down after the lock is released, because dropping a
    /// future runs user code that may spawn or complete other tasks.
    pub(crate) fn close_and_shutdown_all(&self) {
        self.closed.store(true, Ordering::Release);
        for shard in self.shards.iter() {
            let drained = std::mem::take(&mut shard.lock().tasks);
            for task in drained.into_tasks() {
                task.shutdown();
            }
        }
    }
}
