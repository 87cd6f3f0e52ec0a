//! [`BufWriter`]: buffering for the write side of any [`AsyncWrite`].
//!
//! Writes are appended to a `Vec` that never grows past the capacity given at
//! construction; when a write does not fit, the buffer is written out first. Writing
//! the buffer out may take several polls, so `written` remembers how much of it the
//! inner writer has taken, and the front is drained only once the flush stops (done or
//! failed): a `Pending` in the middle costs no copying. The capacity is kept as a field
//! of its own rather than read from the `Vec`, whose allocator may hand out more.

use std::fmt;
use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::DEFAULT_BUF_SIZE;
use crate::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

pin_project! {
    /// Adds buffering to any writer; tokio's `BufWriter`.
    ///
    /// Writing a socket a few bytes at a time costs a system call per write. A
    /// `BufWriter` collects small writes in a buffer of its own and hands them to the
    /// inner [`AsyncWrite`] in large chunks: when a write does not fit, on
    /// [`poll_flush`](AsyncWrite::poll_flush), and on
    /// [`poll_shutdown`](AsyncWrite::poll_shutdown) (a `BufWriter` flushes on
    /// shutdown). A write at least as large as the buffer's capacity goes straight to
    /// the inner writer once the buffer is empty. It gains nothing for a sink already
    /// in memory, or for writes that are large anyway.
    ///
    /// **Dropping a `BufWriter` does not flush it**: a destructor cannot wait for a
    /// write, so whatever is still buffered is lost, as in tokio. Flush or shut it down
    /// before dropping it (or calling [`into_inner`](Self::into_inner)).
    ///
    /// ```
    /// use spindle_io::{AsyncWrite, BufWriter};
    /// use std::future::poll_fn;
    /// use std::pin::Pin;
    ///
    /// futures::executor::block_on(async {
    ///     let mut writer = BufWriter::new(Vec::new());
    ///     let written = poll_fn(|cx| Pin::new(&mut writer).poll_write(cx, b"hello")).await?;
    ///     assert_eq!(written, 5);
    ///     // Buffered: the Vec has seen nothing yet.
    ///     assert!(writer.get_ref().is_empty());
    ///     assert_eq!(writer.buffer(), b"hello");
    ///
    ///     poll_fn(|cx| Pin::new(&mut writer).poll_flush(cx)).await?;
    ///     assert_eq!(writer.get_ref(), b"hello");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub struct BufWriter<W> {
        #[pin]
        pub(super) inner: W,
        pub(super) buf: Vec<u8>,
        pub(super) capacity: usize,
        pub(super) written: usize,
        pub(super) seek_state: SeekState,
    }
}

/// Where a [`BufWriter`]'s seek is between `start_seek` and the end of `poll_complete`.
#[derive(Debug, Clone, Copy)]
pub(super) enum SeekState {
    /// No seek started: `poll_complete` asks the inner writer for its position.
    Idle,
    /// `start_seek` recorded the target; the buffer is flushed before it is submitted.
    Start(SeekFrom),
    /// The inner writer's seek is in flight.
    Pending,
}

impl<W: AsyncWrite> BufWriter<W> {
    /// A `BufWriter` with the default capacity, 8 KiB (tokio's, which may change).
    pub fn new(inner: W) -> Self {
        Self::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    /// A `BufWriter` whose buffer holds `capacity` bytes. With a capacity of zero
    /// every write goes straight to the inner writer.
    pub fn with_capacity(capacity: usize, inner: W) -> Self {
        BufWriter {
            inner,
            buf: Vec::with_capacity(capacity),
            capacity,
            written: 0,
            seek_state: SeekState::Idle,
        }
    }

    /// Writes the buffer out to the inner writer (without flushing the inner writer).
    ///
    /// Retries `Interrupted`; a write of zero bytes fails with `WriteZero`. Whatever
    /// the inner writer took is removed from the buffer, also when this fails.
    fn flush_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut me = self.project();
        let mut result = Ok(());
        while *me.written < me.buf.len() {
            match ready!(me.inner.as_mut().poll_write(cx, &me.buf[*me.written..])) {
                Ok(0) => {
                    result = Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "failed to write the buffered data",
                    ));
                    break;
                }
                Ok(n) => *me.written += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        me.buf.drain(..*me.written);
        *me.written = 0;
        Poll::Ready(result)
    }

    /// Room left in the buffer.
    fn spare(&self) -> usize {
        self.capacity - self.buf.len()
    }

    /// A reference to the inner writer.
    ///
    /// Writing to it directly puts those bytes before whatever is buffered here.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// A mutable reference to the inner writer.
    ///
    /// Writing to it directly puts those bytes before whatever is buffered here.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// A pinned mutable reference to the inner writer.
    ///
    /// Writing to it directly puts those bytes before whatever is buffered here.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut W> {
        self.project().inner
    }

    /// Returns the inner writer. **Whatever is buffered is lost**: flush first.
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// The bytes buffered and not yet taken by the inner writer.
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.written..]
    }
}

impl<W: AsyncWrite> AsyncWrite for BufWriter<W> {
    /// Buffers `buf` if it fits, after writing the buffer out if it does not. A `buf` at
    /// least as large as the capacity is then written straight to the inner writer.
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.len() > self.spare() {
            ready!(self.as_mut().flush_buf(cx))?;
        }
        let me = self.project();
        if buf.len() >= *me.capacity {
            me.inner.poll_write(cx, buf)
        } else {
            me.buf.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }
    }

    /// As tokio's: when the inner writer is vectored, all of `bufs` is buffered if it
    /// fits (after writing the buffer out if it does not), and passed on to the inner
    /// writer's `poll_write_vectored` if it totals at least the capacity. Otherwise
    /// the first non-empty buffer is treated as [`poll_write`](Self::poll_write)
    /// would, and the buffers after it are appended as long as each fits whole.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.inner.is_write_vectored() {
            // Saturating: a total past `usize::MAX` is simply "too large to buffer".
            let total = bufs
                .iter()
                .fold(0usize, |sum, buf| sum.saturating_add(buf.len()));
            if total > self.spare() {
                ready!(self.as_mut().flush_buf(cx))?;
            }
            let me = self.project();
            if total >= *me.capacity {
                me.inner.poll_write_vectored(cx, bufs)
            } else {
                for buf in bufs {
                    me.buf.extend_from_slice(buf);
                }
                Poll::Ready(Ok(total))
            }
        } else {
            let Some(first_index) = bufs.iter().position(|buf| !buf.is_empty()) else {
                return Poll::Ready(Ok(0));
            };
            let first = &bufs[first_index];
            if first.len() > self.spare() {
                ready!(self.as_mut().flush_buf(cx))?;
            }
            let me = self.project();
            if first.len() >= *me.capacity {
                // The buffer is empty here (flushed above, or the capacity is zero).
                return me.inner.poll_write(cx, first);
            }
            me.buf.extend_from_slice(first);
            let mut total = first.len();
            for buf in &bufs[first_index + 1..] {
                if buf.len() > *me.capacity - me.buf.len() {
                    break;
                }
                me.buf.extend_from_slice(buf);
                total += buf.len();
            }
            Poll::Ready(Ok(total))
        }
    }

    /// Always `true`: a `BufWriter` gathers the buffers into its own.
    fn is_write_vectored(&self) -> bool {
        true
    }

    /// Writes the whole buffer out, then flushes the inner writer.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().flush_buf(cx))?;
        self.get_pin_mut().poll_flush(cx)
    }

    /// Writes the whole buffer out, then shuts the inner writer down.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().flush_buf(cx))?;
        self.get_pin_mut().poll_shutdown(cx)
    }
}

/// Seeks the inner writer after writing the buffer out, as tokio's `BufWriter` does.
///
/// `poll_complete` writes the buffer out, waits for any seek already in flight on the
/// inner writer, and then submits the one `start_seek` recorded; with no seek started
/// it writes the buffer out and returns the inner writer's position.
impl<W: AsyncWrite + AsyncSeek> AsyncSeek for BufWriter<W> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        // The buffer must be written out first, which needs a `Context`:
        // `poll_complete` submits the seek.
        *self.project().seek_state = SeekState::Start(position);
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if let SeekState::Idle = self.seek_state {
            return self.project().inner.poll_complete(cx);
        }
        ready!(self.as_mut().flush_buf(cx))?;
        let mut me = self.project();
        if let SeekState::Start(target) = *me.seek_state {
            // A seek submitted directly through `get_mut` may still be in flight.
            ready!(me.inner.as_mut().poll_complete(cx))?;
            if let Err(error) = me.inner.as_mut().start_seek(target) {
                *me.seek_state = SeekState::Idle;
                return Poll::Ready(Err(error));
            }
        }
        match me.inner.poll_complete(cx) {
            Poll::Ready(result) => {
                *me.seek_state = SeekState::Idle;
                Poll::Ready(result)
            }
            Poll::Pending => {
                *me.seek_state = SeekState::Pending;
                Poll::Pending
            }
        }
    }
}

/// Reads go straight to the inner object: a `BufWriter` buffers only writes.
impl<W: AsyncWrite + AsyncRead> AsyncRead for BufWriter<W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_pin_mut().poll_read(cx, buf)
    }
}

/// The inner object's buffer, passed through.
impl<W: AsyncWrite + AsyncBufRead> AsyncBufRead for BufWriter<W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_pin_mut().poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_pin_mut().consume(amt)
    }
}

impl<W: fmt::Debug> fmt::Debug for BufWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufWriter")
            .field("writer", &self.inner)
            .field(
                "buffer",
                &format_args!("{}/{}", self.buf.len(), self.capacity),
            )
            .field("written", &self.written)
            .finish()
    }
}
