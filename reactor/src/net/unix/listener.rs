//! [`UnixListener`]: accepts Unix-domain stream connections.

use std::fmt;
use std::io;
use std::path::Path;
use std::task::{Context, Poll};

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::std_socket_conversions;
use crate::net::unix::{SocketAddr, UnixStream};
use crate::registration::PollEvented;

/// A Unix-domain socket listening for connections.
///
/// ```
/// use spindle_reactor::net::{UnixListener, UnixStream};
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("sock");
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let listener = UnixListener::bind(&path)?;
/// let _client = UnixStream::connect(&path).await?;
/// let (_server, _peer) = listener.accept().await?;
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    io: PollEvented<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds a listener to the socket file `path` (which must not exist yet; remove a
    /// stale one first). On Linux a `path` that starts with a NUL byte names an
    /// abstract socket instead.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let handle = context::current_for("spindle::net::UnixListener::bind");
        let address = crate::net::unix::address_of_path(path.as_ref())?;
        let listener = std::os::unix::net::UnixListener::bind_addr(&address)?;
        UnixListener::from_std_with_handle(listener, handle)
    }

    /// Binds a listener to the socket address `address`: a path, or on Linux and
    /// Android an abstract name (which leaves no file behind).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn bind_addr(address: &SocketAddr) -> io::Result<UnixListener> {
        let handle = context::current_for("spindle::net::UnixListener::bind_addr");
        let listener = std::os::unix::net::UnixListener::bind_addr(address)?;
        UnixListener::from_std_with_handle(listener, handle)
    }

    /// Registers a std listener with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        let handle = context::current_for("spindle::net::UnixListener::from_std");
        UnixListener::from_std_with_handle(listener, handle)
    }

    pub(crate) fn from_std_with_handle(
        listener: std::os::unix::net::UnixListener,
        handle: Handle,
    ) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        let io = PollEvented::new_with_handle(listener, Interest::READABLE, handle)?;
        Ok(UnixListener { io })
    }

    /// Deregisters the listener and returns the std listener, still non-blocking.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner())
    }

    /// Waits for a connection. Errors of `accept(2)` (such as `EMFILE`) are returned
    /// as they are; the pending connection stays queued for a later call.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, peer) = self
            .io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().accept())
            .await?;
        let handle = self.io.registration().handle().clone();
        UnixStream::from_accepted(stream, handle).map(|stream| (stream, peer))
    }

    /// Polls for a connection; stores the task's waker when none is pending (only the
    /// last task to poll is woken: tasks sharing a listener should use `accept`).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, peer) =
            std::task::ready!(self
                .io
                .registration()
                .poll_io(cx, Interest::READABLE, || self.io.io().accept()))?;
        let handle = self.io.registration().handle().clone();
        Poll::Ready(UnixStream::from_accepted(stream, handle).map(|stream| (stream, peer)))
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

std_socket_conversions!(UnixListener, std::os::unix::net::UnixListener);
