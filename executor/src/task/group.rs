//! `TaskGroup`: structured concurrency as asyncio's `TaskGroup` does it.
//!
//! Tasks spawned into a group are siblings. The first one to fail (return `Err` or
//! panic) cancels the others; [`TaskGroup::join`] then waits until every sibling has
//! stopped and returns that first failure. When all succeed, `join` returns their
//! outputs in spawn order. Dropping the group cancels everything still running, so no
//! task outlives the scope that owns the group.
//!
//! Built on [`JoinSet`]: each task's output is tagged with its spawn index so results
//! can be put back in order, and the first failure is kept while the rest drain.

use std::fmt;
use std::future::Future;

use super::{AbortHandle, Id, JoinError, JoinSet};

/// A group of sibling tasks where the first failure cancels the rest.
///
/// ```
/// use spindle_executor::runtime::Runtime;
/// use spindle_executor::task::{TaskGroup, TaskGroupError};
///
/// let rt = Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut group = TaskGroup::new();
///     group.spawn(async { Ok::<u32, String>(1) });
///     group.spawn(async { Ok(2) });
///     assert_eq!(group.join().await.unwrap(), vec![1, 2]);
///
///     let mut group = TaskGroup::new();
///     group.spawn(async { Err::<u32, String>("bad input".to_owned()) });
///     group.spawn(std::future::pending()); // cancelled by the failure
///     match group.join().await {
///         Err(TaskGroupError::Failed { error, .. }) => assert_eq!(error, "bad input"),
///         other => panic!("unexpected {other:?}"),
///     }
/// });
/// ```
pub struct TaskGroup<T, E> {
    tasks: JoinSet<(usize, Result<T, E>)>,
    spawned: usize,
}

/// Why a [`TaskGroup`] failed: the first sibling to fail, after all others stopped.
pub enum TaskGroupError<E> {
    /// A task returned an error.
    Failed {
        /// The error the task returned.
        error: E,
        /// The id of the task that returned it.
        task: Id,
    },
    /// A task panicked, or was cancelled by something other than the group (an abort
    /// from outside, or its runtime shutting down).
    Aborted(JoinError),
}

impl<T: Send + 'static, E: Send + 'static> TaskGroup<T, E> {
    /// An empty group.
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            tasks: JoinSet::new(),
            spawned: 0,
        }
    }

    /// Spawns `future` into the group on the current runtime.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = self.spawned;
        self.spawned += 1;
        self.tasks.spawn(async move { (index, future.await) })
    }

    /// How many tasks are still in the group.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when no task is left in the group.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Waits for every task. Returns all outputs in spawn order, or the first failure
    /// once the siblings it cancelled have stopped.
    pub async fn join(mut self) -> Result<Vec<T>, TaskGroupError<E>> {
        let mut outputs: Vec<Option<T>> = (0..self.spawned).map(|_| None).collect();
        let mut first_failure: Option<TaskGroupError<E>> = None;
        while let Some(result) = self.tasks.join_next_with_id().await {
            let failure = match result {
                Ok((_, (index, Ok(output)))) => {
                    outputs[index] = Some(output);
                    continue;
                }
                Ok((task, (_, Err(error)))) => TaskGroupError::Failed { error, task },
                // Siblings we cancelled ourselves are not failures of their own.
                Err(error) if error.is_cancelled() && first_failure.is_some() => continue,
                Err(error) => TaskGroupError::Aborted(error),
            };
            if first_failure.is_none() {
                first_failure = Some(failure);
                self.tasks.abort_all();
            }
        }
        match first_failure {
            Some(failure) => Err(failure),
            None => Ok(outputs.into_iter().flatten().collect()),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("running", &self.tasks.len())
            .finish()
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskGroupError::Failed { error, task } => f
                .debug_struct("Failed")
                .field("error", error)
                .field("task", task)
                .finish(),
            TaskGroupError::Aborted(error) => f.debug_tuple("Aborted").field(error).finish(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskGroupError::Failed { error, task } => {
                write!(f, "task {task} of the group failed: {error}")
            }
            TaskGroupError::Aborted(error) => write!(f, "a task of the group failed: {error}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskGroupError<E> {}
