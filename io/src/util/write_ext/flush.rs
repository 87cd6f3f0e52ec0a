//! The futures of [`flush`](super::AsyncWriteExt::flush) and
//! [`shutdown`](super::AsyncWriteExt::shutdown).
//!
//! Each forwards to the writer's `poll_flush` / `poll_shutdown` until it completes and
//! keeps no state of its own: the progress of a flush or a shutdown is the writer's,
//! which is why dropping either future loses nothing.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::AsyncWrite;

pin_project! {
    /// The future of [`AsyncWriteExt::flush`](super::AsyncWriteExt::flush): flushes a
    /// writer.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Flush<'a, A: ?Sized> {
        a: &'a mut A,
        // `!Unpin`, as tokio's is.
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn flush<A>(a: &mut A) -> Flush<'_, A>
where
    A: AsyncWrite + Unpin + ?Sized,
{
    Flush {
        a,
        _pin: PhantomPinned,
    }
}

impl<A> Future for Flush<'_, A>
where
    A: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.project();
        Pin::new(&mut **me.a).poll_flush(cx)
    }
}

pin_project! {
    /// The future of [`AsyncWriteExt::shutdown`](super::AsyncWriteExt::shutdown):
    /// shuts a writer down.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Shutdown<'a, A: ?Sized> {
        a: &'a mut A,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn shutdown<A>(a: &mut A) -> Shutdown<'_, A>
where
    A: AsyncWrite + Unpin + ?Sized,
{
    Shutdown {
        a,
        _pin: PhantomPinned,
    }
}

impl<A> Future for Shutdown<'_, A>
where
    A: AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.project();
        Pin::new(&mut **me.a).poll_shutdown(cx)
    }
}
