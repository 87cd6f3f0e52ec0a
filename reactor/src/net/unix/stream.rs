//! [`UnixStream`]: a Unix-domain stream connection.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::path::Path;
use std::task::{Context, Poll};

use socket2::{Domain, SockAddr, Socket, Type};

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::unix::split::{
    split, split_owned, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf,
};
use crate::net::unix::SocketAddr;
use crate::net::{readiness_methods, stream_io_traits, stream_try_methods};
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
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        match socket.connect(&address) {
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
        Ok((
            UnixStream::from_std_with_handle(a, handle.clone())?,
            UnixStream::from_std_with_handle(b, handle)?,
        ))
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

impl std::os::fd::AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.io.io().as_raw_fd()
    }
}

impl std::os::fd::AsFd for UnixStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.io().as_fd()
    }
}
