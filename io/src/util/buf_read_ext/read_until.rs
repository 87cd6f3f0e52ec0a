//! [`ReadUntil`], the future of
//! [`read_until`](crate::AsyncBufReadExt::read_until), and the loop it shares with
//! `read_line`, `Lines` and `Split`.
//!
//! The loop appends straight to the caller's `Vec` and consumes from the reader as it
//! goes, so no state lives only in the future: a cancelled `read_until` has lost
//! nothing, and calling it again carries on. That is what makes it cancel safe, and
//! `Lines`/`Split` cancel safe on top of it.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use crate::AsyncBufRead;

pin_project! {
    /// The future of [`read_until`](crate::AsyncBufReadExt::read_until): appends to a
    /// `Vec` up to and including a delimiter, and resolves to the count appended.
    ///
    /// `!Unpin`, as tokio's is (so it can become an `async fn` in a trait later).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadUntil<'a, R: ?Sized> {
        reader: &'a mut R,
        delimiter: u8,
        buf: &'a mut Vec<u8>,
        // Bytes appended by this future so far (`buf` may have held some before).
        read: usize,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read_until<'a, R>(
    reader: &'a mut R,
    delimiter: u8,
    buf: &'a mut Vec<u8>,
) -> ReadUntil<'a, R>
where
    R: AsyncBufRead + ?Sized + Unpin,
{
    ReadUntil {
        reader,
        delimiter,
        buf,
        read: 0,
        _pin: PhantomPinned,
    }
}

/// Moves bytes from `reader` to `buf` until `delimiter` (moved too) or end of stream.
///
/// `read` counts the bytes moved across polls; on success it is returned and reset to
/// zero. `Interrupted` is retried; any other error returns with the bytes moved so far
/// left in `buf` and counted in `read`.
pub(super) fn read_until_internal<R: AsyncBufRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    delimiter: u8,
    buf: &mut Vec<u8>,
    read: &mut usize,
) -> Poll<io::Result<usize>> {
    loop {
        let (found, used) = {
            let available = match ready!(reader.as_mut().poll_fill_buf(cx)) {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Poll::Ready(Err(error)),
            };
            match memchr::memchr(delimiter, available) {
                Some(index) => {
                    buf.extend_from_slice(&available[..=index]);
                    (true, index + 1)
                }
                None => {
                    buf.extend_from_slice(available);
                    (false, available.len())
                }
            }
        };
        reader.as_mut().consume(used);
        *read += used;
        // `used == 0` without the delimiter: the reader is at end of stream.
        if found || used == 0 {
            return Poll::Ready(Ok(std::mem::take(read)));
        }
    }
}

impl<R: AsyncBufRead + ?Sized + Unpin> Future for ReadUntil<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        read_until_internal(
            Pin::new(&mut **me.reader),
            cx,
            *me.delimiter,
            me.buf,
            me.read,
        )
    }
}
