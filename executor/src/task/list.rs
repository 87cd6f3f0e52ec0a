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
//! The busy time the slow-poll watchdog samples is kept here too, not in the task
//! header: only tasks running at one of its ticks ever have any, so a shard keeps it in
//! a map by slot index, and marks such a task's key (`BUSY_ENTRY`, under the shard
//! lock), so that removing a task with no entry costs no lookup.
//!
//! A graceful shutdown waits for the list to empty ([`OwnedTasks::wait_until_empty`]).
//! Removals pay for that only with one load of the `draining` flag; while a drain is
//! on, each removal also stores a wake-up permit for the one waiter, which then
//! recounts.

use std::collections::HashMap;

use super::{Id, Task};
use spindle_loom_shim::{AtomicBool, Mutex, Ordering};

/// Set in a task's `owned_key` while its shard's `busy` map has an entry for it.
const BUSY_ENTRY: u32 = 1 << 31;

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
    /// Sampled busy milliseconds, by slot index, of the tasks whose key has
    /// `BUSY_ENTRY` set.
    busy: HashMap<u32, u32>,
}

impl Shard {
    /// The sampled busy time of `task`, which is in this shard.
    fn busy_millis(&self, task: &Task) -> u32 {
        let key = task
            .header()
            .owned_key
            .load(std::sync::atomic::Ordering::Relaxed);
        if key & BUSY_ENTRY == 0 {
            return 0;
        }
        self.busy.get(&(key & !BUSY_ENTRY)).copied().unwrap_or(0)
    }
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
                    .ok()
                    .filter(|key| key & BUSY_ENTRY == 0)
                    .expect("more than 2^31 live tasks in one owned-list shard");
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
        let removed = shard.tasks.remove_if(key & !BUSY_ENTRY, task);
        if removed.is_some() && key & BUSY_ENTRY != 0 {
            shard.busy.remove(&(key & !BUSY_ENTRY));
        }
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

    /// Calls `visit` on every live task, with its sampled busy time in milliseconds,
    /// one shard lock at a time. `visit` must not spawn, complete or drop tasks of this
    /// runtime (it runs under the lock).
    pub(crate) fn for_each(&self, mut visit: impl FnMut(&Task, u32)) {
        for shard in self.shards.iter() {
            let shard = shard.lock();
            for task in shard.tasks.iter() {
                visit(task, shard.busy_millis(task));
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
        let task = shard.tasks.get(key & !BUSY_ENTRY)?;
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
        let key = key & !BUSY_ENTRY;
        let mut shard = self.shards[id as usize & self.shard_mask].lock();
        let Some(task) = shard.tasks.get(key) else {
            return;
        };
        let header = task.header();
        if header.id.as_u64() != id {
            return;
        }
        // Written under the shard lock, like every write of the key.
        header
            .owned_key
            .store(key | BUSY_ENTRY, std::sync::atomic::Ordering::Relaxed);
        let busy = shard.busy.entry(key).or_insert(0);
        *busy = busy.saturating_add(millis);
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
            let drained = {
                let mut shard = shard.lock();
                shard.busy.clear();
                std::mem::take(&mut shard.tasks)
            };
            for task in drained.into_tasks() {
                task.shutdown();
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::panic::Location;

    use super::*;
    use crate::task::cell::Schedule;
    use crate::task::{new_owned_task, Notified, SpawnMeta};

    /// A scheduler that never runs anything: the tests only bind and remove.
    struct Unscheduled;

    impl Schedule for Unscheduled {
        fn schedule(&self, task: Notified) {
            drop(task);
        }

        fn release(&self, _task: &Task) -> Option<Task> {
            None
        }
    }

    fn busy_of_each(list: &OwnedTasks) -> Vec<(u64, u32)> {
        let mut seen = Vec::new();
        list.for_each(|task, busy| seen.push((task.header().id.as_u64(), busy)));
        seen
    }

    #[test]
    fn sampled_busy_time_belongs_to_its_task_and_leaves_with_it() {
        let list = OwnedTasks::new(1);
        let (first, _notified, _join) = new_owned_task(
            std::future::pending::<()>(),
            Unscheduled,
            SpawnMeta::new(Location::caller()),
        );
        let first_id = first.header().id.as_u64();
        let first_raw = first.raw();
        assert!(list.bind(first).is_ok());
        let key = first_raw
            .header()
            .owned_key
            .load(std::sync::atomic::Ordering::Relaxed);
        list.add_sampled_busy(first_id, key, 7);
        list.add_sampled_busy(first_id, key, 5);
        assert_eq!(busy_of_each(&list), vec![(first_id, 12)]);

        // The next task reuses the slot, and must not inherit the time.
        let removed = list.remove(&std::mem::ManuallyDrop::new(Task(first_raw)));
        assert!(removed.is_some());
        let (second, _notified, _join) = new_owned_task(
            std::future::pending::<()>(),
            Unscheduled,
            SpawnMeta::new(Location::caller()),
        );
        let second_id = second.header().id.as_u64();
        assert!(list.bind(second).is_ok());
        assert_eq!(busy_of_each(&list), vec![(second_id, 0)]);
        // A sample for the task that left (same key, old id) is not charged to it.
        list.add_sampled_busy(first_id, key, 9);
        assert_eq!(busy_of_each(&list), vec![(second_id, 0)]);
        list.add_sampled_busy(second_id, key, 1);
        assert_eq!(busy_of_each(&list), vec![(second_id, 1)]);
    }
}
