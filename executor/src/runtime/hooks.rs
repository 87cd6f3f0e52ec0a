//! Task lifecycle hooks: user callbacks on spawn, before and after each poll, and on
//! termination, each given the task's id, name and spawn site.
//!
//! The harness calls them through the task's scheduler, which hands out the runtime's
//! hooks only when at least one is set, so a runtime without hooks pays one branch
//! per poll.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use crate::task::cell::Header;
use crate::task::Id;

/// What a task hook is told about the task.
#[derive(Clone, Copy)]
pub struct TaskMeta<'a> {
    header: &'a Header,
}

impl<'a> TaskMeta<'a> {
    pub(crate) fn new(header: &'a Header) -> TaskMeta<'a> {
        TaskMeta { header }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.header.id
    }

    /// The task's name, if it was given one.
    pub fn name(&self) -> Option<&'a str> {
        self.header.site.name().map(|name| &**name)
    }

    /// Where the task was spawned.
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.header.site.location()
    }
}

impl fmt::Debug for TaskMeta<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskMeta")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("spawned_at", &self.spawned_at())
            .finish()
    }
}

/// A task hook.
pub(crate) type TaskCallback = Arc<dyn Fn(&TaskMeta<'_>) + Send + Sync>;

/// The task hooks of one runtime.
#[derive(Clone, Default)]
pub(crate) struct TaskHooks {
    pub(crate) on_spawn: Option<TaskCallback>,
    pub(crate) on_terminate: Option<TaskCallback>,
    pub(crate) before_poll: Option<TaskCallback>,
    pub(crate) after_poll: Option<TaskCallback>,
}

impl TaskHooks {
    pub(crate) fn is_empty(&self) -> bool {
        self.on_spawn.is_none()
            && self.on_terminate.is_none()
            && self.before_poll.is_none()
            && self.after_poll.is_none()
    }

    pub(crate) fn spawned(&self, header: &Header) {
        if let Some(hook) = &self.on_spawn {
            hook(&TaskMeta::new(header));
        }
    }
}
