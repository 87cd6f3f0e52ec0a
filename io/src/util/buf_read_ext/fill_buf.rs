//! [`FillBuf`], the future of [`fill_buf`](crate::AsyncBufReadExt::fill_buf).
//!
//! It resolves to a slice borrowed from the reader for the future's whole lifetime
//! `'a`, which safe Rust cannot express when the same `&'a mut` must be kept for
//! another poll on `Pending` (the borrow checker does not see that the two paths
//! exclude each other). One `unsafe` lifetime extension bridges that gap; the future
//! gives up its reference in the same step, so nothing else can reach the reader while
//! the slice lives.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::AsyncBufRead;

pin_project! {
    /// The future of [`fill_buf`](crate::AsyncBufReadExt::fill_buf): resolves to the
    /// reader's buffered bytes, reading first if there are none.
    ///
    /// `!Unpin`, as tokio's is (so it can become an `async fn` in a trait later).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct FillBuf<'a, R: ?Sized> {
        // `None` once the future has resolved and handed the borrow to the slice.
        reader: Option<&'a mut R>,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn fill_buf<R>(reader: &mut R) -> FillBuf<'_, R>
where
    R: AsyncBufRead + ?Sized + Unpin,
{
    FillBuf {
        reader: Some(reader),
        _pin: PhantomPinned,
    }
}

impl<'a, R: AsyncBufRead + ?Sized + Unpin> Future for FillBuf<'a, R> {
    type Output = io::Result<&'a [u8]>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        let reader: &'a mut R = me.reader.take().expect("FillBuf polled after it completed");
        match Pin::new(&mut *reader).poll_fill_buf(cx) {
            Poll::Ready(Ok(slice)) => {
                // SAFETY: `slice` borrows `*reader`, which is behind a `&'a mut R` that
                // this future has just taken out of `self.reader` and drops here
                // without putting back, so for the rest of `'a` no code can reach the
                // reader through this future; nor through anything else, since the
                // `&'a mut` was exclusive for `'a`. The slice thus has the reader to
                // itself for `'a`, as if `poll_fill_buf` had been called on the
                // `&'a mut R` by value, which is what safe code would write were it
                // not for the `Pending` branch reusing `reader`.
                let slice: &'a [u8] = unsafe { &*(slice as *const [u8]) };
                Poll::Ready(Ok(slice))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                *me.reader = Some(reader);
                Poll::Pending
            }
        }
    }
}
