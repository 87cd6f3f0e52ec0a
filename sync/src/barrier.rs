//! `Barrier`: wait until `n` tasks have arrived, then release them all together.
//!
//! State is the number of tasks that have arrived in the current round and a FIFO
//! [`WaitList`] of those waiting, under one lock. The `n`-th arrival is the round's
//! leader: it releases every queued waiter and resets the count for the next round,
//! so a barrier can be reused.
//!
//! Cancel safety goes further than tokio's: a waiting future dropped before its round
//! completes takes its arrival back, so the round still needs `n` live tasks and
//! nobody is released early or kept waiting for a task that left.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use crate::coop;
use crate::waiters::{WaitList, WakeList};
use spindle_loom_shim::replace_waker;
use spindle_loom_shim::Mutex;

/// A barrier for `n` tasks; see the module docs.
///
/// ```
/// use std::sync::Arc;
/// use spindle_sync::Barrier;
///
/// let barrier = Arc::new(Barrier::new(3));
/// let threads: Vec<_> = (0..3)
///     .map(|_| {
///         let barrier = Arc::clone(&barrier);
///         std::thread::spawn(move || futures::executor::block_on(barrier.wait()).is_leader())
///     })
///     .collect();
/// let leaders = threads
///     .into_iter()
///     .map(|thread| thread.join().expect("thread panicked"))
///     .filter(|&leader| leader)
///     .count();
/// assert_eq!(leaders, 1);
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<BarrierState>,
}

#[derive(Debug)]
struct BarrierState {
    arrived: usize,
    waiters: WaitList<Waiter>,
}

#[derive(Debug)]
struct Waiter {
    waker: Option<Waker>,
    released: bool,
}

/// What [`Barrier::wait`] returns: whether this task was the round's leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// True for exactly one task per round: the one whose arrival completed it.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// Creates a barrier that releases tasks in groups of `n` (`0` behaves as `1`).
    pub fn new(n: usize) -> Self {
        Barrier {
            parties: n.max(1),
            state: Mutex::new(BarrierState {
                arrived: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives at the barrier and waits until `n` tasks have arrived.
    ///
    /// Cancel safe: dropping the future before the round completes withdraws this
    /// task's arrival.
    pub async fn wait(&self) -> BarrierWaitResult {
        BarrierWait {
            barrier: self,
            key: None,
        }
        .await
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("arrived", &self.state.lock().arrived)
            .finish()
    }
}

struct BarrierWait<'a> {
    barrier: &'a Barrier,
    key: Option<usize>,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = self.get_mut();
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = this.barrier.state.lock();
        let leader = match this.key {
            None => {
                state.arrived += 1;
                if state.arrived < this.barrier.parties {
                    this.key = Some(state.waiters.push_back(Waiter {
                        waker: Some(cx.waker().clone()),
                        released: false,
                    }));
                    return Poll::Pending;
                }
                state.arrived = 0;
                let mut wakers = WakeList::new();
                state.waiters.drain_linked(|waiter| {
                    waiter.released = true;
                    wakers.push(waiter.waker.take());
                });
                drop(state);
                wakers.wake_all();
                true
            }
            Some(key) => {
                let waiter = state.waiters.get_mut(key);
                if !waiter.released {
                    let displaced = replace_waker(&mut waiter.waker, cx.waker());
                    // A waker's drop is user code: not under our lock.
                    drop(state);
                    drop(displaced);
                    return Poll::Pending;
                }
                state.waiters.remove(key);
                this.key = None;
                false
            }
        };
        budget.made_progress();
        Poll::Ready(BarrierWaitResult(leader))
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut state = self.barrier.state.lock();
        if !state.waiters.remove(key).released {
            state.arrived -= 1;
        }
    }
}
