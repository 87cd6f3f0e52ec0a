//! [`UnixDatagram`]: Unix-domain datagram sockets.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::path::Path;
use std::task::{Context, Poll};

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::unix::SocketAddr;
use crate::net::{datagram_methods, readiness_methods, std_socket_conversions};
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
        let address = crate::net::unix::address_of_path(path.as_ref())?;
        let socket = std::os::unix::net::UnixDatagram::bind_addr(&address)?;
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
        let (a, b) = (
            UnixDatagram::from_std_with_handle(a, handle.clone())?,
            UnixDatagram::from_std_with_handle(b, handle)?,
        );
        // A fresh pair has empty buffers: writable now, readable once the peer sends.
        a.io.registration().assume_ready(crate::io::Ready::WRITABLE);
        b.io.registration().assume_ready(crate::io::Ready::WRITABLE);
        Ok((a, b))
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

    pub(crate) fn from_std_with_handle(
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
        let address = crate::net::unix::address_of_path(path.as_ref())?;
        self.io.io().connect_addr(&address)
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
        let target = crate::net::unix::address_of_path(target.as_ref())?;
        self.io
            .registration()
            .async_io(Interest::WRITABLE, || {
                self.io.io().send_to_addr(buf, &target)
            })
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
        let target = crate::net::unix::address_of_path(target.as_ref())?;
        self.io.registration().try_io(Interest::WRITABLE, || {
            self.io.io().send_to_addr(buf, &target)
        })
    }

    /// Receives a datagram and its sender without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().recv_from(buf))
    }

    readiness_methods!();
    datagram_methods!(SocketAddr);

    /// Polls to send `buf` to the socket file `target`; only the last task to poll is
    /// woken.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let target = match crate::net::unix::address_of_path(target.as_ref()) {
            Ok(target) => target,
            Err(err) => return Poll::Ready(Err(err)),
        };
        self.io.registration().poll_io(cx, Interest::WRITABLE, || {
            self.io.io().send_to_addr(buf, &target)
        })
    }

    /// Shuts down the read side, the write side, or both: after `Shutdown::Write`
    /// sends on this socket fail with `BrokenPipe`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.io().shutdown(how)
    }

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

std_socket_conversions!(UnixDatagram, std::os::unix::net::UnixDatagram);
