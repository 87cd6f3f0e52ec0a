//! [`BufReader`]: buffering for the read side of any [`AsyncRead`].
//!
//! The buffer is a boxed slice allocated once, with two cursors into it: `pos` (the
//! next byte to hand out) and `filled` (the end of what the last read brought in). It
//! is refilled only when it is empty, as `AsyncBufRead` requires, and a read at least
//! as large as the buffer goes straight to the inner reader when nothing is buffered.
//! A seek is a small state machine because `start_seek` cannot poll: the seek that
//! accounts for the buffered bytes is only submitted in `poll_complete`.

use std::fmt;
use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::DEFAULT_BUF_SIZE;
use crate::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

pin_project! {
    /// Adds buffering to any reader; tokio's `BufReader`.
    ///
    /// Reading a socket or a file a few bytes at a time costs a system call per read.
    /// A `BufReader` reads from the inner [`AsyncRead`] in large chunks into a buffer
    /// of its own and serves small reads from there; it also makes any reader an
    /// [`AsyncBufRead`], which is what [`AsyncBufReadExt`](crate::AsyncBufReadExt)'s
    /// `read_line`, `lines` and `split` need. It gains nothing for a source already in
    /// memory, or for reads that are large anyway.
    ///
    /// A read asking for at least the buffer's capacity while nothing is buffered
    /// bypasses the buffer and reads straight into the caller's memory.
    ///
    /// Dropping a `BufReader` (or calling [`into_inner`](Self::into_inner)) discards
    /// whatever is buffered, so two `BufReader`s over one stream lose data between
    /// them.
    ///
    /// ```
    /// use spindle_io::{AsyncBufReadExt, BufReader};
    ///
    /// futures::executor::block_on(async {
    ///     let source: &[u8] = b"first line\nsecond line\n";
    ///     let mut reader = BufReader::new(source);
    ///     let mut line = String::new();
    ///     reader.read_line(&mut line).await?;
    ///     assert_eq!(line, "first line\n");
    ///     // The rest came in with the same read of the source.
    ///     assert_eq!(reader.buffer(), b"second line\n");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub struct BufReader<R> {
        #[pin]
        pub(super) inner: R,
        pub(super) buf: Box<[u8]>,
        pub(super) pos: usize,
        pub(super) filled: usize,
        pub(super) seek_state: SeekState,
    }
}

/// Where a [`BufReader`]'s seek is between `start_seek` and the end of `poll_complete`.
#[derive(Debug, Clone, Copy)]
pub(super) enum SeekState {
    /// No seek started: `poll_complete` asks the inner reader for its position.
    Idle,
    /// `start_seek` recorded the target; `poll_complete` has not submitted it yet.
    Start(SeekFrom),
    /// `SeekFrom::Current(n)` where `n` minus the buffered bytes underflows `i64`: the
    /// inner reader is first moved back by the buffered bytes (in flight now), then by
    /// `n`.
    Overflowed(i64),
    /// The inner reader's seek is in flight.
    Pending,
}

impl<R: AsyncRead> BufReader<R> {
    /// A `BufReader` with the default capacity, 8 KiB (tokio's, which may change).
    pub fn new(inner: R) -> Self {
        Self::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    /// A `BufReader` whose buffer holds `capacity` bytes.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero: such a buffer could never hold a byte.
    #[track_caller]
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        assert!(
            capacity > 0,
            "BufReader::with_capacity(0): the buffer capacity must be greater than zero"
        );
        BufReader {
            inner,
            buf: vec![0; capacity].into_boxed_slice(),
            pos: 0,
            filled: 0,
            seek_state: SeekState::Idle,
        }
    }

    /// A reference to the inner reader.
    ///
    /// Reading from it directly skips whatever is buffered here.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// A mutable reference to the inner reader.
    ///
    /// Reading from it directly skips whatever is buffered here.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// A pinned mutable reference to the inner reader.
    ///
    /// Reading from it directly skips whatever is buffered here.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().inner
    }

    /// Returns the inner reader. Whatever is buffered is lost.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The bytes buffered and not yet consumed. Unlike
    /// [`fill_buf`](crate::AsyncBufReadExt::fill_buf), this never reads.
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.filled]
    }

    /// Forgets the buffered bytes.
    fn discard_buffer(self: Pin<&mut Self>) {
        let me = self.project();
        *me.pos = 0;
        *me.filled = 0;
    }
}

impl<R: AsyncRead> AsyncRead for BufReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Nothing buffered and the caller wants at least a buffer's worth: copying
        // through the buffer would only add a copy, so read into the caller's memory.
        if self.pos == self.filled && buf.remaining() >= self.buf.len() {
            let result = ready!(self.as_mut().get_pin_mut().poll_read(cx, buf));
            self.discard_buffer();
            return Poll::Ready(result);
        }
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let amount = std::cmp::min(available.len(), buf.remaining());
        buf.put_slice(&available[..amount]);
        self.consume(amount);
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncRead> AsyncBufRead for BufReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let me = self.project();
        if *me.pos >= *me.filled {
            // Empty: refill from the start of the buffer. On `Pending` or an error the
            // cursors are untouched, so the buffer stays empty.
            let mut read_buf = ReadBuf::new(me.buf);
            ready!(me.inner.poll_read(cx, &mut read_buf))?;
            *me.filled = read_buf.filled().len();
            *me.pos = 0;
        }
        Poll::Ready(Ok(&me.buf[*me.pos..*me.filled]))
    }

    #[track_caller]
    fn consume(self: Pin<&mut Self>, amt: usize) {
        let me = self.project();
        let buffered = *me.filled - *me.pos;
        assert!(
            amt <= buffered,
            "BufReader::consume({amt}) with only {buffered} bytes buffered: consume at \
             most what poll_fill_buf returned"
        );
        *me.pos += amt;
    }
}

/// Seeks the inner reader, as tokio's `BufReader` does.
///
/// `SeekFrom::Current(n)` counts from the position the inner reader would be at had
/// nothing been buffered: the bytes buffered and not yet consumed are subtracted from
/// `n`. Every successful seek discards the buffer, even when the target lies inside
/// it, so [`into_inner`](BufReader::into_inner) right after a seek returns the inner
/// reader at the position the seek reported.
///
/// When `n` minus the buffered length would underflow an `i64`, two seeks are made: back
/// by the buffered length, then by `n`. If the second fails, the inner reader is left
/// where `SeekFrom::Current(0)` would have put it (and the buffer is empty).
///
/// `poll_complete` with no seek started returns the inner reader's own position,
/// which is ahead of the logical one by the buffered bytes.
impl<R: AsyncRead + AsyncSeek> AsyncSeek for BufReader<R> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        // The seek to submit depends on the buffer and may take two steps, each of
        // which needs a `Context`: `poll_complete` submits it.
        *self.project().seek_state = SeekState::Start(position);
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        loop {
            let mut me = self.as_mut().project();
            match *me.seek_state {
                SeekState::Idle => return me.inner.poll_complete(cx),
                SeekState::Start(target) => {
                    // An error below leaves no seek of ours in flight.
                    *me.seek_state = SeekState::Idle;
                    let target = match target {
                        SeekFrom::Current(n) => {
                            // A buffer's length fits an `isize`, so it fits an `i64`.
                            let buffered = (*me.filled - *me.pos) as i64;
                            match n.checked_sub(buffered) {
                                Some(offset) => SeekFrom::Current(offset),
                                None => {
                                    me.inner.start_seek(SeekFrom::Current(-buffered))?;
                                    *me.seek_state = SeekState::Overflowed(n);
                                    continue;
                                }
                            }
                        }
                        absolute => absolute,
                    };
                    me.inner.start_seek(target)?;
                    *me.seek_state = SeekState::Pending;
                }
                SeekState::Overflowed(n) => {
                    if let Err(error) = ready!(me.inner.as_mut().poll_complete(cx)) {
                        *me.seek_state = SeekState::Idle;
                        return Poll::Ready(Err(error));
                    }
                    // The inner reader is at the logical position now; the buffer no
                    // longer describes what follows it.
                    *me.pos = 0;
                    *me.filled = 0;
                    *me.seek_state = SeekState::Idle;
                    me.inner.start_seek(SeekFrom::Current(n))?;
                    *me.seek_state = SeekState::Pending;
                }
                SeekState::Pending => {
                    let result = ready!(me.inner.poll_complete(cx));
                    *me.seek_state = SeekState::Idle;
                    if result.is_ok() {
                        self.discard_buffer();
                    }
                    return Poll::Ready(result);
                }
            }
        }
    }
}

/// Writes go straight to the inner object: a `BufReader` buffers only reads.
impl<R: AsyncRead + AsyncWrite> AsyncWrite for BufReader<R> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_pin_mut().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_pin_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_pin_mut().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_pin_mut().poll_shutdown(cx)
    }
}

impl<R: fmt::Debug> fmt::Debug for BufReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufReader")
            .field("reader", &self.inner)
            .field(
                "buffer",
                &format_args!("{}/{}", self.filled - self.pos, self.buf.len()),
            )
            .finish()
    }
}
