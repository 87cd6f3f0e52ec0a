//! Running one file-system call on the blocking pool, and turning the pool's failures
//! into `io::Error`s that name the call.
//!
//! Every operation of `spindle::fs` and of the stdio handles is a synchronous `std`
//! call moved onto a blocking-pool thread. The pool can fail it in two ways that the
//! caller must see as IO errors, not as panics or hangs: the closure panicked, or the
//! runtime shut down before it ran. Both become `io::ErrorKind::Other` with the
//! operation's name in the message. `Interrupted` is avoided on purpose: `write_all`
//! and friends retry on it, which would turn a dead runtime into a busy loop.

use std::io;

use spindle_executor::runtime::Handle;
use spindle_executor::task::{JoinError, JoinHandle};

/// Starts `work` on the blocking pool of the current runtime.
///
/// # Panics
///
/// Panics outside a runtime, with a message that names `operation`.
#[track_caller]
pub(crate) fn spawn<F, R>(operation: &'static str, work: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(work),
        Err(_) => panic!(
            "there is no reactor running, must be called from the context of a Tokio 1.x \
             runtime: {operation} called outside a runtime: it runs on the blocking pool of the current \
             runtime; enter one with Runtime::enter(), call it from inside Runtime::block_on() \
             or a spawned task, or use #[spindle::main]"
        ),
    }
}

/// Runs `work` on the blocking pool and waits for its result.
///
/// # Panics
///
/// Panics outside a runtime (on the first poll), with a message that names
/// `operation`.
pub(crate) async fn run<F, T>(operation: &'static str, work: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match spawn(operation, work).await {
        Ok(result) => result,
        Err(err) => Err(join_error(operation, err)),
    }
}

/// The `io::Error` for a blocking task of `operation` that gave no output.
pub(crate) fn join_error(operation: &'static str, err: JoinError) -> io::Error {
    if err.is_panic() {
        let message = match err.try_into_panic() {
            Ok(payload) => payload
                .downcast_ref::<&'static str>()
                .map(|text| (*text).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned()),
            Err(_) => None,
        };
        match message {
            Some(message) => io::Error::other(format!(
                "{operation}: the blocking task panicked with message {message:?}"
            )),
            None => io::Error::other(format!("{operation}: the blocking task panicked")),
        }
    } else {
        io::Error::other(format!(
            "{operation}: the runtime shut down before the blocking task finished"
        ))
    }
}

#[cfg(test)]
mod tests {
    use spindle_executor::runtime::Runtime;

    #[test]
    fn panic_of_the_blocking_task_becomes_an_error_naming_the_operation() {
        let runtime = Runtime::new().expect("runtime builds");
        let err = runtime
            .block_on(super::run(
                "spindle::fs::example",
                || -> std::io::Result<()> { panic!("disk on fire") },
            ))
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::Other);
        assert_eq!(
            err.to_string(),
            "spindle::fs::example: the blocking task panicked with message \"disk on fire\""
        );
    }
}
