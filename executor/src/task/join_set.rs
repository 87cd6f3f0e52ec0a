//! `JoinSet`: a collection of tasks, joined in the order they finish (asyncio's
//! `as_completed`).
//!
//! The set keeps each task's `JoinHandle` in a slab. Every handle is polled with its
//! own small waker that, when the task finishes, puts the handle's key on a shared
//! ready list and wakes whoever waits in `join_next`. So `join_next` only polls handles
//! that were woken: joining n tasks costs O(n) polls in total, not O(n²). A new handle
//! starts on the ready list, so its first poll registers its waker.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use parking_lot::Mutex;
use slab::Slab;

use super::{AbortHandle, Id, JoinError, JoinHandle};
use crate::runtime::Handle;

/// A set of spawned tasks that can be awaited in the order they complete.
///
/// Dropping the set aborts every task still in it.
///
/// ```
/// use spindle_executor::runtime::Runtime;
/// use spindle_executor::task::JoinSet;
///
/// let rt = Runtime::new().unwrap();
/// let mut outputs = rt.block_on(async {
///     let mut set = JoinSet::new();
///     for n in 0..5u32 {
///         set.spawn(async move { n * n });
///     }
///     let mut outputs = Vec::new();
///     while let Some(result) = set.join_next().await {
///         outputs.push(result.unwrap());
///     }
///     outputs
/// });
/// outputs.sort_unstable();
/// assert_eq!(outputs, vec![0, 1, 4, 9, 16]);
/// ```
pub struct JoinSet<T> {
    handles: Slab<Member<T>>,
    ready: Arc<ReadyList>,
}

struct Member<T> {
    handle: JoinHandle<T>,
    waker: Arc<MemberWaker>,
}

/// Keys of members whose task may have finished, and the waker of `join_next`.
struct ReadyList {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    keys: VecDeque<usize>,
    waiter: Option<Waker>,
}

/// Wakes the set when one member's task finishes.
struct MemberWaker {
    ready: Arc<ReadyList>,
    key: usize,
    queued: AtomicBool,
}

impl Wake for MemberWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiter = {
            let mut state = self.ready.state.lock();
            state.keys.push_back(self.key);
            state.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            handles: Slab::new(),
            ready: Arc::new(ReadyList {
                state: Mutex::new(ReadyState {
                    keys: VecDeque::new(),
                    waiter: None,
                }),
            }),
        }
    }

    /// How many tasks are in the set (finished ones count until joined).
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// True when the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Adds an already spawned task's handle to the set.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let entry = self.handles.vacant_entry();
        let waker = Arc::new(MemberWaker {
            ready: self.ready.clone(),
            key: entry.key(),
            queued: AtomicBool::new(false),
        });
        entry.insert(Member {
            handle,
            waker: waker.clone(),
        });
        // Polled once by the next `join_next`, which registers the member's waker.
        waker.wake_by_ref();
        abort
    }

    /// Aborts every task in the set; they stay in it until joined (each then yields a
    /// cancelled `JoinError` unless it finished first).
    pub fn abort_all(&mut self) {
        for (_, member) in self.handles.iter() {
            member.handle.abort();
        }
    }

    /// Removes every task from the set without aborting it: they run on, detached.
    pub fn detach_all(&mut self) {
        self.handles.clear();
        self.ready.state.lock().keys.clear();
    }

    /// Waits for the next task to finish and returns its result, or `None` when the
    /// set is empty. Cancel-safe: dropping the future loses no result.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// As [`join_next`](JoinSet::join_next), with the id of the task that finished
    /// (a failed task's id is in its [`JoinError::id`]).
    ///
    /// ```
    /// use spindle_executor::task::JoinSet;
    ///
    /// # spindle_executor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut set = JoinSet::new();
    /// let spawned = set.spawn(async { "done" }).id();
    /// let (id, output) = set.join_next_with_id().await.unwrap().unwrap();
    /// assert_eq!((id, output), (spawned, "done"));
    /// # });
    /// ```
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// Returns the result of a task that already finished, without waiting; `None`
    /// when none has.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|result| result.map(|(_, output)| output))
    }

    /// As [`try_join_next`](JoinSet::try_join_next), with the id of the task that
    /// finished.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        match self.poll_next_ready(&mut cx, false) {
            Poll::Ready(result) => result.map(with_id),
            Poll::Pending => None,
        }
    }

    /// Polls for the next finished task: `Ready(None)` when the set is empty.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_next_ready(cx, true)
            .map(|ready| ready.map(|(_, result)| result))
    }

    /// As [`poll_join_next`](JoinSet::poll_join_next), with the id of the task that
    /// finished.
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        self.poll_next_ready(cx, true)
            .map(|ready| ready.map(with_id))
    }

    fn poll_next_ready(
        &mut self,
        cx: &mut Context<'_>,
        register: bool,
    ) -> Poll<Option<(Id, Result<T, JoinError>)>> {
        if self.handles.is_empty() {
            return Poll::Ready(None);
        }
        loop {
            let key = {
                let mut state = self.ready.state.lock();
                match state.keys.pop_front() {
                    Some(key) => key,
                    None => {
                        let replaced = if register {
                            state.waiter.replace(cx.waker().clone())
                        } else {
                            None
                        };
                        // The replaced waker drops after the lock is released: its
                        // destructor may run a member task, whose wake takes the lock.
                        drop(state);
                        drop(replaced);
                        return Poll::Pending;
                    }
                }
            };
            let Some(member) = self.handles.get_mut(key) else {
                continue; // a stale wake of a member that was already removed
            };
            member.waker.queued.store(false, Ordering::Release);
            let member_waker = Waker::from(member.waker.clone());
            let mut member_cx = Context::from_waker(&member_waker);
            let handle = Pin::new(&mut member.handle);
            let polled = if register {
                handle.poll(&mut member_cx)
            } else {
                // `try_join_next` cannot yield, so the budget must not make a finished
                // task look pending (it would be re-queued and popped forever).
                spindle_sync::coop::with_unconstrained(|| handle.poll(&mut member_cx))
            };
            match polled {
                Poll::Ready(result) => {
                    let member = self.handles.remove(key);
                    return Poll::Ready(Some((member.handle.id(), result)));
                }
                // The budget ran out: the handle re-queued its member; yield, and come
                // back for it.
                Poll::Pending if !spindle_sync::coop::has_budget_remaining() => {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Pending => {}
            }
        }
    }

    /// Waits for every task and returns their outputs in the order they finished.
    ///
    /// # Panics
    ///
    /// If a task panicked, the panic is resumed here (after the other tasks are
    /// aborted by the set's drop); if a task was cancelled, this panics saying so. Use
    /// [`join_next`](JoinSet::join_next) to handle failures one by one.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(error) => match error.try_into_panic() {
                    Ok(payload) => std::panic::resume_unwind(payload),
                    Err(error) => panic!("JoinSet::join_all: {error}; use join_next to handle it"),
                },
            }
        }
        outputs
    }

    /// Aborts every task and waits until all have stopped, discarding their results.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

/// A finished member's result with its id moved inside the `Ok` (a `JoinError`
/// already carries the id).
fn with_id<T>((id, result): (Id, Result<T, JoinError>)) -> Result<(Id, T), JoinError> {
    result.map(|output| (id, output))
}

impl<T: 'static> JoinSet<T> {
    /// Spawns a `!Send` future onto the current [`LocalSet`](super::LocalSet) (or
    /// `LocalRuntime`) and adds it to the set.
    ///
    /// # Panics
    ///
    /// Panics outside a `LocalSet`, as [`spawn_local`](super::spawn_local) does.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use spindle_executor::runtime::Builder;
    /// use spindle_executor::task::{JoinSet, LocalSet};
    ///
    /// let rt = Builder::new_current_thread().build().unwrap();
    /// let total = LocalSet::new().block_on(&rt, async {
    ///     let mut set = JoinSet::new();
    ///     for n in 1..=3 {
    ///         let shared = Rc::new(n); // not Send
    ///         set.spawn_local(async move { *shared });
    ///     }
    ///     set.join_all().await.into_iter().sum::<i32>()
    /// });
    /// assert_eq!(total, 6);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        let handle = super::spawn_local(future);
        self.insert(handle)
    }

    /// Spawns a `!Send` future onto `local` and adds it to the set; it runs when
    /// `local` is run.
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, future: F, local: &super::LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        let handle = local.spawn_local(future);
        self.insert(handle)
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        let handle = super::spawn(future);
        self.insert(handle)
    }

    /// Spawns `future` on the runtime of `handle` and adds it to the set.
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        let join = handle.spawn(future);
        self.insert(join)
    }

    /// Runs `work` on the current runtime's blocking pool and adds it to the set.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, work: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let handle = super::spawn_blocking(work);
        self.insert(handle)
    }

    /// Runs `work` on the blocking pool of `handle`'s runtime and adds it to the set.
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, work: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let join = handle.spawn_blocking(work);
        self.insert(join)
    }

    /// Ids of the tasks in the set.
    pub fn ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.handles.iter().map(|(_, member)| member.handle.id())
    }
}

/// Collecting futures into a `JoinSet` spawns each on the current runtime.
///
/// # Panics
///
/// Panics outside a runtime, as [`spawn`](super::spawn) does.
///
/// ```
/// use spindle_executor::task::JoinSet;
///
/// # spindle_executor::runtime::Runtime::new().unwrap().block_on(async {
/// let set: JoinSet<u32> = (1..=4).map(|n| async move { n * 10 }).collect();
/// let mut outputs = set.join_all().await;
/// outputs.sort();
/// assert_eq!(outputs, [10, 20, 30, 40]);
/// # });
/// ```
impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(futures);
        set
    }
}

/// Extending a `JoinSet` with futures spawns each on the current runtime.
///
/// # Panics
///
/// Panics outside a runtime, as [`spawn`](super::spawn) does.
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            self.spawn(future);
        }
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
