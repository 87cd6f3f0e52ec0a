//! Graceful shutdown: tell every task to wrap up, give them a bounded time to do it,
//! then drop what is left and say who it was.
//!
//! This is asyncio's `run` exit (cancel what is left, then wait for it to finish
//! cleaning up) made explicit, which tokio leaves to each application. Each runtime owns
//! one [`CancellationToken`](spindle_sync::CancellationToken), its *shutdown token*
//! ([`Handle::shutdown_token`](super::Handle::shutdown_token)); tasks that have async
//! cleanup to do select on it. [`Runtime::shutdown_graceful`](super::Runtime) cancels
//! it and then waits, driving the runtime, until the owned-task list is empty, the
//! timeout passes, or (with `shutdown_graceful_or`) the caller's "stop now" future
//! completes. Whatever is still alive is listed in the [`ShutdownReport`] before the
//! ordinary shutdown drops it, so a task that ignores the token is named rather than
//! silently lost.
//!
//! The deadline uses the runtime's timer when it has one (so a paused test clock
//! applies to it too); without a timer driver a short-lived thread keeps the time.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use spindle_sync::CancellationToken;

use super::TaskInfo;

/// How a graceful shutdown's drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DrainOutcome {
    /// Every task finished before the timeout.
    Drained,
    /// The timeout passed with tasks still alive.
    TimedOut,
    /// The caller's stop-now future completed first (for `#[spindle::main]`, a second
    /// ctrl-c or SIGTERM).
    EndedEarly,
}

/// What a graceful shutdown found: how it ended, how long it took, and every task still
/// alive when it stopped waiting (those were then dropped).
///
/// Its `Display` is a short account meant for a log or stderr.
#[derive(Debug, Clone)]
pub struct ShutdownReport {
    pub(crate) outcome: DrainOutcome,
    pub(crate) elapsed: Duration,
    pub(crate) timeout: Duration,
    pub(crate) remaining: Vec<TaskInfo>,
}

impl ShutdownReport {
    /// How the drain ended.
    pub fn outcome(&self) -> DrainOutcome {
        self.outcome
    }

    /// True when every task finished in time and nothing was dropped.
    pub fn is_drained(&self) -> bool {
        self.outcome == DrainOutcome::Drained
    }

    /// How long the drain took, from cancelling the token to the last task finishing
    /// or the wait ending.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The tasks still alive when the wait ended, in spawn order: id, name, spawn site,
    /// state. They were dropped after the report was taken.
    pub fn remaining_tasks(&self) -> &[TaskInfo] {
        &self.remaining
    }
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let elapsed = self.elapsed.as_secs_f64();
        match self.outcome {
            DrainOutcome::Drained => {
                return write!(f, "graceful shutdown: every task finished in {elapsed:.3}s");
            }
            DrainOutcome::TimedOut => write!(
                f,
                "graceful shutdown: timed out after {:.3}s with {} task(s) still running; \
                 they were dropped:",
                self.timeout.as_secs_f64(),
                self.remaining.len()
            )?,
            DrainOutcome::EndedEarly => write!(
                f,
                "graceful shutdown: ended early after {elapsed:.3}s with {} task(s) still \
                 running; they were dropped:",
                self.remaining.len()
            )?,
        }
        for task in &self.remaining {
            write!(
                f,
                "\n  task {} {:?} ({}), spawned at {}",
                task.id,
                task.name.as_deref().unwrap_or("unnamed"),
                task.state,
                task.spawned_at
            )?;
        }
        Ok(())
    }
}

/// Cancels `token`, then waits until `all_finished` completes, `timeout` passes or
/// `stop_now` completes, whichever is first. Runs inside the runtime's `block_on`.
pub(crate) async fn drain(
    token: &CancellationToken,
    all_finished: impl Future<Output = ()>,
    timeout: Duration,
    has_timer: bool,
    stop_now: impl Future<Output = ()>,
) -> DrainOutcome {
    token.cancel();
    let deadline = Deadline::start(timeout, has_timer);
    let mut all_finished = pin!(all_finished);
    let mut stop_now = pin!(stop_now);
    let mut expired = pin!(deadline.expired());
    std::future::poll_fn(|cx| {
        // Finishing wins a tie: a drain that completed is reported as drained even if
        // the deadline fell in the same tick.
        if all_finished.as_mut().poll(cx).is_ready() {
            return Poll::Ready(DrainOutcome::Drained);
        }
        if stop_now.as_mut().poll(cx).is_ready() {
            return Poll::Ready(DrainOutcome::EndedEarly);
        }
        if expired.as_mut().poll(cx).is_ready() {
            return Poll::Ready(DrainOutcome::TimedOut);
        }
        Poll::Pending
    })
    .await
}

/// The drain's deadline: the runtime's timer when there is one, else a thread that
/// waits out the timeout unless told to stop first.
enum Deadline {
    Timer(Duration),
    Thread {
        expired: CancellationToken,
        /// Dropping it wakes the timer thread so it exits at once.
        _stop: crossbeam_channel::Sender<()>,
    },
}

impl Deadline {
    fn start(timeout: Duration, has_timer: bool) -> Deadline {
        if has_timer {
            return Deadline::Timer(timeout);
        }
        let expired = CancellationToken::new();
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let fire = expired.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-shutdown-deadline".into())
            .spawn(move || {
                if let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(timeout)
                {
                    fire.cancel();
                }
            });
        if spawned.is_err() {
            // No thread to keep time: end the wait now rather than risk waiting forever.
            expired.cancel();
        }
        Deadline::Thread {
            expired,
            _stop: stop,
        }
    }

    async fn expired(&self) {
        match self {
            Deadline::Timer(timeout) => spindle_timers::time::sleep(*timeout).await,
            Deadline::Thread { expired, .. } => expired.cancelled().await,
        }
    }
}
