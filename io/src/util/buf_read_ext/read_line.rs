//! [`ReadLine`], the future of [`read_line`](crate::AsyncBufReadExt::read_line).
//!
//! The line is collected in a `Vec` of the future's own, not in the caller's `String`:
//! a `String` must hold valid UTF-8 at every moment, and the bytes of a line arrive in
//! pieces that may split a character. Once the line is complete the new bytes are
//! checked and appended (moved, with no copy, when the `String` was empty). So the
//! `String` only ever changes at the end: if the bytes are not UTF-8, or the future is
//! dropped half way, it keeps exactly what it held before the call.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::read_until::read_until_internal;
use crate::AsyncBufRead;

pin_project! {
    /// The future of [`read_line`](crate::AsyncBufReadExt::read_line): appends a line
    /// to a `String`, newline included, and resolves to the count of bytes read.
    ///
    /// `!Unpin`, as tokio's is (so it can become an `async fn` in a trait later).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadLine<'a, R: ?Sized> {
        reader: &'a mut R,
        output: &'a mut String,
        // The bytes of the line read so far; they reach `output` only once checked.
        line: Vec<u8>,
        // How many bytes this future has read (the length of `line` until it ends).
        read: usize,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read_line<'a, R>(reader: &'a mut R, output: &'a mut String) -> ReadLine<'a, R>
where
    R: AsyncBufRead + ?Sized + Unpin,
{
    ReadLine {
        reader,
        output,
        line: Vec::new(),
        read: 0,
        _pin: PhantomPinned,
    }
}

/// Appends `bytes` to `output` if they are UTF-8, giving back the UTF-8 error if not.
fn append_utf8(output: &mut String, bytes: Vec<u8>) -> Result<(), std::str::Utf8Error> {
    if output.is_empty() {
        // Reuse the line's allocation instead of copying it.
        *output = String::from_utf8(bytes).map_err(|error| error.utf8_error())?;
    } else {
        // `output` holds whole characters, so the concatenation is valid exactly when
        // the new part is.
        output.push_str(std::str::from_utf8(&bytes)?);
    }
    Ok(())
}

impl<R: AsyncBufRead + ?Sized + Unpin> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        let result = ready!(read_until_internal(
            Pin::new(&mut **me.reader),
            cx,
            b'\n',
            me.line,
            me.read
        ));
        let line = std::mem::take(me.line);
        let utf8 = append_utf8(me.output, line);
        Poll::Ready(match (result, utf8) {
            (Ok(count), Ok(())) => Ok(count),
            (Ok(_), Err(error)) => Err(io::Error::new(io::ErrorKind::InvalidData, error)),
            // An IO error wins over a UTF-8 one; a valid partial line stays appended.
            (Err(error), _) => {
                *me.read = 0;
                Err(error)
            }
        })
    }
}
