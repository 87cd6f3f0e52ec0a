//! [`UnixStream`]: a Unix-domain stream connection.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::path::Path;
use std::task::{Context, Poll};

use socket2::{Domain, SockAddr, Socket, Type};

use crate::context;
use crate::driver::Handle;
use crate::io::{Interest, Ready};
use crate::net::unix::split::{
    split, split_owned, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf,
};
use crate::net::unix::{SocketAddr, UCred};
use crate::net::{readiness_methods, std_socket_conversions, stream_io_traits, stream_try_methods};
use crate::registration::PollEvented;

/// A Unix-domain stream connection; reads and writes through the `AsyncRead`/
/// `AsyncWrite` traits, and closing it shuts down the write side.
///
/// ```
/// use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle_reactor::net::UnixStream;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"over the socketpair").await?;
/// a.shutdown().await?;
/// let mut got = String::new();
/// b.read_to_string(&mut got).await?;
/// assert_eq!(got, "over the socketpair");
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixStream {
    io: PollEvented<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket file `path`.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let handle = context::current_for("spindle::net::UnixStream::connect");
        let address = SockAddr::unix(path)?;
        let socket = new_nonblocking_unix(Type::STREAM)?;
        UnixStream::connect_socket(socket, &address, handle).await
    }

    /// Connects to the socket address `address`: a path, or on Linux and Android an
    /// abstract name (made with `std::os::linux::net::SocketAddrExt::from_abstract_name`).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn connect_addr(address: &SocketAddr) -> io::Result<UnixStream> {
        let handle = context::current_for("spindle::net::UnixStream::connect_addr");
        let address = sock_addr_of(address)?;
        let socket = new_nonblocking_unix(Type::STREAM)?;
        UnixStream::connect_socket(socket, &address, handle).await
    }

    /// Starts a non-blocking connect of `socket` (already non-blocking) to `address`
    /// and waits for it to finish.
    pub(crate) async fn connect_socket(
        socket: Socket,
        address: &SockAddr,
        handle: Handle,
    ) -> io::Result<UnixStream> {
        match socket.connect(address) {
            Ok(()) => {}
            Err(err)
                if err.raw_os_error() == Some(libc::EINPROGRESS)
                    || err.kind() == io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(err),
        }
        let stream = UnixStream::from_nonblocking(socket.into(), handle)?;
        stream
            .io
            .registration()
            .readiness(Interest::WRITABLE)
            .await?;
        if let Some(err) = stream.io.io().take_error()? {
            return Err(err);
        }
        Ok(stream)
    }

    /// A connected pair of streams (`socketpair(2)`), both registered with the current
    /// runtime's reactor.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let handle = context::current_for("spindle::net::UnixStream::pair");
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        let (a, b) = (
            UnixStream::from_std_with_handle(a, handle.clone())?,
            UnixStream::from_std_with_handle(b, handle)?,
        );
        // A fresh pair has empty buffers: writable now, readable once the peer writes.
        a.io.registration().assume_ready(Ready::WRITABLE);
        b.io.registration().assume_ready(Ready::WRITABLE);
        Ok((a, b))
    }

    /// A stream `accept` returned: assumed readable and writable (see
    /// `TcpStream::from_accepted`).
    pub(crate) fn from_accepted(
        stream: std::os::unix::net::UnixStream,
        handle: Handle,
    ) -> io::Result<UnixStream> {
        let stream = UnixStream::from_std_with_handle(stream, handle)?;
        stream
            .io
            .registration()
            .assume_ready(Ready::READABLE | Ready::WRITABLE);
        Ok(stream)
    }

    /// Registers a std stream with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        let handle = context::current_for("spindle::net::UnixStream::from_std");
        UnixStream::from_std_with_handle(stream, handle)
    }

    pub(crate) fn from_std_with_handle(
        stream: std::os::unix::net::UnixStream,
        handle: Handle,
    ) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_nonblocking(stream, handle)
    }

    fn from_nonblocking(
        stream: std::os::unix::net::UnixStream,
        handle: Handle,
    ) -> io::Result<UnixStream> {
        let io =
            PollEvented::new_with_handle(stream, Interest::READABLE | Interest::WRITABLE, handle)?;
        Ok(UnixStream { io })
    }

    /// Deregisters the stream and returns the std stream, still non-blocking.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// The credentials of the peer process (`SO_PEERCRED` on Linux).
    pub fn peer_cred(&self) -> io::Result<UCred> {
        crate::net::unix::ucred::peer_cred(self.io.io())
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    readiness_methods!();
    stream_try_methods!();

    /// Splits the stream into borrowed read and write halves, for use in one task.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split(self)
    }

    /// Splits the stream into owned halves that can move into two tasks; dropping the
    /// write half shuts down the write side.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned(self)
    }

    /// Shuts down the write side; reads still work.
    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        self.io.registration().ready_now(Interest::WRITABLE)?;
        self.io.io().shutdown(Shutdown::Write)
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.io.poll_read(cx, buf)
    }

    pub(crate) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    pub(crate) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }
}

stream_io_traits!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

std_socket_conversions!(UnixStream, std::os::unix::net::UnixStream);

impl AsRef<UnixStream> for UnixStream {
    fn as_ref(&self) -> &UnixStream {
        self
    }
}

/// A new non-blocking, close-on-exec Unix-domain socket of type `ty`.
pub(crate) fn new_nonblocking_unix(ty: Type) -> io::Result<Socket> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return Socket::new(Domain::UNIX, ty.nonblocking(), None);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let socket = Socket::new(Domain::UNIX, ty, None)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }
}

/// `address` as socket2's address type: its path, or (Linux, Android) its abstract
/// name; an unnamed address cannot be connected to.
pub(crate) fn sock_addr_of(address: &SocketAddr) -> io::Result<SockAddr> {
    if let Some(path) = address.as_pathname() {
        return SockAddr::unix(path);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        if let Some(name) = address.as_abstract_name() {
            let mut bytes = Vec::with_capacity(name.len() + 1);
            bytes.push(0);
            bytes.extend_from_slice(name);
            let path: &std::ffi::OsStr = std::os::unix::ffi::OsStrExt::from_bytes(&bytes);
            return SockAddr::unix(path);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "an unnamed Unix socket address cannot be connected to: use a path or an abstract name",
    ))
}
