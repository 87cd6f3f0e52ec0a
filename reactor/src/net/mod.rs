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
pub use unix::{UnixDatagram, UnixListener, UnixSocket, UnixStream};

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
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    $crate::net::recv_into_buf_mut(self.io.io(), buf)
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

/// `TryFrom<$std>` for a socket type (tokio's conversion: `from_std`, which switches the
/// socket to non-blocking mode and registers it with the current runtime), and
/// `AsRawFd`/`AsFd` forwarding to the registered std socket.
macro_rules! std_socket_conversions {
    ($name:ident, $std:ty) => {
        impl TryFrom<$std> for $name {
            type Error = std::io::Error;

            /// Same as `from_std`.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            fn try_from(socket: $std) -> std::io::Result<$name> {
                $name::from_std(socket)
            }
        }

        impl std::os::fd::AsRawFd for $name {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.io.io().as_raw_fd()
            }
        }

        impl std::os::fd::AsFd for $name {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.io.io().as_fd()
            }
        }
    };
}

/// The polling, `BufMut` and readiness-polling methods shared by [`UdpSocket`] and
/// [`UnixDatagram`]; `$addr` is the type of a sender's address. Expects `self.io:
/// PollEvented<_>` whose std socket has `send`, `recv` and `recv_from`.
macro_rules! datagram_methods {
    ($addr:ty) => {
        /// Polls for send readiness (see [`writable`](Self::writable)); only the last
        /// task to poll is woken.
        pub fn poll_send_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.poll_write_ready(cx)
        }

        /// Polls for receive readiness (see [`readable`](Self::readable)); only the last
        /// task to poll is woken.
        pub fn poll_recv_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.poll_read_ready(cx)
        }

        /// Polls to send `buf` to the connected peer; only the last task to poll is
        /// woken.
        pub fn poll_send(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io
                .registration()
                .poll_io(cx, $crate::io::Interest::WRITABLE, || {
                    self.io.io().send(buf)
                })
        }

        /// Polls to receive a datagram from the connected peer into `buf`'s unfilled
        /// part (a longer datagram is truncated); only the last task to poll is woken.
        pub fn poll_recv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut $crate::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            let fd = std::os::fd::AsRawFd::as_raw_fd(self.io.io());
            // SAFETY: recv through `read_uninit` only writes into the unfilled part,
            // never de-initialises a byte of it.
            let unfilled = unsafe { buf.unfilled_mut() };
            let read = std::task::ready!(self.io.registration().poll_io(
                cx,
                $crate::io::Interest::READABLE,
                || $crate::registration::read_uninit(fd, unfilled)
            ))?;
            // SAFETY: read(2) initialised the first `read` bytes of the unfilled part.
            unsafe { buf.assume_init(read) };
            buf.advance(read);
            std::task::Poll::Ready(Ok(()))
        }

        /// Polls to receive a datagram and its sender's address into `buf`'s unfilled
        /// part; only the last task to poll is woken.
        pub fn poll_recv_from(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut $crate::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<$addr>> {
            let (read, from) = std::task::ready!(self.io.registration().poll_io(
                cx,
                $crate::io::Interest::READABLE,
                || self.io.io().recv_from(buf.initialize_unfilled())
            ))?;
            buf.advance(read);
            std::task::Poll::Ready(Ok(from))
        }

        /// Receives a datagram from the connected peer into the spare capacity of
        /// `buf` (a `Vec<u8>`, a `BytesMut`, ...), advancing it by the datagram's
        /// length; a longer datagram is truncated to the spare capacity.
        pub async fn recv_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
            self.io
                .registration()
                .async_io($crate::io::Interest::READABLE, || {
                    $crate::net::recv_into_buf_mut(self.io.io(), buf)
                })
                .await
        }

        /// Like [`recv_buf`](Self::recv_buf), without waiting: `WouldBlock` when no
        /// datagram is queued.
        pub fn try_recv_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    $crate::net::recv_into_buf_mut(self.io.io(), buf)
                })
        }

        /// Receives a datagram and its sender's address into the spare capacity of
        /// `buf`, advancing it by the datagram's length. The spare capacity is zeroed
        /// first (std's `recv_from` takes initialised memory).
        pub async fn recv_buf_from<B: bytes::BufMut>(
            &self,
            buf: &mut B,
        ) -> std::io::Result<(usize, $addr)> {
            self.io
                .registration()
                .async_io($crate::io::Interest::READABLE, || {
                    let (read, from) = self.io.io().recv_from($crate::net::zeroed_spare(buf))?;
                    // SAFETY: the spare capacity was initialised by `zeroed_spare`, and
                    // `read` is at most its length.
                    unsafe { buf.advance_mut(read) };
                    Ok((read, from))
                })
                .await
        }

        /// Like [`recv_buf_from`](Self::recv_buf_from), without waiting.
        pub fn try_recv_buf_from<B: bytes::BufMut>(
            &self,
            buf: &mut B,
        ) -> std::io::Result<(usize, $addr)> {
            self.io
                .registration()
                .try_io($crate::io::Interest::READABLE, || {
                    let (read, from) = self.io.io().recv_from($crate::net::zeroed_spare(buf))?;
                    // SAFETY: as in `recv_buf_from`.
                    unsafe { buf.advance_mut(read) };
                    Ok((read, from))
                })
        }
    };
}

/// One `read(2)` on a stream, or `recv` on a connected datagram socket, into the spare
/// capacity of `buf`, advancing it by what was read; the memory is not zeroed first.
pub(crate) fn recv_into_buf_mut<B: bytes::BufMut>(
    socket: &impl std::os::fd::AsRawFd,
    buf: &mut B,
) -> std::io::Result<usize> {
    // SAFETY: read(2) only writes into the chunk, never de-initialises a byte of it.
    let chunk = unsafe { buf.chunk_mut().as_uninit_slice_mut() };
    let read = crate::registration::read_uninit(socket.as_raw_fd(), chunk)?;
    // SAFETY: read(2) initialised the first `read` bytes of the chunk.
    unsafe { buf.advance_mut(read) };
    Ok(read)
}

/// The spare capacity of `buf` (its current chunk), zeroed so it can be handed to an
/// API that takes `&mut [u8]`.
pub(crate) fn zeroed_spare<B: bytes::BufMut>(buf: &mut B) -> &mut [u8] {
    // SAFETY: only zeros are written into the chunk before it is viewed as bytes.
    let chunk = unsafe { buf.chunk_mut().as_uninit_slice_mut() };
    for byte in chunk.iter_mut() {
        byte.write(0);
    }
    // SAFETY: every byte of `chunk` was initialised just above; `MaybeUninit<u8>` and
    // `u8` have the same layout.
    unsafe { std::slice::from_raw_parts_mut(chunk.as_mut_ptr().cast::<u8>(), chunk.len()) }
}

pub(crate) use {
    datagram_methods, readiness_methods, std_socket_conversions, stream_io_traits,
    stream_try_methods,
};
