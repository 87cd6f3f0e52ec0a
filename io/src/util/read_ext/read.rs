//! The futures of [`read`](super::AsyncReadExt::read),
//! [`read_buf`](super::AsyncReadExt::read_buf) and
//! [`read_exact`](super::AsyncReadExt::read_exact).
//!
//! `read` and `read_buf` make one `poll_read` per poll and keep no state between polls,
//! which is what makes them cancel safe. `read_buf` hands the reader the `BufMut`'s
//! next chunk as an uninitialised [`ReadBuf`](crate::ReadBuf) and then advances the
//! `BufMut` by what was filled; that is the one place here that needs `unsafe`, and it
//! checks that the reader filled the buffer it was given. `read_exact` keeps a
//! `ReadBuf` over the caller's slice across polls, so its progress survives `Pending`.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::BufMut;
use pin_project_lite::pin_project;

use super::assert_same_read_buf;
use crate::AsyncRead;

pin_project! {
    /// The future of [`AsyncReadExt::read`](super::AsyncReadExt::read): reads some
    /// bytes into a slice and returns how many.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Read<'a, R: ?Sized> {
        reader: &'a mut R,
        buf: &'a mut [u8],
        // `!Unpin`, as tokio's is, so a future switch to an `async fn` body is not a
        // breaking change.
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read<'a, R>(reader: &'a mut R, buf: &'a mut [u8]) -> Read<'a, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    Read {
        reader,
        buf,
        _pin: PhantomPinned,
    }
}

impl<R> Future for Read<'_, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        let mut buf = crate::ReadBuf::new(me.buf);
        ready!(Pin::new(&mut **me.reader).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().len()))
    }
}

pin_project! {
    /// The future of [`AsyncReadExt::read_buf`](super::AsyncReadExt::read_buf): reads
    /// some bytes into a [`BufMut`], advancing it, and returns how many.
    ///
    /// (Not to be confused with [`crate::ReadBuf`], the buffer type `poll_read` fills;
    /// tokio gives this future the same name.)
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadBuf<'a, R: ?Sized, B: ?Sized> {
        reader: &'a mut R,
        buf: &'a mut B,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read_buf<'a, R, B>(reader: &'a mut R, buf: &'a mut B) -> ReadBuf<'a, R, B>
where
    R: AsyncRead + Unpin + ?Sized,
    B: BufMut + ?Sized,
{
    ReadBuf {
        reader,
        buf,
        _pin: PhantomPinned,
    }
}

impl<R, B> Future for ReadBuf<'_, R, B>
where
    R: AsyncRead + Unpin + ?Sized,
    B: BufMut + ?Sized,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        if !me.buf.has_remaining_mut() {
            return Poll::Ready(Ok(0));
        }

        let filled = {
            // A growable buffer with no spare room (a full `BytesMut` or `Vec`) reserves
            // more here; a fixed one with room left returns what it has.
            let chunk = me.buf.chunk_mut();
            // SAFETY: the slice goes only to a `ReadBuf`, whose API never writes an
            // uninitialised byte over an initialised one (its unsafe accessors demand
            // the same of their callers), which is all `UninitSlice` asks.
            let chunk = unsafe { chunk.as_uninit_slice_mut() };
            let mut read_buf = crate::ReadBuf::uninit(chunk);
            let start = read_buf.filled().as_ptr();
            ready!(Pin::new(&mut **me.reader).poll_read(cx, &mut read_buf))?;
            assert_same_read_buf(start, &read_buf);
            read_buf.filled().len()
        };

        // SAFETY: the `ReadBuf` is the one over the start of `chunk_mut` (checked just
        // above), and a `ReadBuf`'s filled bytes are initialised, so the first `filled`
        // bytes of the chunk were written by the reader, as `advance_mut` requires.
        unsafe { me.buf.advance_mut(filled) };
        Poll::Ready(Ok(filled))
    }
}

pin_project! {
    /// The future of [`AsyncReadExt::read_exact`](super::AsyncReadExt::read_exact):
    /// fills a slice completely, or fails with `UnexpectedEof`.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadExact<'a, R: ?Sized> {
        reader: &'a mut R,
        // The caller's slice; its filled part is what has been read so far.
        buf: crate::ReadBuf<'a>,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read_exact<'a, R>(reader: &'a mut R, buf: &'a mut [u8]) -> ReadExact<'a, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    ReadExact {
        reader,
        buf: crate::ReadBuf::new(buf),
        _pin: PhantomPinned,
    }
}

/// The error of a stream that ended before a fixed-size read was complete.
pub(super) fn early_eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "early eof")
}

impl<R> Future for ReadExact<'_, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        loop {
            let remaining = me.buf.remaining();
            if remaining == 0 {
                return Poll::Ready(Ok(me.buf.capacity()));
            }
            match ready!(Pin::new(&mut **me.reader).poll_read(cx, me.buf)) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                polled => polled?,
            }
            if me.buf.remaining() == remaining {
                return Poll::Ready(Err(early_eof()));
            }
        }
    }
}
