//! `JoinError`: why a task produced no output.

use std::any::Any;
use std::fmt;
use std::io;

use super::Id;

/// The reason a task's [`JoinHandle`](crate::task::JoinHandle) gave no output: the task
/// was cancelled (aborted, or its runtime shut down) or it panicked.
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let rt = Runtime::new().unwrap();
/// let err = rt.block_on(async {
///     spindle_executor::spawn(async { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// ```
pub struct JoinError {
    id: Id,
    repr: Failure,
}

/// Why a task failed, without its id: what a finished task keeps in its cell until the
/// `JoinHandle` reads it (the id is in the cell's header already, and the handle adds it
/// back). One word, the panic boxed, because every task cell has room for one in its
/// stage and panics are rare: beside a small future's state it costs the stage nothing.
pub(crate) enum Failure {
    Cancelled,
    Panic(Box<Panicked>),
}

impl Failure {
    /// A task's future (or its drop) panicked with `payload`.
    pub(crate) fn panic(payload: Box<dyn Any + Send + 'static>) -> Failure {
        let message = payload
            .downcast_ref::<&'static str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        Failure::Panic(Box::new(Panicked {
            payload: PanicPayload(payload),
            message,
        }))
    }

    /// True for a panic: dropping it runs the payload's destructor, user code.
    pub(crate) fn is_panic(&self) -> bool {
        matches!(self, Failure::Panic(..))
    }
}

/// The payload, and its text when it was a string (copied at capture time, so that
/// formatting never reads the payload through a shared reference).
pub(crate) struct Panicked {
    payload: PanicPayload,
    message: Option<String>,
}

/// A panic payload that may be shared between threads because it can only be reached
/// through `&mut` or by value.
struct PanicPayload(Box<dyn Any + Send + 'static>);

// SAFETY: `Sync` lets other threads hold `&PanicPayload`, but no method reads the
// payload through `&self`; it is only reached through `&mut self` or by value, which
// already imply exclusive access on one thread.
unsafe impl Sync for PanicPayload {}

impl JoinError {
    /// The error of task `id`, which failed for `failure`.
    pub(crate) fn new(id: Id, failure: Failure) -> JoinError {
        JoinError { id, repr: failure }
    }

    /// True when the task was cancelled: aborted, or dropped by its runtime's shutdown.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Failure::Cancelled)
    }

    /// True when the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Failure::Panic(..))
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// Panics when the task was cancelled rather than panicking; check
    /// [`is_panic`](JoinError::is_panic) first or use
    /// [`try_into_panic`](JoinError::try_into_panic).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(err) => panic!(
                "JoinError::into_panic called on an error that is not a panic ({err}); \
                 check is_panic() first or use try_into_panic()"
            ),
        }
    }

    /// The panic payload, or the error itself when the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Failure::Panic(panicked) => Ok(panicked.payload.0),
            Failure::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Failure::Cancelled => write!(f, "task {} was cancelled", self.id),
            Failure::Panic(panicked) => match &panicked.message {
                Some(message) => write!(f, "task {} panicked with message {message:?}", self.id),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Failure::Cancelled => write!(f, "JoinError::Cancelled({:?})", self.id),
            Failure::Panic(panicked) => {
                write!(f, "JoinError::Panic({:?}, {:?})", self.id, panicked.message)
            }
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    /// As tokio does: `ErrorKind::Other` with the error's message. (Not `Interrupted`
    /// for a cancellation: IO loops retry `Interrupted`, which would spin on a task
    /// that can never finish.)
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err.to_string())
    }
}

#[cfg(test)]
mod size_tests {
    use super::Failure;

    #[test]
    fn a_failure_is_one_word() {
        // Every task cell reserves room for one in its stage.
        assert_eq!(std::mem::size_of::<Failure>(), std::mem::size_of::<usize>());
    }
}
