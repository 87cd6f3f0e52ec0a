//! [`UnixSocket`]: a Unix-domain socket set up before it becomes a listener, a stream
//! or a datagram socket.
//!
//! The socket's type is fixed when it is made (`new_stream` or `new_datagram`); the
//! conversion that does not fit the type (`listen` or `connect` on a datagram socket,
//! `datagram` on a stream socket) fails with `InvalidInput` naming the mismatch.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};
use std::path::Path;

use socket2::{SockAddr, Socket, Type};

use crate::context;
use crate::net::unix::stream::new_nonblocking_unix;
use crate::net::{UnixDatagram, UnixListener, UnixStream};

/// A Unix-domain socket that is not yet listening, connected or in use for datagrams:
/// [`bind`](UnixSocket::bind) it, then turn it into what it is for.
///
/// ```
/// use spindle_reactor::net::UnixSocket;
///
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("sock");
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let socket = UnixSocket::new_stream()?;
/// socket.bind(&path)?;
/// let listener = socket.listen(16)?;
/// let _client = UnixSocket::new_stream()?.connect(&path).await?;
/// let (_server, _peer) = listener.accept().await?;
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixSocket {
    inner: Socket,
}

impl UnixSocket {
    /// A new datagram socket (for [`datagram`](UnixSocket::datagram)).
    pub fn new_datagram() -> io::Result<UnixSocket> {
        UnixSocket::new(Type::DGRAM)
    }

    /// A new stream socket (for [`listen`](UnixSocket::listen) or
    /// [`connect`](UnixSocket::connect)).
    pub fn new_stream() -> io::Result<UnixSocket> {
        UnixSocket::new(Type::STREAM)
    }

    fn new(ty: Type) -> io::Result<UnixSocket> {
        Ok(UnixSocket {
            inner: new_nonblocking_unix(ty)?,
        })
    }

    fn ty(&self) -> io::Result<Type> {
        self.inner.r#type()
    }

    fn expect_type(&self, wanted: Type, call: &str) -> io::Result<()> {
        if self.ty()? == wanted {
            return Ok(());
        }
        let (is, make) = if wanted == Type::STREAM {
            ("a datagram", "UnixSocket::new_stream")
        } else {
            ("a stream", "UnixSocket::new_datagram")
        };
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("UnixSocket::{call} called on {is} socket: make it with {make}"),
        ))
    }

    /// Binds the socket to the socket file `path` (which must not exist yet).
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.bind(&SockAddr::unix(path)?)
    }

    /// Starts listening with room for `backlog` pending connections, and registers the
    /// listener with the current runtime's reactor. Fails on a datagram socket.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<UnixListener> {
        let handle = context::current_for("spindle::net::UnixSocket::listen");
        self.expect_type(Type::STREAM, "listen")?;
        self.inner
            .listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
        UnixListener::from_std_with_handle(self.inner.into(), handle)
    }

    /// Connects to the socket file `path` and returns the stream. Fails on a datagram
    /// socket.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn connect(self, path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let handle = context::current_for("spindle::net::UnixSocket::connect");
        self.expect_type(Type::STREAM, "connect")?;
        let address = SockAddr::unix(path)?;
        UnixStream::connect_socket(self.inner, &address, handle).await
    }

    /// Registers the socket with the current runtime's reactor as a datagram socket.
    /// Fails on a stream socket.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn datagram(self) -> io::Result<UnixDatagram> {
        let handle = context::current_for("spindle::net::UnixSocket::datagram");
        self.expect_type(Type::DGRAM, "datagram")?;
        UnixDatagram::from_std_with_handle(self.inner.into(), handle)
    }
}

impl fmt::Debug for UnixSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl AsRawFd for UnixSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for UnixSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl FromRawFd for UnixSocket {
    /// Takes ownership of `fd`, a Unix-domain socket; it is used as it is (set it to
    /// non-blocking mode first).
    ///
    /// # Safety
    ///
    /// `fd` must be an open socket that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> UnixSocket {
        UnixSocket {
            // SAFETY: forwarded from this function's contract.
            inner: unsafe { Socket::from_raw_fd(fd) },
        }
    }
}

impl IntoRawFd for UnixSocket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}
