//! [`Take`]: a reader cut off after a number of bytes.
//!
//! A read hands the inner reader a [`ReadBuf::take`] of the caller's buffer, no longer
//! than the bytes left, so the inner reader cannot even see room for the bytes beyond
//! the limit, let alone consume them; they stay in it for whoever reads it next. The
//! sub-buffer aliases the start of the caller's unfilled part, so what the inner reader
//! fills and initialises there is carried back to the caller's buffer (initialised
//! bytes included, so a reader that zeroes its buffer does not zero it again next time).

use std::cmp;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::assert_same_read_buf;
use crate::{AsyncBufRead, AsyncRead, ReadBuf};

pin_project! {
    /// A reader that reads at most a given number of bytes from another; made by
    /// [`AsyncReadExt::take`](crate::AsyncReadExt::take).
    ///
    /// It is an [`AsyncBufRead`] when the inner reader is.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Take<R> {
        #[pin]
        inner: R,
        // Bytes still to be read before the `Take` reports end of stream.
        limit_: u64,
    }
}

pub(super) fn take<R: AsyncRead>(inner: R, limit: u64) -> Take<R> {
    Take {
        inner,
        limit_: limit,
    }
}

impl<R: AsyncRead> Take<R> {
    /// How many more bytes this `Take` will read before it reports end of stream.
    ///
    /// ```
    /// use spindle_io::AsyncReadExt;
    ///
    /// futures::executor::block_on(async {
    ///     let mut take = (&b"hello"[..]).take(3);
    ///     let mut buf = [0; 2];
    ///     take.read(&mut buf).await?;
    ///     assert_eq!(take.limit(), 1);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn limit(&self) -> u64 {
        self.limit_
    }

    /// Sets how many more bytes this `Take` will read, as if it had just been made with
    /// that limit (the bytes read so far do not count against it).
    pub fn set_limit(&mut self, limit: u64) {
        self.limit_ = limit
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably.
    ///
    /// Bytes read from it directly do not count against the limit.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The inner reader, pinned.
    ///
    /// Bytes read from it directly do not count against the limit.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().inner
    }

    /// Takes the inner reader back; the bytes beyond the limit are still in it.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: AsyncRead> AsyncRead for Take<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.project();
        if *me.limit_ == 0 {
            return Poll::Ready(Ok(()));
        }

        let max = usize::try_from(*me.limit_).unwrap_or(usize::MAX);
        let mut limited = buf.take(max);
        let start = limited.filled().as_ptr();
        ready!(me.inner.poll_read(cx, &mut limited))?;
        assert_same_read_buf(start, &limited);
        let filled = limited.filled().len();
        let initialized = limited.initialized().len();

        // SAFETY: `limited` is the `take` of `buf` (checked above): it starts at `buf`'s
        // first unfilled byte, so its first `initialized` bytes, initialised by its
        // definition, are `buf`'s first `initialized` unfilled bytes.
        unsafe { buf.assume_init(initialized) };
        buf.advance(filled);
        *me.limit_ -= filled as u64;
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncBufRead> AsyncBufRead for Take<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let me = self.project();
        if *me.limit_ == 0 {
            return Poll::Ready(Ok(&[]));
        }
        let available = ready!(me.inner.poll_fill_buf(cx))?;
        let len = cmp::min(available.len() as u64, *me.limit_) as usize;
        Poll::Ready(Ok(&available[..len]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let me = self.project();
        // Like tokio's: consuming past the limit consumes only up to it.
        let amt = cmp::min(amt as u64, *me.limit_) as usize;
        *me.limit_ -= amt as u64;
        me.inner.consume(amt);
    }
}
