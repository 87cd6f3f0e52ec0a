//! [`ctrl_c`]: wait for the next `SIGINT`.

use std::io;

use super::unix::{signal, SignalKind};

/// Waits for the next Ctrl-C (`SIGINT`).
///
/// The handler is installed when the returned future is first polled; a `SIGINT` that
/// arrives before that is not seen. From then on, for the rest of the process, `SIGINT`
/// no longer terminates the process by default.
///
/// # Errors
///
/// If the handler cannot be installed.
///
/// ```no_run
/// # spindle_reactor::block_on_with_driver(&mut spindle_reactor::Driver::new()?, async {
/// spindle_reactor::signal::ctrl_c().await?;
/// println!("interrupted, shutting down");
/// # Ok::<(), std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = signal(SignalKind::interrupt())?;
    // `recv` only returns None if the dispatcher went away, which it never does.
    interrupts.recv().await;
    Ok(())
}
