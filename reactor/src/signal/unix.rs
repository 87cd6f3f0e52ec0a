//! Unix signals as streams of notifications: [`signal`] makes a [`Signal`] listener for
//! one [`SignalKind`]; each [`Signal::recv`] resolves after the next delivery.
//!
//! See the [module docs](super) for how deliveries reach listeners.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::raw::c_int;
use std::task::{Context, Poll};

use super::registry::{self, Slot, SLOT_COUNT};

/// A kind of Unix signal, as a signal number.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

impl SignalKind {
    /// Any signal by its number, e.g. `SignalKind::from_raw(libc::SIGUSR1)`.
    pub const fn from_raw(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    pub const fn as_raw_value(&self) -> c_int {
        self.0
    }

    /// `SIGALRM`: a timer set with `alarm` expired.
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process stopped or exited.
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGHUP`: the terminal hung up; daemons often take it as "reload".
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGINT`: interrupt from the keyboard (Ctrl-C).
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGIO`: an fd is ready for IO.
    pub const fn io() -> SignalKind {
        SignalKind(libc::SIGIO)
    }

    /// `SIGPIPE`: a write to a pipe with no reader.
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGQUIT`: quit from the keyboard (Ctrl-\\).
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGTERM`: a polite request to terminate.
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGUSR1`: for the application's own use.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: for the application's own use.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGWINCH`: the terminal window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<c_int> for SignalKind {
    fn from(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }
}

impl From<SignalKind> for c_int {
    fn from(kind: SignalKind) -> c_int {
        kind.0
    }
}

impl fmt::Debug for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignalKind({})", self.0)
    }
}

/// Signals whose handler would be useless or wrong: `SIGKILL` and `SIGSTOP` cannot be
/// caught, and returning from a handler of a synchronous fault re-runs the faulting
/// instruction.
const FORBIDDEN: &[(c_int, &str)] = &[
    (libc::SIGKILL, "SIGKILL"),
    (libc::SIGSTOP, "SIGSTOP"),
    (libc::SIGSEGV, "SIGSEGV"),
    (libc::SIGILL, "SIGILL"),
    (libc::SIGFPE, "SIGFPE"),
    (libc::SIGBUS, "SIGBUS"),
];

fn check_listenable(signum: c_int) -> io::Result<()> {
    if let Some((_, name)) = FORBIDDEN.iter().find(|(known, _)| *known == signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "cannot listen for {name} (signal {signum}): SIGKILL and SIGSTOP cannot be \
                 caught, and SIGSEGV, SIGILL, SIGFPE and SIGBUS are synchronous faults that \
                 must not be handled asynchronously"
            ),
        ));
    }
    if signum <= 0 || signum as usize >= SLOT_COUNT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cannot listen for signal {signum}: not a valid signal number"),
        ));
    }
    Ok(())
}

/// Listens for `kind`: the returned [`Signal`] sees every delivery from now on.
///
/// The first call for a signal installs a handler that stays for the rest of the
/// process (the signal's default action, such as terminating, no longer happens).
/// Unlike most IO types this works outside a runtime too: deliveries are dispatched by a
/// dedicated thread, not by a reactor.
///
/// # Errors
///
/// `InvalidInput` for `SIGKILL`, `SIGSTOP`, `SIGSEGV`, `SIGILL`, `SIGFPE`, `SIGBUS` and
/// numbers that are not signals; an OS error if the handler cannot be installed.
///
/// ```
/// use spindle_reactor::signal::unix::{signal, SignalKind};
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let mut hangups = signal(SignalKind::hangup())?;
/// // SAFETY: raise(3) has no memory-safety preconditions.
/// unsafe { libc::raise(libc::SIGHUP) };
/// assert_eq!(hangups.recv().await, Some(()));
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.0;
    check_listenable(signum)?;
    let slot = registry::install(signum)?;
    // Read the generation after installing: deliveries from here on are seen.
    let seen = slot.generation.load(std::sync::atomic::Ordering::SeqCst);
    let key = slot.add_listener();
    Ok(Signal {
        kind,
        slot,
        key,
        seen,
    })
}

/// A listener for one kind of signal, made by [`signal`].
///
/// Deliveries between two [`recv`](Signal::recv)s coalesce into one notification; none
/// is lost. Every `Signal` of the same kind is notified of each delivery.
pub struct Signal {
    kind: SignalKind,
    slot: &'static Slot,
    key: usize,
    /// The slot's generation at this listener's last notification (or creation).
    seen: u64,
}

impl Signal {
    /// Waits for the next delivery of the signal since the last `recv` (or since this
    /// listener was made). Always `Some(())`; the `Option` mirrors tokio's API.
    ///
    /// Cancel-safe: dropping the future loses no delivery.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; `Poll::Ready(Some(()))` once one happened since the
    /// last notification.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        use std::sync::atomic::Ordering::SeqCst;
        if self.take_delivery(self.slot.generation.load(SeqCst)) {
            return Poll::Ready(Some(()));
        }
        self.slot.set_waker(self.key, cx.waker());
        // Look again after storing the waker: see the registry's wake-up protocol.
        if self.take_delivery(self.slot.generation.load(SeqCst)) {
            return Poll::Ready(Some(()));
        }
        Poll::Pending
    }

    fn take_delivery(&mut self, generation: u64) -> bool {
        if generation == self.seen {
            return false;
        }
        self.seen = generation;
        true
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        self.slot.remove_listener(self.key);
    }
}
