//! Debugging aids: the live task list on a signal, like Go's SIGQUIT goroutine dump.

use std::io;

use crate::runtime::{Handle, TaskDump};
use crate::signal::unix::{signal, SignalKind};
use crate::task::JoinHandle;

/// Prints [`Handle::dump`] of the current runtime to stderr each time the process
/// receives `kind` (for example `SignalKind::quit()`, as Go does), from a task that
/// runs until the runtime shuts down or the returned handle is aborted.
///
/// ```no_run
/// use spindle::signal::unix::SignalKind;
///
/// #[spindle::main]
/// async fn main() -> std::io::Result<()> {
///     spindle::debug::dump_on_signal(SignalKind::quit())?;
///     // ... serve; `kill -QUIT <pid>` now prints every live task.
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// Fails when the signal cannot be listened for (a forbidden signal such as SIGKILL).
///
/// # Panics
///
/// Panics outside a runtime.
pub fn dump_on_signal(kind: SignalKind) -> io::Result<JoinHandle<()>> {
    on_signal_dump(kind, |dump| eprintln!("{dump}"))
}

/// As [`dump_on_signal`], handing each dump to `sink` instead of printing it.
///
/// # Errors
///
/// Fails when the signal cannot be listened for.
///
/// # Panics
///
/// Panics outside a runtime.
pub fn on_signal_dump(
    kind: SignalKind,
    mut sink: impl FnMut(TaskDump) + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    let handle = Handle::current();
    let mut listener = signal(kind)?;
    Ok(crate::spawn(async move {
        while listener.recv().await.is_some() {
            sink(handle.dump());
        }
    }))
}
