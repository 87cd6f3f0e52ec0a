//! [`TcpListener`]: accepts TCP connections.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::addr::{try_each_addr, ToSocketAddrs};
use crate::net::std_socket_conversions;
use crate::net::TcpStream;
use crate::registration::PollEvented;

/// A TCP socket listening for connections.
///
/// ```
/// use spindle_reactor::net::{TcpListener, TcpStream};
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let client = TcpStream::connect(listener.local_addr()?).await?;
/// let (server, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// assert_eq!(server.peer_addr()?, client.local_addr()?);
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    io: PollEvented<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds a listener to `addr`, trying each resolved address until one binds.
    /// The socket has `SO_REUSEADDR` set (as std's does on Unix); use [`TcpSocket`]
    /// for other options or a specific backlog.
    ///
    /// [`TcpSocket`]: crate::net::TcpSocket
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let handle = context::current_for("spindle::net::TcpListener::bind");
        try_each_addr(&addr, |addr| {
            let handle = handle.clone();
            async move {
                let listener = std::net::TcpListener::bind(addr)?;
                TcpListener::from_std_with_handle(listener, handle)
            }
        })
        .await
    }

    /// Registers a std listener with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        let handle = context::current_for("spindle::net::TcpListener::from_std");
        TcpListener::from_std_with_handle(listener, handle)
    }

    pub(crate) fn from_std_with_handle(
        listener: std::net::TcpListener,
        handle: Handle,
    ) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        let io = PollEvented::new_with_handle(listener, Interest::READABLE, handle)?;
        Ok(TcpListener { io })
    }

    /// Deregisters the listener and returns the std listener, still in non-blocking
    /// mode (call `set_nonblocking(false)` for blocking use).
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        Ok(self.io.into_inner())
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Errors from `accept(2)` are returned as they are, including `EMFILE`/`ENFILE`
    /// when the fd table is full: the pending connection stays queued, nothing spins,
    /// and a later `accept` succeeds once fds are freed. An accept loop should log the
    /// error and back off (for example with a short sleep) instead of retrying at once.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self
            .io
            .registration()
            .async_io(Interest::READABLE, || accept_nonblocking(self.io.io()))
            .await?;
        let handle = self.io.registration().handle().clone();
        TcpStream::from_accepted(stream, handle).map(|stream| (stream, peer))
    }

    /// Polls for a connection; stores the task's waker when none is pending (only the
    /// last task to poll is woken: tasks sharing a listener should use `accept`).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) =
            std::task::ready!(self
                .io
                .registration()
                .poll_io(cx, Interest::READABLE, || accept_nonblocking(self.io.io())))?;
        let handle = self.io.registration().handle().clone();
        Poll::Ready(TcpStream::from_accepted(stream, handle).map(|stream| (stream, peer)))
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// Sets the IP time-to-live of sockets this listener accepts.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

std_socket_conversions!(TcpListener, std::net::TcpListener);
/// Accepts one connection, already in non-blocking mode: on Linux one `accept4` with
/// `SOCK_NONBLOCK | SOCK_CLOEXEC` (std's `accept` would need an `ioctl` after it).
fn accept_nonblocking(
    listener: &std::net::TcpListener,
) -> io::Result<(std::net::TcpStream, SocketAddr)> {
    #[cfg(target_os = "linux")]
    {
        let (socket, peer) =
            socket2::SockRef::from(listener).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)?;
        let peer = peer.as_socket().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "accept returned a peer address that is not IPv4 or IPv6",
            )
        })?;
        Ok((socket.into(), peer))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let (stream, peer) = listener.accept()?;
        stream.set_nonblocking(true)?;
        Ok((stream, peer))
    }
}
