//! [`UnixDatagram`]: Unix-domain datagram sockets.

use std::fmt;
use std::io;
use std::path::Path;

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::readiness_methods;
use crate::net::unix::SocketAddr;
use crate::registration::PollEvented;

/// A Unix-domain datagram socket.
///
/// ```
/// use spindle_reactor::net::UnixDatagram;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"one datagram").await?;
/// let mut buf = [0; 32];
/// let len = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..len], b"one datagram");
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixDatagram {
    io: PollEvented<std::os::unix::net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to the socket file `path`.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let handle = context::current_for("spindle::net::UnixDatagram::bind");
        let socket = std::os::unix::net::UnixDatagram::bind(path)?;
        UnixDatagram::from_std_with_handle(socket, handle)
    }

    /// A socket bound to no address (it can send, and receive replies only after
    /// `connect`, or from a peer that knows it through a `pair`).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        let handle = context::current_for("spindle::net::UnixDatagram::unbound");
        let socket = std::os::unix::net::UnixDatagram::unbound()?;
        UnixDatagram::from_std_with_handle(socket, handle)
    }

    /// A connected pair of sockets.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let handle = context::current_for("spindle::net::UnixDatagram::pair");
        let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
        Ok((
            UnixDatagram::from_std_with_handle(a, handle.clone())?,
            UnixDatagram::from_std_with_handle(b, handle)?,
        ))
    }

    /// Registers a std socket with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        let handle = context::current_for("spindle::net::UnixDatagram::from_std");
        UnixDatagram::from_std_with_handle(socket, handle)
    }

    fn from_std_with_handle(
        socket: std::os::unix::net::UnixDatagram,
        handle: Handle,
    ) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        let io =
            PollEvented::new_with_handle(socket, Interest::READABLE | Interest::WRITABLE, handle)?;
        Ok(UnixDatagram { io })
    }

    /// Deregisters the socket and returns the std socket, still non-blocking.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner())
    }

    /// Sets the default peer for `send`/`recv` to the socket file `path`.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.io().connect(path)
    }

    /// Sends `buf` to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::WRITABLE, || self.io.io().send(buf))
            .await
    }

    /// Receives a datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().recv(buf))
            .await
    }

    /// Sends `buf` to the socket file `target`.
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .registration()
            .async_io(Interest::WRITABLE, || self.io.io().send_to(buf, target))
            .await
    }

    /// Receives a datagram and its sender's address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().recv_from(buf))
            .await
    }

    /// Sends to the connected peer without waiting.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::WRITABLE, || self.io.io().send(buf))
    }

    /// Receives from the connected peer without waiting.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().recv(buf))
    }

    /// Sends to `target` without waiting.
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::WRITABLE, || self.io.io().send_to(buf, target))
    }

    /// Receives a datagram and its sender without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().recv_from(buf))
    }

    readiness_methods!();

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

impl std::os::fd::AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.io.io().as_raw_fd()
    }
}

impl std::os::fd::AsFd for UnixDatagram {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.io().as_fd()
    }
}
