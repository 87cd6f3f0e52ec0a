//! [`Lines`], what [`lines`](crate::AsyncBufReadExt::lines) returns: the lines of a
//! reader, one `String` at a time.
//!
//! The line being read is kept in the `Lines` itself, not in a future, so a
//! `next_line` dropped half way loses nothing: the next call finds the start of the
//! line where the last one left it. That is tokio's cancel-safety guarantee for
//! `next_line`. Like tokio's, `Lines` is not a `Stream` (tokio-stream wraps it in
//! `LinesStream` for that).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::read_until::read_until_internal;
use crate::AsyncBufRead;

pin_project! {
    /// The lines of an [`AsyncBufRead`], each without its `\n` or `\r\n`; made by
    /// [`lines`](crate::AsyncBufReadExt::lines).
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    ///
    /// futures::executor::block_on(async {
    ///     let mut lines = (&b"one\r\ntwo\nthree"[..]).lines();
    ///     assert_eq!(lines.next_line().await?.as_deref(), Some("one"));
    ///     assert_eq!(lines.next_line().await?.as_deref(), Some("two"));
    ///     assert_eq!(lines.next_line().await?.as_deref(), Some("three"));
    ///     assert_eq!(lines.next_line().await?, None);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Lines<R> {
        #[pin]
        reader: R,
        // The bytes of the line being read, kept across cancelled calls.
        buf: Vec<u8>,
    }
}

pub(super) fn lines<R: AsyncBufRead>(reader: R) -> Lines<R> {
    Lines {
        reader,
        buf: Vec::new(),
    }
}

impl<R: AsyncBufRead + Unpin> Lines<R> {
    /// The next line, without its `\n` or `\r\n`; `None` at end of stream. The last
    /// line need not end with a newline.
    ///
    /// A line that is not valid UTF-8 fails with `InvalidData` and is skipped: the next
    /// call returns the line after it.
    ///
    /// Equivalent to `async fn next_line(&mut self) -> io::Result<Option<String>>`.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: the part of a line read before the future was
    /// dropped stays in the `Lines`, and the next call returns the whole line.
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_line(cx)).await
    }

    /// A mutable reference to the reader.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// A reference to the reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Returns the reader. The part of a line already read (by a `next_line` that was
    /// cancelled or failed) is lost.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead> Lines<R> {
    /// Polls for the next line.
    ///
    /// Returns `Pending` (with the task's waker registered by the reader) until a line
    /// is complete, then `Ready(Ok(Some(line)))` without its `\n` or `\r\n`, and
    /// `Ready(Ok(None))` at end of stream. `Ready(Err(_))` reports an IO error (the
    /// part of the line read so far is kept, and the next call goes on with it) or a
    /// line that is not UTF-8 (`InvalidData`, wrapping the `FromUtf8Error`; that line is
    /// dropped and the next call reads the one after it).
    ///
    /// Only the waker of the most recent call is woken.
    pub fn poll_next_line(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<String>>> {
        let me = self.project();
        // The count is not needed across calls: what was read is all in `buf`.
        let mut read = 0;
        ready!(read_until_internal(me.reader, cx, b'\n', me.buf, &mut read))?;
        if me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut line = std::mem::take(me.buf);
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Poll::Ready(match String::from_utf8(line) {
            Ok(line) => Ok(Some(line)),
            Err(error) => Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        })
    }
}
