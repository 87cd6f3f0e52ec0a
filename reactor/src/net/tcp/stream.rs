//! [`TcpStream`]: a TCP connection.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::task::{Context, Poll};
use std::time::Duration;

use socket2::{Domain, SockRef, Socket};

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::addr::{try_each_addr, ToSocketAddrs};
use crate::net::tcp::socket::new_nonblocking_stream;
use crate::net::tcp::split::{
    split, split_owned, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf,
};
use crate::net::{readiness_methods, std_socket_conversions, stream_io_traits, stream_try_methods};
use crate::registration::PollEvented;

/// A TCP connection. Reads and writes through the `AsyncRead`/`AsyncWrite` traits
/// (see [`crate::io`]); closing it (`AsyncWriteExt::shutdown`) shuts down the write side
/// and leaves the read side open, so a half-closed exchange can finish.
///
/// ```
/// use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle_reactor::net::{TcpListener, TcpStream};
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
/// client.write_all(b"request").await?;
/// client.shutdown().await?; // half-close: the server reads to the end of stream
/// let mut request = Vec::new();
/// server.read_to_end(&mut request).await?;
/// server.write_all(b"response").await?;
/// drop(server); // closes the connection: the client reads to the end of stream
/// let mut response = String::new();
/// client.read_to_string(&mut response).await?;
/// assert_eq!((&request[..], &response[..]), (&b"request"[..], "response"));
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    pub(super) io: PollEvented<std::net::TcpStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`, trying each resolved address until one connects;
    /// the error of the last attempt is returned if none does.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let handle = context::current_for("spindle::net::TcpStream::connect");
        try_each_addr(&addr, |addr| {
            let handle = handle.clone();
            async move {
                let socket = new_nonblocking_stream(Domain::for_address(addr))?;
                TcpStream::connect_socket(socket, true, addr, handle).await
            }
        })
        .await
    }

    /// Starts a non-blocking connect on `socket` (switched to non-blocking mode first
    /// unless `nonblocking` says it is already) and waits for it to finish.
    pub(crate) async fn connect_socket(
        socket: Socket,
        nonblocking: bool,
        addr: SocketAddr,
        handle: Handle,
    ) -> io::Result<TcpStream> {
        if !nonblocking {
            socket.set_nonblocking(true)?;
        }
        match socket.connect(&addr.into()) {
            Ok(()) => {}
            Err(err)
                if err.raw_os_error() == Some(libc::EINPROGRESS)
                    || err.kind() == io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(err),
        }
        let stream = TcpStream::from_nonblocking(socket.into(), handle)?;
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

    /// Registers a std stream with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        let handle = context::current_for("spindle::net::TcpStream::from_std");
        TcpStream::from_std_with_handle(stream, handle)
    }

    pub(crate) fn from_std_with_handle(
        stream: std::net::TcpStream,
        handle: Handle,
    ) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_nonblocking(stream, handle)
    }

    pub(crate) fn from_nonblocking(
        stream: std::net::TcpStream,
        handle: Handle,
    ) -> io::Result<TcpStream> {
        let io =
            PollEvented::new_with_handle(stream, Interest::READABLE | Interest::WRITABLE, handle)?;
        Ok(TcpStream { io })
    }

    /// A stream `accept` returned (already non-blocking): assumed readable and
    /// writable, so its first read and write try the socket instead of waiting for
    /// the driver's first event, which under load can queue behind every other
    /// connection's events.
    pub(crate) fn from_accepted(
        stream: std::net::TcpStream,
        handle: Handle,
    ) -> io::Result<TcpStream> {
        let stream = TcpStream::from_nonblocking(stream, handle)?;
        stream
            .io
            .registration()
            .assume_ready(crate::io::Ready::READABLE | crate::io::Ready::WRITABLE);
        Ok(stream)
    }

    /// Deregisters the stream and returns the std stream, still in non-blocking mode.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Ok(self.io.into_inner())
    }

    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.io().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.io().nodelay()
    }

    /// Sets the IP time-to-live.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }

    /// Sets `SO_LINGER` (`None` turns it off).
    ///
    /// Deprecated as in tokio: a non-zero linger makes the `close` in `drop` block the
    /// thread (a runtime worker) until the data is sent or the time runs out. Zero
    /// does not block; use [`set_zero_linger`](Self::set_zero_linger) for it.
    #[deprecated = "`SO_LINGER` makes dropping the socket block the thread; use set_zero_linger"]
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        SockRef::from(self.io.io()).set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        SockRef::from(self.io.io()).linger()
    }

    /// Sets `SO_LINGER` to zero: closing the stream then discards unsent data and
    /// resets the connection (RST) instead of the orderly FIN exchange.
    pub fn set_zero_linger(&self) -> io::Result<()> {
        SockRef::from(self.io.io()).set_linger(Some(Duration::ZERO))
    }

    /// Whether `TCP_QUICKACK` is on (Linux, Android, Fuchsia, Cygwin).
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "fuchsia",
        target_os = "cygwin"
    ))]
    pub fn quickack(&self) -> io::Result<bool> {
        SockRef::from(self.io.io()).quickack()
    }

    /// Sets `TCP_QUICKACK`: acknowledge at once rather than delaying ACKs. The kernel
    /// may turn it off again by itself; it is not a permanent mode.
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "fuchsia",
        target_os = "cygwin"
    ))]
    pub fn set_quickack(&self, quickack: bool) -> io::Result<()> {
        SockRef::from(self.io.io()).set_quickack(quickack)
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    /// Reads into `buf` without removing the data from the socket's queue: the next
    /// read returns it again.
    ///
    /// Cancel safe: dropping the future before it completes consumes nothing.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().peek(buf))
            .await
    }

    /// Polls [`peek`](TcpStream::peek) into `buf`'s unfilled part, returning how many
    /// bytes were peeked (and filled). Only the last task to poll is woken.
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let peeked =
            std::task::ready!(self
                .io
                .registration()
                .poll_io(cx, Interest::READABLE, || self
                    .io
                    .io()
                    .peek(buf.initialize_unfilled())))?;
        buf.advance(peeked);
        Poll::Ready(Ok(peeked))
    }

    readiness_methods!();
    stream_try_methods!();

    /// Splits the stream into a read half and a write half that borrow it, for use
    /// in one task (for example with `join`). See [`into_split`](Self::into_split)
    /// for halves that move into two tasks.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split(self)
    }

    /// Splits the stream into owned halves that can move into two tasks; dropping the
    /// write half shuts down the write side. [`OwnedReadHalf::reunite`] puts them back
    /// together.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned(self)
    }

    /// Shuts down the write side (sends FIN); reads still work.
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

stream_io_traits!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

std_socket_conversions!(TcpStream, std::net::TcpStream);

impl AsRef<TcpStream> for TcpStream {
    fn as_ref(&self) -> &TcpStream {
        self
    }
}
