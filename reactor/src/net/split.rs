//! The split halves of a stream socket, defined once for TCP and Unix streams.
//!
//! Borrowed halves (`split`) are two shared references to the stream; owned halves
//! (`into_split`) share it through an `Arc`. Either way the read half only ever waits
//! in the reader waker slot and the write half in the writer slot, so the two halves
//! can be driven from two tasks at once without stealing each other's wake-ups.
//! Shutting down a write half (`AsyncWriteExt::shutdown`) shuts down the write side; dropping an owned write half does
//! too (unless [`forget`](crate::net::tcp::OwnedWriteHalf::forget) was called), so the
//! peer sees end of stream.

/// Defines `ReadHalf`, `WriteHalf`, `OwnedReadHalf`, `OwnedWriteHalf`, `ReuniteError`,
/// `split` and `split_owned` for `$stream` in the invoking module.
macro_rules! split_halves {
    ($stream:ident, $addr:ty, $doc_path:literal) => {
        use std::io;
        use std::pin::Pin;
        use std::sync::Arc;
        use std::task::{Context, Poll};

        use crate::io::{Interest, Ready};

        #[doc = concat!("The read half of a [`", $doc_path, "`] borrowed by `split`.")]
        #[derive(Debug)]
        pub struct ReadHalf<'a>(&'a $stream);

        #[doc = concat!("The write half of a [`", $doc_path, "`] borrowed by `split`; shutting it down shuts down the write side of the stream.")]
        #[derive(Debug)]
        pub struct WriteHalf<'a>(&'a $stream);

        #[doc = concat!("The read half of a [`", $doc_path, "`] owned after `into_split`.")]
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            inner: Arc<$stream>,
        }

        #[doc = concat!("The write half of a [`", $doc_path, "`] owned after `into_split`; shutting it down or dropping it shuts down the write side of the stream.")]
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            inner: Arc<$stream>,
            shutdown_on_drop: bool,
        }

        /// Returned by `reunite` when the two halves came from different streams; holds
        /// them both, unchanged.
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl std::error::Error for ReuniteError {}

        pub(crate) fn split(stream: &mut $stream) -> (ReadHalf<'_>, WriteHalf<'_>) {
            (ReadHalf(stream), WriteHalf(stream))
        }

        pub(crate) fn split_owned(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
            let inner = Arc::new(stream);
            (
                OwnedReadHalf {
                    inner: Arc::clone(&inner),
                },
                OwnedWriteHalf {
                    inner,
                    shutdown_on_drop: true,
                },
            )
        }

        impl ReadHalf<'_> {
            /// The peer's address.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.0.peer_addr()
            }

            /// The local address.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.0.local_addr()
            }

            /// Waits until the socket is ready for `interest`.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.0.ready(interest).await
            }

            /// Waits until the socket is readable.
            pub async fn readable(&self) -> io::Result<()> {
                self.0.readable().await
            }

            /// Reads what is available without waiting (`WouldBlock` when nothing is).
            pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.0.try_read(buf)
            }

            /// Like `try_read`, into several buffers.
            pub fn try_read_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
                self.0.try_read_vectored(bufs)
            }

            /// Like `try_read`, into the spare capacity of `buf`, advancing it.
            pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
                self.0.try_read_buf(buf)
            }
        }

        impl WriteHalf<'_> {
            /// The peer's address.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.0.peer_addr()
            }

            /// The local address.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.0.local_addr()
            }

            /// Waits until the socket is ready for `interest`.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.0.ready(interest).await
            }

            /// Waits until the socket is writable.
            pub async fn writable(&self) -> io::Result<()> {
                self.0.writable().await
            }

            /// Writes what fits without waiting (`WouldBlock` when the socket is full).
            pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                self.0.try_write(buf)
            }

            /// Like `try_write`, from several buffers.
            pub fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
                self.0.try_write_vectored(bufs)
            }
        }

        impl OwnedReadHalf {
            /// Puts the halves back together; fails if they came from different streams.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                reunite(self, other)
            }

            /// The peer's address.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.inner.peer_addr()
            }

            /// The local address.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.inner.local_addr()
            }

            /// Waits until the socket is ready for `interest`.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.inner.ready(interest).await
            }

            /// Waits until the socket is readable.
            pub async fn readable(&self) -> io::Result<()> {
                self.inner.readable().await
            }

            /// Reads what is available without waiting (`WouldBlock` when nothing is).
            pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.inner.try_read(buf)
            }

            /// Like `try_read`, into several buffers.
            pub fn try_read_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
                self.inner.try_read_vectored(bufs)
            }

            /// Like `try_read`, into the spare capacity of `buf`, advancing it.
            pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
                self.inner.try_read_buf(buf)
            }
        }

        impl OwnedWriteHalf {
            /// Puts the halves back together; fails if they came from different streams.
            pub fn reunite(self, other: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                reunite(other, self)
            }

            /// Drops the half without shutting down the write side.
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
                drop(self);
            }

            /// The peer's address.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.inner.peer_addr()
            }

            /// The local address.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.inner.local_addr()
            }

            /// Waits until the socket is ready for `interest`.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.inner.ready(interest).await
            }

            /// Waits until the socket is writable.
            pub async fn writable(&self) -> io::Result<()> {
                self.inner.writable().await
            }

            /// Writes what fits without waiting (`WouldBlock` when the socket is full).
            pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                self.inner.try_write(buf)
            }

            /// Like `try_write`, from several buffers.
            pub fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
                self.inner.try_write_vectored(bufs)
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    // The peer may already be gone; there is no one to report it to.
                    let _ = self.inner.shutdown_write();
                }
            }
        }

        fn reunite(read: OwnedReadHalf, mut write: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
            if !Arc::ptr_eq(&read.inner, &write.inner) {
                return Err(ReuniteError(read, write));
            }
            write.shutdown_on_drop = false;
            drop(write);
            match Arc::try_unwrap(read.inner) {
                Ok(stream) => Ok(stream),
                Err(_) => unreachable!("both halves of the stream were just consumed"),
            }
        }

        impl crate::io::AsyncRead for ReadHalf<'_> {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut crate::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                self.0.poll_read_priv(cx, buf)
            }
        }

        impl crate::io::AsyncRead for OwnedReadHalf {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut crate::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                self.inner.poll_read_priv(cx, buf)
            }
        }

        impl crate::io::AsyncWrite for WriteHalf<'_> {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.0.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.0.poll_write_vectored_priv(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(self.0.shutdown_write())
            }
        }

        impl crate::io::AsyncWrite for OwnedWriteHalf {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.inner.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.inner.poll_write_vectored_priv(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            /// Shuts down the write side; dropping the half then does nothing more.
            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let this = self.get_mut();
                let shut = this.inner.shutdown_write();
                if shut.is_ok() {
                    this.shutdown_on_drop = false;
                }
                Poll::Ready(shut)
            }
        }

        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(read: ['a] ReadHalf<'a>);
        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(read: [] OwnedReadHalf);
        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(write: ['a] WriteHalf<'a>);
        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(write: [] OwnedWriteHalf);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(read: ['a] ReadHalf<'a>);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(read: [] OwnedReadHalf);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(write: ['a] WriteHalf<'a>);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(write: [] OwnedWriteHalf);
    };
}

pub(crate) use split_halves;
