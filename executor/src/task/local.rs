//! `LocalSet` and `spawn_local`: tasks whose futures are not `Send`.
//!
//! A `LocalSet` owns a run queue that only its owning thread drains, while the set is
//! being polled (through `run_until`, `block_on`, or awaiting the set itself). Tasks use
//! the same cell as every other task, with a scheduler that pushes to the set's local
//! queue when the wake happens on the owning thread inside the set, and to a locked
//! remote queue otherwise (a waker may be sent anywhere and woken from any thread),
//! waking whoever polls the set.
//!
//! Why a `!Send` future is safe in a cell whose references cross threads: the future is
//! only ever polled by the owning thread (only it drains the queues), and it is only
//! ever dropped there too: by completion, or by the set's drop, which cancels every
//! task still alive (a `LocalSet` is `!Send`, so it is dropped on its owning thread).
//! References that outlive the set only ever see a finished or cancelled stage.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

use super::cell::Schedule;
use super::list::OwnedTasks;
use super::{JoinHandle, Notified, SpawnMeta, Task};
use crate::runtime::Runtime;

/// How many tasks the set runs per poll before it yields to its own executor.
const TASKS_PER_POLL: usize = 61;

/// A set of tasks that are not `Send`, all run on the thread that polls the set.
///
/// ```
/// use std::rc::Rc;
/// use spindle_executor::runtime::Builder;
/// use spindle_executor::task::{self, LocalSet};
///
/// let rt = Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(5); // Rc is not Send: spindle::spawn would refuse it
/// let doubled = local.block_on(&rt, async move {
///     let shared = shared.clone();
///     task::spawn_local(async move { *shared * 2 }).await.unwrap()
/// });
/// assert_eq!(doubled, 10);
/// ```
pub struct LocalSet {
    context: Rc<LocalContext>,
    _not_send: PhantomData<*const ()>,
}

struct LocalContext {
    id: crate::runtime::Id,
    shared: Arc<LocalShared>,
    queue: RefCell<VecDeque<Notified>>,
    tick: Cell<u32>,
}

/// The part of a set that wakers on other threads reach.
struct LocalShared {
    owned: OwnedTasks,
    remote: Mutex<RemoteQueue>,
}

struct RemoteQueue {
    tasks: VecDeque<Notified>,
    /// Whoever is polling the set, to wake when a remote task arrives.
    waker: Option<Waker>,
    closed: bool,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<LocalContext>>> = const { RefCell::new(None) };
}

impl Schedule for Arc<LocalShared> {
    fn schedule(&self, task: Notified) {
        let mut task = Some(task);
        let _ = CURRENT.try_with(|current| {
            if let Ok(current) = current.try_borrow() {
                if let Some(context) = current.as_ref() {
                    if Arc::ptr_eq(&context.shared, self) {
                        if let Some(task) = task.take() {
                            context.queue.borrow_mut().push_back(task);
                        }
                    }
                }
            }
        });
        let Some(task) = task else {
            return;
        };
        let mut remote = self.remote.lock();
        if remote.closed {
            // The set was dropped and cancelled its tasks; only the reference remains.
            drop(remote);
            drop(task);
            return;
        }
        remote.tasks.push_back(task);
        let waker = remote.waker.take();
        drop(remote);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.owned.remove(task)
    }
}

impl LocalSet {
    /// An empty set.
    pub fn new() -> LocalSet {
        LocalSet {
            context: Rc::new(LocalContext {
                id: crate::runtime::Id::next(),
                shared: Arc::new(LocalShared {
                    owned: OwnedTasks::new(1),
                    remote: Mutex::new(RemoteQueue {
                        tasks: VecDeque::new(),
                        waker: None,
                        closed: false,
                    }),
                }),
                queue: RefCell::new(VecDeque::new()),
                tick: Cell::new(0),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future onto this set. It runs when the set is polled.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.context
            .spawn(future, SpawnMeta::new(Location::caller()))
    }

    /// Runs `future` on `runtime`'s `block_on`, with this set's tasks running beside it.
    #[track_caller]
    pub fn block_on<F: Future>(&self, runtime: &Runtime, future: F) -> F::Output {
        runtime.block_on(self.run_until(future))
    }

    /// Drives `future` and this set's tasks together until `future` completes.
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        std::future::poll_fn(|cx| {
            let context = &self.context;
            let output = context.enter(|| future.as_mut().poll(cx));
            if let Poll::Ready(output) = output {
                return Poll::Ready(output);
            }
            if context.run_some_tasks(cx) {
                // Work is left: come back after the executor has had its turn.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }

    /// Makes this set the thread's current one until the guard is dropped, so that
    /// [`spawn_local`] outside `run_until` spawns onto it. Its tasks still only run
    /// while the set is polled.
    ///
    /// ```
    /// use spindle_executor::runtime::Builder;
    /// use spindle_executor::task::{self, LocalSet};
    ///
    /// let rt = Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let task = {
    ///     let _entered = local.enter();
    ///     task::spawn_local(async { "ran in the set" })
    /// };
    /// assert_eq!(local.block_on(&rt, task).unwrap(), "ran in the set");
    /// ```
    pub fn enter(&self) -> LocalEnterGuard {
        let previous = CURRENT.with(|current| current.borrow_mut().replace(self.context.clone()));
        LocalEnterGuard {
            previous,
            _not_send: PhantomData,
        }
    }

    /// The set's id: process-unique, from the same counter as runtimes' ids.
    pub fn id(&self) -> crate::runtime::Id {
        self.context.id
    }

    /// How many tasks of this set are alive.
    pub fn len(&self) -> usize {
        self.context.shared.owned.len()
    }

    /// True when no task of this set is alive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Keeps a [`LocalSet`] current on this thread; from [`LocalSet::enter`]. Dropping it
/// restores the set that was current before.
#[must_use = "the set is only entered while the guard is alive"]
pub struct LocalEnterGuard {
    previous: Option<Rc<LocalContext>>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for LocalEnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

impl fmt::Debug for LocalEnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

impl LocalContext {
    fn spawn<F>(self: &Rc<Self>, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let (owned, notified, join) = super::new_owned_task(future, self.shared.clone(), meta);
        match self.shared.owned.bind(owned) {
            Ok(()) => {
                self.queue.borrow_mut().push_back(notified);
                // Spawned from outside the set's own run (beside a pending `run_until`
                // in one `select!`, say): wake whoever polls the set, or the new task
                // would wait for some unrelated wake.
                if !self.is_current() {
                    let waker = self.shared.remote.lock().waker.take();
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                }
            }
            Err(owned) => {
                drop(notified);
                owned.shutdown();
            }
        }
        join
    }

    /// True when this set is the thread's current one (it is running).
    fn is_current(self: &Rc<Self>) -> bool {
        CURRENT
            .try_with(|current| {
                current
                    .try_borrow()
                    .is_ok_and(|set| set.as_ref().is_some_and(|set| Rc::ptr_eq(set, self)))
            })
            .unwrap_or(false)
    }

    /// Runs `f` with this set as the thread's current set (restoring the previous).
    fn enter<R>(self: &Rc<Self>, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Rc<LocalContext>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
            }
        }
        // During thread-local destruction (a set kept in a `thread_local!`) the slot
        // may be gone: the set's tasks are then cancelled without it being current.
        let Ok(previous) = CURRENT.try_with(|current| current.borrow_mut().replace(self.clone()))
        else {
            return f();
        };
        let _restore = Restore(previous);
        f()
    }

    /// Runs up to `TASKS_PER_POLL` tasks; true when more are waiting.
    fn run_some_tasks(self: &Rc<Self>, cx: &mut Context<'_>) -> bool {
        self.shared.remote.lock().waker = Some(cx.waker().clone());
        self.enter(|| {
            for _ in 0..TASKS_PER_POLL {
                let Some(task) = self.next_task() else {
                    return false;
                };
                spindle_sync::coop::with_budget(|| task.run());
            }
            true
        })
    }

    fn next_task(&self) -> Option<Notified> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        let remote = || self.shared.remote.lock().tasks.pop_front();
        if tick % 31 == 0 {
            remote().or_else(|| self.queue.borrow_mut().pop_front())
        } else {
            let local = self.queue.borrow_mut().pop_front();
            local.or_else(remote)
        }
    }
}

/// Awaiting a `LocalSet` runs its tasks until every one has finished.
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let context = &self.context;
        if context.run_some_tasks(cx) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if context.shared.owned.len() == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        let context = &self.context;
        context.enter(|| {
            context.shared.owned.close_and_shutdown_all();
            context.queue.borrow_mut().clear();
            let remote = {
                let mut remote = context.shared.remote.lock();
                remote.closed = true;
                remote.waker = None;
                std::mem::take(&mut remote.tasks)
            };
            drop(remote);
        });
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("len", &self.len())
            .finish()
    }
}

/// True while a `LocalSet` is current on this thread (it is being run, one of its
/// tasks is polled or dropped, or it was entered).
pub(crate) fn is_in_local_set() -> bool {
    CURRENT
        .try_with(|current| current.try_borrow().map_or(true, |set| set.is_some()))
        .unwrap_or(false)
}

/// Spawns a `!Send` future onto the `LocalSet` being run on this thread.
///
/// # Panics
///
/// Panics outside a `LocalSet` (or a `LocalRuntime`), with a message saying how to
/// run one.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let meta = SpawnMeta::new(Location::caller());
    let current = CURRENT.with(|current| current.borrow().clone());
    match current {
        Some(context) => context.spawn(future, meta),
        None => panic!(
            "spawn_local called outside a LocalSet: run the code with LocalSet::run_until, \
             LocalSet::block_on, or on a LocalRuntime (Builder::new_current_thread().build_local(Default::default()))"
        ),
    }
}
