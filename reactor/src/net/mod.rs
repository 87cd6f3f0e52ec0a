//! TCP, UDP and Unix-domain sockets, with tokio's names and semantics.
//!
//! Every type here owns a non-blocking std (or socket2) socket registered with the
//! reactor of the runtime it was created in. Operations try the syscall first and wait
//! for readiness only after `WouldBlock` (see `registration`). Each type also has the
//! readiness API: `ready`, `readable`, `writable`, and `try_*` operations that never
//! wait, for code that drives the syscalls itself.
//!
//! Creating a socket outside a runtime panics with a message naming the call. Once the
//! runtime that owns a socket shuts down, every operation on it returns an
//! [`io::Error`](std::io::Error) saying so.

mod addr;
mod split;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::{lookup_host, ToSocketAddrs};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

/// The readiness methods every socket type shares; expects a `self.io: PollEvented<_>`.
macro_rules! readiness_methods {
    () => {
        /// Waits until the socket is ready for any of `interest`, and returns what is
        /// ready. The readiness may be spurious: follow up with a `try_*` call and
        /// treat `WouldBlock` as "wait again".
        pub async fn ready(
            &self,
            interest: $crate::io::Interest,
        ) -> std::io::Result<$crate::io::Ready> {
            let event = self.io.registration().readiness(interest).await?;
            Ok(event.ready)
        }

        /// Waits until the socket is readable (or its read side closed); use with
        /// `try_read`-style calls.
        pub async fn readable(&self) -> std::io::Result<()> {
            self.ready($crate::io::Interest::READABLE).await.map(drop)
        }

        /// Waits until the socket is writable (or its write side closed); use with
        /// `try_write`-style calls.
        pub async fn writable(&self) -> std::io::Result<()> {
            self.ready($crate::io::Interest::WRITABLE).await.map(drop)
        }

        /// Polls for read readiness; stores the task's waker when not ready. Only the
        /// last task to call this is woken.
        pub fn poll_read_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io
                .registration()
                .poll_ready(cx, $crate::io::Interest::READABLE)
                .map_ok(drop)
        }

        /// Polls for write readiness; stores the task's waker when not ready. Only the
        /// last task to call this is woken.
        pub fn poll_write_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io
                .registration()
                .poll_ready(cx, $crate::io::Interest::WRITABLE)
                .map_ok(drop)
        }

        /// Runs the non-blocking `op` on the socket if the reactor says it is ready for
        /// `interest`; returns `WouldBlock` otherwise. When `op` returns `WouldBlock`,
        /// the readiness is cleared so the next `ready` waits for a new event.
        pub fn try_io<R>(
            &self,
            interest: $crate::io::Interest,
            op: impl FnOnce() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.registration().try_io(interest, op)
        }

        /// Waits for `interest` and runs the non-blocking `op` until it does not return
        /// `WouldBlock`.
        pub async fn async_io<R>(
            &self,
            interest: $crate::io::Interest,
            op: impl FnMut() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.registration().async_io(interest, op).await
        }
    };
}

/// `try_read`/`try_write` and friends for stream sockets (`&std type: Read + Write`).
macro_rules! stream_try_methods {
    () => {
        /// Reads what is available without waiting: `Ok(0)` at end of stream,
        /// `WouldBlock` when nothing is ready.
        pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
            use std::io::Read;
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    (&mut self.io.io()).read(buf)
                })
        }

        /// Like [`try_read`](Self::try_read), into several buffers.
        pub fn try_read_vectored(
            &self,
            bufs: &mut [std::io::IoSliceMut<'_>],
        ) -> std::io::Result<usize> {
            use std::io::Read;
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    (&mut self.io.io()).read_vectored(bufs)
                })
        }

        /// Like [`try_read`](Self::try_read), into the spare capacity of `buf` (a
        /// `Vec<u8>`, a `BytesMut`, ...), advancing it by what was read; the memory is
        /// not zeroed first.
        pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
            use std::os::fd::AsRawFd;
            let fd = self.io.io().as_raw_fd();
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    // SAFETY: read(2) only writes into the chunk, never de-initialises
                    // a byte of it.
                    let chunk = unsafe { buf.chunk_mut().as_uninit_slice_mut() };
                    let read = $crate::registration::read_uninit(fd, chunk)?;
                    // SAFETY: read(2) initialised the first `read` bytes of the chunk.
                    unsafe { buf.advance_mut(read) };
                    Ok(read)
                })
        }

        /// Writes what fits without waiting; `WouldBlock` when the socket is full.
        pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
            use std::io::Write;
            self.io
                .registration()
                .try_io($crate::io::Interest::WRITABLE, || {
                    (&mut self.io.io()).write(buf)
                })
        }

        /// Like [`try_write`](Self::try_write), from several buffers.
        pub fn try_write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            use std::io::Write;
            self.io
                .registration()
                .try_io($crate::io::Interest::WRITABLE, || {
                    (&mut self.io.io()).write_vectored(bufs)
                })
        }
    };
}

/// spindle's `AsyncRead`/`AsyncWrite` for a stream whose `self.io` is a `PollEvented`,
/// and the bridges beside them: `futures-io`'s (feature `futures-io`), tokio's
/// (`tokio-io`) and hyper's (`hyper`). `poll_shutdown` shuts down the write side.
macro_rules! stream_io_traits {
    ($name:ident) => {
        impl $crate::io::AsyncRead for $name {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut $crate::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.io.poll_read(cx, buf)
            }
        }

        impl $crate::io::AsyncWrite for $name {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown_write())
            }
        }

        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(both: [] $name);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(both: [] $name);
        $crate::io::hyper_io_traits!($name);
    };
}

pub(crate) use {readiness_methods, stream_io_traits, stream_try_methods};
