//! The futures of [`write`](super::AsyncWriteExt::write),
//! [`write_vectored`](super::AsyncWriteExt::write_vectored) and
//! [`write_buf`](super::AsyncWriteExt::write_buf): one write attempt each.
//!
//! None of them keeps progress between polls (a poll either writes and completes or
//! writes nothing and is `Pending`), which is what makes them cancel safe. `write_buf`
//! gathers up to 64 of the `Buf`'s chunks into one vectored write when the writer says
//! vectored writes are worth it, and otherwise writes from its first chunk.

use std::future::Future;
use std::io::{self, IoSlice};
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Buf;
use pin_project_lite::pin_project;

use super::check_written;
use crate::AsyncWrite;

/// The most chunks of a `Buf` gathered into one vectored write.
pub(super) const MAX_VECTORED_CHUNKS: usize = 64;

pin_project! {
    /// The future of [`AsyncWriteExt::write`](super::AsyncWriteExt::write): writes some
    /// of a slice and returns how many bytes.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Write<'a, W: ?Sized> {
        writer: &'a mut W,
        buf: &'a [u8],
        // `!Unpin`, as tokio's is, so a future switch to an `async fn` body is not a
        // breaking change.
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn write<'a, W>(writer: &'a mut W, buf: &'a [u8]) -> Write<'a, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    Write {
        writer,
        buf,
        _pin: PhantomPinned,
    }
}

impl<W> Future for Write<'_, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        Pin::new(&mut **me.writer).poll_write(cx, me.buf)
    }
}

pin_project! {
    /// The future of [`AsyncWriteExt::write_vectored`](super::AsyncWriteExt::write_vectored):
    /// writes some of a list of slices and returns how many bytes.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct WriteVectored<'a, 'b, W: ?Sized> {
        writer: &'a mut W,
        bufs: &'a [IoSlice<'b>],
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn write_vectored<'a, 'b, W>(
    writer: &'a mut W,
    bufs: &'a [IoSlice<'b>],
) -> WriteVectored<'a, 'b, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    WriteVectored {
        writer,
        bufs,
        _pin: PhantomPinned,
    }
}

impl<W> Future for WriteVectored<'_, '_, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        Pin::new(&mut **me.writer).poll_write_vectored(cx, me.bufs)
    }
}

/// One write from `buf`'s front (vectored when the writer prefers it), without
/// advancing `buf`; returns the count, checked against what was offered.
pub(super) fn poll_write_front<W, B>(
    writer: Pin<&mut W>,
    cx: &mut Context<'_>,
    buf: &B,
) -> Poll<io::Result<usize>>
where
    W: AsyncWrite + ?Sized,
    B: Buf + ?Sized,
{
    let (polled, offered) = if writer.is_write_vectored() {
        let mut slices = [IoSlice::new(&[]); MAX_VECTORED_CHUNKS];
        let count = buf.chunks_vectored(&mut slices);
        let offered = slices[..count].iter().map(|slice| slice.len()).sum();
        (writer.poll_write_vectored(cx, &slices[..count]), offered)
    } else {
        let chunk = buf.chunk();
        (writer.poll_write(cx, chunk), chunk.len())
    };
    let written = ready!(polled)?;
    Poll::Ready(Ok(check_written(written, offered)))
}

pin_project! {
    /// The future of [`AsyncWriteExt::write_buf`](super::AsyncWriteExt::write_buf):
    /// writes some of a [`Buf`], advances it, and returns how many bytes.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct WriteBuf<'a, W, B> {
        writer: &'a mut W,
        buf: &'a mut B,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn write_buf<'a, W, B>(writer: &'a mut W, buf: &'a mut B) -> WriteBuf<'a, W, B>
where
    W: AsyncWrite + Unpin,
    B: Buf,
{
    WriteBuf {
        writer,
        buf,
        _pin: PhantomPinned,
    }
}

impl<W, B> Future for WriteBuf<'_, W, B>
where
    W: AsyncWrite + Unpin,
    B: Buf,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        if !me.buf.has_remaining() {
            return Poll::Ready(Ok(0));
        }
        let written = ready!(poll_write_front(Pin::new(&mut **me.writer), cx, &**me.buf))?;
        me.buf.advance(written);
        Poll::Ready(Ok(written))
    }
}
