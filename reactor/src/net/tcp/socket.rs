//! [`TcpSocket`]: a TCP socket configured before it becomes a listener or a stream.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::context;
use crate::net::{TcpListener, TcpStream};

/// A TCP socket that is not yet listening or connected: set options, `bind`, then
/// [`listen`](TcpSocket::listen) or [`connect`](TcpSocket::connect).
///
/// ```
/// use spindle_reactor::net::TcpSocket;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.bind("127.0.0.1:0".parse().unwrap())?;
/// let listener = socket.listen(128)?;
///
/// let client = TcpSocket::new_v4()?.connect(listener.local_addr()?).await?;
/// let (_server, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpSocket {
    inner: Socket,
    /// Known to be in non-blocking mode already (made by `new`), so `connect` need
    /// not set it again.
    nonblocking: bool,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket.
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let inner = new_nonblocking_stream(domain)?;
        Ok(TcpSocket {
            inner,
            nonblocking: true,
        })
    }

    /// Sets `SO_KEEPALIVE`: probe an idle connection so a dead peer is noticed.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets `SO_LINGER` (`None` turns it off); kept by the stream `connect` makes.
    ///
    /// Deprecated as in tokio: a non-zero linger makes dropping the stream block the
    /// thread; use [`set_zero_linger`](Self::set_zero_linger) for the zero case.
    #[deprecated = "`SO_LINGER` makes dropping the socket block the thread; use set_zero_linger"]
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(linger)
    }

    /// Sets `SO_LINGER` to zero: closing resets the connection instead of a FIN.
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.inner.set_linger(Some(Duration::ZERO))
    }

    /// The `SO_LINGER` setting.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// The IPv6 traffic class (`IPV6_TCLASS`).
    pub fn tclass_v6(&self) -> io::Result<u32> {
        self.inner.tclass_v6()
    }

    /// Sets the IPv6 traffic class (`IPV6_TCLASS`).
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        self.inner.set_tclass_v6(tclass)
    }

    /// The IPv4 type-of-service field (`IP_TOS`); the same as `tos`.
    pub fn tos_v4(&self) -> io::Result<u32> {
        self.inner.tos()
    }

    /// Sets the IPv4 type-of-service field (`IP_TOS`); the same as `set_tos`.
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        self.inner.set_tos(tos)
    }

    /// The IPv4 type-of-service field (`IP_TOS`).
    pub fn tos(&self) -> io::Result<u32> {
        self.inner.tos()
    }

    /// Sets the IPv4 type-of-service field (`IP_TOS`).
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        self.inner.set_tos(tos)
    }

    /// The interface the socket is bound to (`SO_BINDTODEVICE`), if any.
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
    pub fn device(&self) -> io::Result<Option<Vec<u8>>> {
        self.inner.device()
    }

    /// Binds the socket to the interface named `interface` (`None` unbinds); needs
    /// `CAP_NET_RAW` on Linux.
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
    pub fn bind_device(&self, interface: Option<&[u8]>) -> io::Result<()> {
        self.inner.bind_device(interface)
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Sets `SO_REUSEADDR`: bind to an address still in `TIME_WAIT`.
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets may bind the same address and port.
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuseport)
    }

    /// Whether `SO_REUSEPORT` is set.
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets `SO_SNDBUF` (the kernel may round it, on Linux it doubles it).
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The `SO_SNDBUF` size.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate_u32)
    }

    /// Sets `SO_RCVBUF` (the kernel may round it, on Linux it doubles it).
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The `SO_RCVBUF` size.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate_u32)
    }

    /// Sets `TCP_NODELAY` on the socket (kept by the stream `connect` makes).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Binds the socket to `addr`.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&addr.into())
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()?.as_socket().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the socket has no IP address")
        })
    }

    /// Starts listening with room for `backlog` pending connections, and registers
    /// the listener with the current runtime's reactor.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let handle = context::current_for("spindle::net::TcpSocket::listen");
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.inner.listen(backlog)?;
        TcpListener::from_std_with_handle(self.inner.into(), handle)
    }

    /// Connects to `addr` and returns the stream.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let handle = context::current_for("spindle::net::TcpSocket::connect");
        TcpStream::connect_socket(self.inner, self.nonblocking, addr, handle).await
    }

    /// Wraps a std stream's socket (to set options on it before use).
    pub fn from_std_stream(stream: std::net::TcpStream) -> TcpSocket {
        TcpSocket {
            inner: Socket::from(stream),
            nonblocking: false,
        }
    }
}

/// A new non-blocking TCP socket: one `socket` call with `SOCK_NONBLOCK` on Linux
/// (socket2 would otherwise set the mode with two `fcntl` calls).
pub(crate) fn new_nonblocking_stream(domain: Domain) -> io::Result<Socket> {
    #[cfg(target_os = "linux")]
    return Socket::new(domain, Type::STREAM.nonblocking(), Some(Protocol::TCP));
    #[cfg(not(target_os = "linux"))]
    {
        let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }
}

fn saturate_u32(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl FromRawFd for TcpSocket {
    /// Takes ownership of `fd`, a TCP socket; `connect` switches it to non-blocking
    /// mode.
    ///
    /// # Safety
    ///
    /// `fd` must be an open socket that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> TcpSocket {
        TcpSocket {
            // SAFETY: forwarded from this function's contract.
            inner: unsafe { Socket::from_raw_fd(fd) },
            nonblocking: false,
        }
    }
}

impl IntoRawFd for TcpSocket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}
