//! Knowing when a child exits, and reaping children nobody waits for.
//!
//! A [`Child`](super::Child) waits on an [`ExitWatch`]: on Linux ≥ 5.3 a pidfd
//! (`pidfd_open`), registered with the reactor, becomes readable when the process
//! exits; elsewhere (or if `pidfd_open` fails, e.g. under a seccomp filter) a `SIGCHLD`
//! listener wakes the waiter and it calls `waitpid(pid, WNOHANG)` again. Neither polls
//! on a timer.
//!
//! A `Child` dropped before its exit was collected goes to a process-global orphan queue
//! (after being killed, with `kill_on_drop`). Orphans are reaped with
//! `waitpid(pid, WNOHANG)`:
//! - by the signal dispatcher thread after every `SIGCHLD` (the handler is installed
//!   when the first orphan is queued, and the queue is swept once right after, so an
//!   exit that happened before the handler existed is not missed), and
//! - whenever any child is spawned or its wait is polled.
//!
//! Only pids we spawned are ever waited for: `waitpid(-1)` would steal the exit status
//! of children that other code in the process spawned.

use std::io;
use std::os::fd::OwnedFd;
use std::process::{Child as StdChild, ExitStatus};
use std::sync::{Mutex, MutexGuard};
use std::task::{ready, Context, Poll};

use crate::io::unix::AsyncFd;
use crate::io::Interest;
use crate::signal::unix::{signal, Signal, SignalKind};

/// How a waiter learns that its child may have exited.
pub(crate) enum ExitWatch {
    /// A pidfd; readable once the process has exited.
    PidFd(AsyncFd<OwnedFd>),
    /// A `SIGCHLD` listener, made before the first wait so no exit is missed.
    Sigchld(Signal),
}

impl ExitWatch {
    /// Picks the best watch for `child`: a pidfd if the kernel gives one (and the
    /// caller did not ask for `SIGCHLD`).
    pub(crate) fn new(child: &StdChild, reap_with_sigchld: bool) -> io::Result<ExitWatch> {
        if let Some(pidfd) = open_pidfd(child.id()).filter(|_| !reap_with_sigchld) {
            return Ok(ExitWatch::PidFd(AsyncFd::with_interest(
                pidfd,
                Interest::READABLE,
            )?));
        }
        Ok(ExitWatch::Sigchld(signal(SignalKind::child())?))
    }

    /// Polls `child` until it exits.
    pub(crate) fn poll_exit(
        &mut self,
        child: &mut StdChild,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ExitStatus>> {
        reap_orphans();
        loop {
            if let Some(status) = child.try_wait()? {
                return Poll::Ready(Ok(status));
            }
            match self {
                ExitWatch::PidFd(pidfd) => {
                    let mut guard = ready!(pidfd.poll_read_ready(cx))?;
                    if let Some(status) = child.try_wait()? {
                        return Poll::Ready(Ok(status));
                    }
                    // Not exited after all (a stale event): wait for the next one.
                    guard.clear_ready();
                }
                ExitWatch::Sigchld(sigchld) => {
                    if ready!(sigchld.poll_recv(cx)).is_none() {
                        return Poll::Ready(Err(io::Error::other(
                            "the SIGCHLD listener closed while waiting for a child",
                        )));
                    }
                }
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn open_pidfd(pid: u32) -> Option<OwnedFd> {
    use std::os::fd::FromRawFd;
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags by value and touches no memory of ours.
    // The pid is our unreaped child, so it cannot have been recycled.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        // ENOSYS (kernel < 5.3), EPERM (seccomp), ...: fall back to SIGCHLD.
        return None;
    }
    let fd = std::os::fd::RawFd::try_from(fd).ok()?;
    // SAFETY: pidfd_open returned a new fd (with close-on-exec set) that nothing else
    // owns; the OwnedFd becomes its only owner.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(not(target_os = "linux"))]
fn open_pidfd(_pid: u32) -> Option<OwnedFd> {
    None
}

/// Children dropped before they were reaped.
static ORPHANS: Mutex<Vec<StdChild>> = Mutex::new(Vec::new());

fn orphans() -> MutexGuard<'static, Vec<StdChild>> {
    // Nothing is left half-done while the lock is held.
    ORPHANS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Queues a dropped, unreaped child to be reaped when it exits.
pub(crate) fn adopt_orphan(child: StdChild) {
    orphans().push(child);
    // If the SIGCHLD handler cannot be installed, orphans are still reaped on the next
    // spawn or wait of any child.
    let _ = crate::signal::add_dispatch_hook(libc::SIGCHLD, reap_orphans);
    reap_orphans();
}

/// Reaps every orphan that has exited; keeps the rest.
pub(crate) fn reap_orphans() {
    let mut orphans = orphans();
    // Ok(None): still running. An error (ECHILD: someone else reaped it) also ends our
    // responsibility for it.
    orphans.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
}

/// How many orphans are waiting to be reaped (for tests and debugging).
#[doc(hidden)]
pub fn orphan_count() -> usize {
    orphans().len()
}
