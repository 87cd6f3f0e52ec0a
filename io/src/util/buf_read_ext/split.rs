//! [`Split`], what [`split`](crate::AsyncBufReadExt::split) returns: the segments of a
//! reader between occurrences of a delimiter byte.
//!
//! Built like `Lines` (the segment being read lives in the `Split`, so a cancelled
//! `next_segment` loses nothing), but on bytes: no UTF-8 check, and only the delimiter
//! is stripped (a `\r` before a `\n` delimiter stays). Not a `Stream`, as tokio's is not.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::read_until::read_until_internal;
use crate::AsyncBufRead;

pin_project! {
    /// The segments of an [`AsyncBufRead`] split on a delimiter byte, each without the
    /// delimiter; made by [`split`](crate::AsyncBufReadExt::split).
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    ///
    /// futures::executor::block_on(async {
    ///     let mut segments = std::io::Cursor::new(b"a,bc,,d").split(b',');
    ///     assert_eq!(segments.next_segment().await?, Some(b"a".to_vec()));
    ///     assert_eq!(segments.next_segment().await?, Some(b"bc".to_vec()));
    ///     assert_eq!(segments.next_segment().await?, Some(b"".to_vec()));
    ///     assert_eq!(segments.next_segment().await?, Some(b"d".to_vec()));
    ///     assert_eq!(segments.next_segment().await?, None);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Split<R> {
        #[pin]
        reader: R,
        // The bytes of the segment being read, kept across cancelled calls.
        buf: Vec<u8>,
        delimiter: u8,
    }
}

pub(super) fn split<R: AsyncBufRead>(reader: R, delimiter: u8) -> Split<R> {
    Split {
        reader,
        buf: Vec::new(),
        delimiter,
    }
}

impl<R: AsyncBufRead + Unpin> Split<R> {
    /// The next segment, without the delimiter; `None` at end of stream. The last
    /// segment need not end with the delimiter, and a delimiter at the very end of the
    /// stream does not start an empty segment.
    ///
    /// Equivalent to `async fn next_segment(&mut self) -> io::Result<Option<Vec<u8>>>`.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe (tokio's documentation does not say; its
    /// implementation, like this one, keeps the partial segment in the `Split`): the
    /// next call returns the whole segment.
    pub async fn next_segment(&mut self) -> io::Result<Option<Vec<u8>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_segment(cx)).await
    }
}

impl<R: AsyncBufRead> Split<R> {
    /// Polls for the next segment.
    ///
    /// Returns `Pending` (with the task's waker registered by the reader) until a
    /// segment is complete, then `Ready(Ok(Some(segment)))` without the delimiter, and
    /// `Ready(Ok(None))` at end of stream. `Ready(Err(_))` reports an IO error; the
    /// part of the segment read so far is kept, and the next call goes on with it.
    ///
    /// Only the waker of the most recent call is woken.
    pub fn poll_next_segment(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<Vec<u8>>>> {
        let me = self.project();
        let mut read = 0;
        ready!(read_until_internal(
            me.reader,
            cx,
            *me.delimiter,
            me.buf,
            &mut read
        ))?;
        if me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        if me.buf.last() == Some(me.delimiter) {
            me.buf.pop();
        }
        Poll::Ready(Ok(Some(std::mem::take(me.buf))))
    }
}
