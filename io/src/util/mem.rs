//! [`empty`], [`repeat`] and [`sink`]: the readers and writers that hold nothing.
//!
//! None of them ever waits, so each spends a unit of the cooperative budget per poll:
//! a task that reads `repeat` or writes `sink` in a loop still yields to its
//! neighbours once its budget is gone.

use std::fmt;
use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use spindle_sync::coop;

use crate::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

/// Spends one budget unit for a poll that always makes progress.
fn proceed(cx: &mut Context<'_>) -> Poll<()> {
    let budget = ready!(coop::poll_proceed(cx));
    budget.made_progress();
    Poll::Ready(())
}

/// A reader that is always at end of stream and a writer that accepts and drops every
/// byte; made by [`empty`].
#[derive(Clone, Copy, Default)]
pub struct Empty {
    _private: (),
}

/// A reader at end of stream (every read fills nothing) that is also a writer taking
/// every byte, a buffered reader with nothing buffered, and a seek target always at 0.
///
/// ```
/// use spindle_io::AsyncReadExt;
///
/// # futures::executor::block_on(async {
/// let mut nothing = Vec::new();
/// assert_eq!(spindle_io::empty().read_to_end(&mut nothing).await?, 0);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub fn empty() -> Empty {
    Empty { _private: () }
}

impl AsyncRead for Empty {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        _buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _amt: usize) {}
}

impl AsyncWrite for Empty {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(bufs.iter().map(|buf| buf.len()).sum()))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for Empty {
    fn start_seek(self: Pin<&mut Self>, _position: SeekFrom) -> io::Result<()> {
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(0))
    }
}

impl fmt::Debug for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Empty { .. }")
    }
}

/// A reader that fills every read with one byte, forever; made by [`repeat`].
#[derive(Clone, Copy, Debug)]
pub struct Repeat {
    byte: u8,
}

/// A reader that fills every read with `byte` and never ends.
///
/// ```
/// use spindle_io::AsyncReadExt;
///
/// # futures::executor::block_on(async {
/// let mut buf = [0u8; 3];
/// spindle_io::repeat(b'z').read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"zzz");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

impl AsyncRead for Repeat {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        let byte = self.byte;
        let unfilled = buf.initialize_unfilled();
        unfilled.fill(byte);
        let len = unfilled.len();
        buf.advance(len);
        Poll::Ready(Ok(()))
    }
}

/// A writer that accepts every byte and drops it; made by [`sink`].
#[derive(Clone, Copy, Default)]
pub struct Sink {
    _private: (),
}

/// A writer that accepts every byte and drops it.
///
/// ```
/// use spindle_io::AsyncWriteExt;
///
/// # futures::executor::block_on(async {
/// spindle_io::sink().write_all(b"into the void").await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub fn sink() -> Sink {
    Sink { _private: () }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(bufs.iter().map(|buf| buf.len()).sum()))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(proceed(cx));
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sink { .. }")
    }
}
