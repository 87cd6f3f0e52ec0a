//! Asynchronous IO: readiness types, [`unix::AsyncFd`], and the traits and helpers
//! users need, re-exported so `spindle::io` is one import.
//!
//! The traits are the `futures-io` ones ([`AsyncRead`], [`AsyncWrite`],
//! [`AsyncBufRead`], [`AsyncSeek`]) and their extension traits from `futures-util`;
//! every stream type in [`crate::net`] implements them natively. With the `tokio-io`
//! feature the stream types also implement tokio's `AsyncRead`/`AsyncWrite`, and with
//! the `hyper` feature `TcpStream` and `UnixStream` implement hyper 1.x's
//! `hyper::rt::{Read, Write}`, so hyper's connections take them as they are.
//!
//! ```
//! use spindle_reactor::io::{self, AsyncBufReadExt, AsyncWriteExt, BufReader};
//! use spindle_reactor::net::UnixStream;
//!
//! let mut driver = spindle_reactor::Driver::new()?;
//! driver.block_on(async {
//!     let (mut a, b) = UnixStream::pair()?;
//!     a.write_all(b"first line\nsecond\n").await?;
//!     let mut lines = BufReader::new(b);
//!     let mut line = String::new();
//!     lines.read_line(&mut line).await?;
//!     assert_eq!(line, "first line\n");
//!     Ok::<_, io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod ready;
#[cfg(not(loom))]
pub mod unix;

pub use ready::{Interest, Ready};

#[cfg(not(loom))]
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
#[cfg(not(loom))]
pub use futures_util::io::{
    copy, copy_buf, empty, repeat, sink, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt,
    AsyncWriteExt, BufReader, BufWriter, Empty, ReadHalf, Repeat, ReuniteError, Sink, WriteHalf,
};
pub use std::io::{Error, ErrorKind, Result};

/// Splits any reader-writer into a read half and a write half that can move into two
/// tasks (they share the value behind a lock; for sockets prefer their own
/// `into_split`, which needs no lock). `ReadHalf::reunite` puts them back together.
#[cfg(not(loom))]
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    AsyncReadExt::split(stream)
}

/// Implements tokio's `AsyncRead` and `AsyncWrite` for a type by delegating to its
/// `futures-io` implementations (feature `tokio-io`).
#[cfg(all(feature = "tokio-io", not(loom)))]
macro_rules! tokio_io_traits {
    (read: $name:ident $(<$lt:lifetime>)?) => {
        impl$(<$lt>)? tokio::io::AsyncRead for $name$(<$lt>)? {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let unfilled = buf.initialize_unfilled();
                let n = std::task::ready!(futures_io::AsyncRead::poll_read(self, cx, unfilled))?;
                buf.advance(n);
                std::task::Poll::Ready(Ok(()))
            }
        }
    };
    (write: $name:ident $(<$lt:lifetime>)?) => {
        impl$(<$lt>)? tokio::io::AsyncWrite for $name$(<$lt>)? {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_io::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    };
    (both: $name:ident $(<$lt:lifetime>)?) => {
        $crate::io::tokio_io_traits!(read: $name $(<$lt>)?);
        $crate::io::tokio_io_traits!(write: $name $(<$lt>)?);
    };
}

/// Without the `tokio-io` feature the tokio trait impls are left out.
#[cfg(all(not(feature = "tokio-io"), not(loom)))]
macro_rules! tokio_io_traits {
    ($($anything:tt)*) => {};
}

#[cfg(not(loom))]
pub(crate) use tokio_io_traits;

/// Implements hyper 1.x's `hyper::rt::Read` and `Write` for a stream whose `self.io` is
/// a `PollEvented` (feature `hyper`). These impls must live here, beside the stream
/// types: the orphan rule forbids them anywhere else.
#[cfg(all(feature = "hyper", not(loom)))]
macro_rules! hyper_io_traits {
    ($name:ident) => {
        impl hyper::rt::Read for $name {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                mut buf: hyper::rt::ReadBufCursor<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                // SAFETY: `poll_read_uninit` only writes into the unfilled part, never
                // de-initialises a byte, and reports how many bytes it wrote.
                let unfilled = unsafe { buf.as_mut() };
                let read = std::task::ready!(self.io.poll_read_uninit(cx, unfilled))?;
                // SAFETY: read(2) initialised exactly `read` bytes at the cursor.
                unsafe { buf.advance(read) };
                std::task::Poll::Ready(Ok(()))
            }
        }

        impl hyper::rt::Write for $name {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown_write())
            }
        }
    };
}

/// Without the `hyper` feature the hyper trait impls are left out.
#[cfg(all(not(feature = "hyper"), not(loom)))]
macro_rules! hyper_io_traits {
    ($($anything:tt)*) => {};
}

#[cfg(not(loom))]
pub(crate) use hyper_io_traits;
