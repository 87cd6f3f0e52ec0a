//! [`AsyncRead`]: reading bytes without blocking the thread.
//!
//! The trait and its impls for pointers, byte slices and cursors. A read reports
//! progress through the [`ReadBuf`] it fills, not a returned count, so it can fill
//! uninitialised memory (see `read_buf`); an `Ok(())` that filled nothing means end of
//! stream, unless the buffer had no room to begin with.

use std::io;
use std::ops::DerefMut;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::ReadBuf;

/// Reads bytes from a source asynchronously; tokio's `AsyncRead`, method for method.
///
/// `poll_read` either fills some bytes into `buf` and returns `Ready(Ok(()))`, returns
/// `Ready(Ok(()))` having filled nothing (end of stream, or `buf` had no space),
/// returns `Pending` having arranged for the task to be woken when it can make
/// progress, or returns an error. Use the methods of
/// [`AsyncReadExt`](crate::AsyncReadExt) rather than calling it directly.
///
/// ```
/// use spindle_io::{AsyncRead, ReadBuf};
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
///
/// let mut source: &[u8] = b"hello";
/// let mut storage = [0u8; 3];
/// let mut buf = ReadBuf::new(&mut storage);
/// let mut cx = Context::from_waker(Waker::noop());
/// let polled = Pin::new(&mut source).poll_read(&mut cx, &mut buf);
/// assert!(matches!(polled, Poll::Ready(Ok(()))));
/// assert_eq!(buf.filled(), b"hel");
/// assert_eq!(source, b"lo");
/// ```
pub trait AsyncRead {
    /// Attempts to read into `buf`; see the trait's documentation for the outcomes.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>>;
}

macro_rules! deref_async_read {
    () => {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Pin::new(&mut **self).poll_read(cx, buf)
        }
    };
}

impl<T: ?Sized + AsyncRead + Unpin> AsyncRead for Box<T> {
    deref_async_read!();
}

impl<T: ?Sized + AsyncRead + Unpin> AsyncRead for &mut T {
    deref_async_read!();
}

impl<P> AsyncRead for Pin<P>
where
    P: DerefMut + Unpin,
    P::Target: AsyncRead,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().as_mut().poll_read(cx, buf)
    }
}

impl AsyncRead for &[u8] {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let len = std::cmp::min(self.len(), buf.remaining());
        let (copied, rest) = self.split_at(len);
        buf.put_slice(copied);
        *self = rest;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsRef<[u8]> + Unpin> AsyncRead for io::Cursor<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let position = self.position();
        let data = self.get_ref().as_ref();
        // A position past the end (set by a seek) reads as end of stream.
        let Ok(start) = usize::try_from(position) else {
            return Poll::Ready(Ok(()));
        };
        if start >= data.len() {
            return Poll::Ready(Ok(()));
        }
        let len = std::cmp::min(data.len() - start, buf.remaining());
        buf.put_slice(&data[start..start + len]);
        self.set_position(position + len as u64);
        Poll::Ready(Ok(()))
    }
}
