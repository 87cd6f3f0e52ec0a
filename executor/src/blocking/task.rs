//! The future and scheduler that carry a blocking closure through a task cell.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::task::cell::Schedule;
use crate::task::{Notified, Task};

/// Runs its closure on the first poll; it never returns `Pending`.
pub(crate) struct BlockingTask<F> {
    work: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(crate) fn new(work: F) -> BlockingTask<F> {
        BlockingTask { work: Some(work) }
    }
}

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let Some(work) = self.work.take() else {
            panic!("a blocking task was polled after it ran");
        };
        // Blocking code never yields, so the budget would only get in its way.
        Poll::Ready(spindle_sync::coop::with_unconstrained(work))
    }
}

/// The scheduler of blocking tasks. A blocking task is queued once, runs once and
/// never returns `Pending`, so it is never rescheduled and no owned list tracks it
/// (the pool's queue holds it until it runs).
#[derive(Clone, Copy)]
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        debug_assert!(false, "a blocking task was rescheduled");
        drop(task);
    }

    fn release(&self, _task: &Task) -> Option<Task> {
        None
    }
}
