//! `Handle::dump`: the live task list, asyncio's `all_tasks` and aiomonitor's `ps`.
//!
//! Walks the runtime's owned-task list one shard at a time, copying each task's id,
//! name, spawn site, state, poll count and age. The list's own reference keeps each
//! task alive while it is read, and nothing here touches a task's future, so a dump is
//! safe to take from any thread while the runtime runs.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::task::Id;

/// What a task is doing at the moment of the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting for a wake-up.
    Idle,
    /// Woken and queued, waiting for a worker.
    Scheduled,
    /// Being polled right now.
    Running,
    /// Running a `block_in_place` closure (its worker's queue moved to another thread).
    Blocking,
    /// Finished; about to leave the list.
    Finished,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
            TaskState::Blocking => "blocking",
            TaskState::Finished => "finished",
        })
    }
}

/// One task in a [`TaskDump`].
#[derive(Debug, Clone)]
pub struct TaskInfo {
    /// The task's id.
    pub id: Id,
    /// The name given with `task::Builder::name`, if any.
    pub name: Option<Arc<str>>,
    /// Where the task was spawned.
    pub spawned_at: &'static Location<'static>,
    /// What the task was doing.
    pub state: TaskState,
    /// How many times it has been polled.
    pub polls: u64,
    /// Time spent in its polls, sampled by the slow-poll watchdog at each of its ticks
    /// (a quarter of the slow-poll threshold): exact for long polls, statistical for
    /// short ones, and zero when slow-poll detection is off.
    pub busy: Duration,
    /// How long ago it was spawned (to within a few milliseconds).
    pub age: Duration,
}

/// Every live task of a runtime at one moment, from
/// [`Handle::dump`](super::Handle::dump). Its `Display` is a text table.
///
/// ```
/// use spindle_executor::runtime::Runtime;
/// use spindle_executor::task;
///
/// let rt = Runtime::new().unwrap();
/// let _waiting = task::Builder::new()
///     .name("waits-forever")
///     .spawn_on(std::future::pending::<()>(), rt.handle())
///     .unwrap();
/// let dump = rt.handle().dump();
/// assert_eq!(dump.tasks().len(), 1);
/// assert!(dump.to_string().contains("waits-forever"));
/// ```
#[derive(Debug, Clone)]
pub struct TaskDump {
    tasks: Vec<TaskInfo>,
}

impl TaskDump {
    pub(crate) fn new(mut tasks: Vec<TaskInfo>) -> TaskDump {
        tasks.sort_by_key(|task| task.id);
        TaskDump { tasks }
    }

    /// The tasks, ordered by id (spawn order).
    pub fn tasks(&self) -> &[TaskInfo] {
        &self.tasks
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>8}  {:<9}  {:>8}  {:>10}  {:>10}  {:<20}  spawned at",
            "id", "state", "polls", "busy", "age", "name"
        )?;
        for task in &self.tasks {
            let age = format!("{:.3}s", task.age.as_secs_f64());
            let busy = format!("{:.3}s", task.busy.as_secs_f64());
            writeln!(
                f,
                "{:>8}  {:<9}  {:>8}  {:>10}  {:>10}  {:<20}  {}",
                task.id.to_string(),
                task.state.to_string(),
                task.polls,
                busy,
                age,
                task.name.as_deref().unwrap_or("-"),
                task.spawned_at
            )?;
        }
        write!(f, "{} live tasks", self.tasks.len())
    }
}
