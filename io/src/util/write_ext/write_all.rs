//! The futures of [`write_all`](super::AsyncWriteExt::write_all) and
//! [`write_all_buf`](super::AsyncWriteExt::write_all_buf): write until nothing is
//! left.
//!
//! `write_all` keeps the unwritten rest of its slice, shrinking it after each write, so
//! a `Pending` resumes where it stopped; a write that takes no bytes of a non-empty rest
//! would loop forever, so it is a `WriteZero` error instead. `write_all_buf` advances
//! the caller's `Buf` after every write, so its progress lives in the `Buf` itself and
//! survives the future being dropped; like tokio's, it retries `Interrupted` errors
//! (and `write_all`, like tokio's, does not).

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Buf;
use pin_project_lite::pin_project;

use super::write::poll_write_front;
use super::{check_written, write_zero};
use crate::AsyncWrite;

pin_project! {
    /// The future of [`AsyncWriteExt::write_all`](super::AsyncWriteExt::write_all):
    /// writes all of a slice.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct WriteAll<'a, W: ?Sized> {
        writer: &'a mut W,
        // What is still to be written.
        buf: &'a [u8],
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn write_all<'a, W>(writer: &'a mut W, buf: &'a [u8]) -> WriteAll<'a, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    WriteAll {
        writer,
        buf,
        _pin: PhantomPinned,
    }
}

impl<W> Future for WriteAll<'_, W>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<()>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.project();
        while !me.buf.is_empty() {
            let written = match ready!(Pin::new(&mut **me.writer).poll_write(cx, me.buf)) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                polled => polled?,
            };
            let written = check_written(written, me.buf.len());
            if written == 0 {
                return Poll::Ready(Err(write_zero()));
            }
            *me.buf = &mem::take(me.buf)[written..];
        }
        Poll::Ready(Ok(()))
    }
}

pin_project! {
    /// The future of [`AsyncWriteExt::write_all_buf`](super::AsyncWriteExt::write_all_buf):
    /// writes all of a [`Buf`], advancing it as it goes.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct WriteAllBuf<'a, W, B> {
        writer: &'a mut W,
        buf: &'a mut B,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn write_all_buf<'a, W, B>(writer: &'a mut W, buf: &'a mut B) -> WriteAllBuf<'a, W, B>
where
    W: AsyncWrite + Unpin,
    B: Buf,
{
    WriteAllBuf {
        writer,
        buf,
        _pin: PhantomPinned,
    }
}

impl<W, B> Future for WriteAllBuf<'_, W, B>
where
    W: AsyncWrite + Unpin,
    B: Buf,
{
    type Output = io::Result<()>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.project();
        while me.buf.has_remaining() {
            let polled = poll_write_front(Pin::new(&mut **me.writer), cx, &**me.buf);
            let written = match ready!(polled) {
                Ok(written) => written,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Poll::Ready(Err(error)),
            };
            if written == 0 {
                return Poll::Ready(Err(write_zero()));
            }
            me.buf.advance(written);
        }
        Poll::Ready(Ok(()))
    }
}
