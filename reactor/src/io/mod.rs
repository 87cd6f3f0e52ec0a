//! Asynchronous IO: spindle's IO traits and io-util (from `spindle-io`), readiness
//! types, and [`unix::AsyncFd`], so `spindle::io` is one import.
//!
//! The traits are spindle's own, with tokio's design ([`AsyncRead`] with [`ReadBuf`],
//! [`AsyncWrite`] with `poll_shutdown`, [`AsyncBufRead`], [`AsyncSeek`]); every stream
//! type in [`crate::net`] and the child pipes in [`crate::process`] implement them
//! natively. Bridges beside them: with the `futures-io` feature (on by default) the
//! same types implement `futures-io`'s traits, with `tokio-io` the real tokio crate's,
//! and with `hyper` `TcpStream` and `UnixStream` implement hyper 1.x's
//! `hyper::rt::{Read, Write}`, so hyper's connections take them as they are. Every
//! bridge forwards to the one spindle impl.
//!
//! ```
//! use spindle_reactor::io::{self, AsyncBufReadExt, AsyncWriteExt, BufReader};
//! use spindle_reactor::net::UnixStream;
//!
//! let mut driver = spindle_reactor::Driver::new()?;
//! driver.block_on(async {
//!     let (mut a, b) = UnixStream::pair()?;
//!     a.write_all(b"first line\nsecond\n").await?;
//!     let mut lines = BufReader::new(b).lines();
//!     assert_eq!(lines.next_line().await?.as_deref(), Some("first line"));
//!     Ok::<_, io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod ready;
#[cfg(not(loom))]
pub mod unix;

pub use ready::{Interest, Ready};

pub use spindle_io::*;

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
