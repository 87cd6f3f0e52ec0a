//! The bridges from spindle's IO traits to the two other trait families a program may
//! meet: `futures-io` (futures and smol-style code) and the real tokio crate's (crates
//! built on tokio, used beside spindle).
//!
//! A bridge impl has to live in the crate that defines the IO type (the orphan rule),
//! so the reactor and the `spindle` facade each need them. They are macros here, once,
//! so both crates write them the same way: each impl forwards to the type's spindle
//! trait impl, which stays the one implementation of the IO itself. The expansion names
//! `futures_io::` or `tokio::`, so the invoking crate depends on that crate (behind its
//! feature) and puts the `#[cfg(feature = ..)]` on the invocation.
//!
//! Not part of the public API: the macros are hidden and may change.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::{AsyncRead, ReadBuf};

/// Reads through spindle's `AsyncRead` into `unfilled`, of which the first
/// `initialized` bytes are known to be initialised, and returns how many bytes the read
/// filled (all of them initialised). The tokio bridge uses it to read straight into a
/// tokio `ReadBuf`'s unfilled memory, without zeroing it first.
///
/// # Safety
///
/// The first `initialized` bytes of `unfilled` must be initialised.
#[doc(hidden)]
pub unsafe fn poll_read_into_uninit<R: AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    unfilled: &mut [MaybeUninit<u8>],
    initialized: usize,
) -> Poll<io::Result<usize>> {
    let mut buf = ReadBuf::uninit(unfilled);
    // SAFETY: forwarded from this function's contract.
    unsafe { buf.assume_init(initialized) };
    ready!(reader.poll_read(cx, &mut buf))?;
    Poll::Ready(Ok(buf.filled().len()))
}

/// Implements `futures_io::{AsyncRead, AsyncWrite}` for a type by forwarding to its
/// spindle impls; `poll_close` is `poll_shutdown`.
///
/// `bridge_futures_io!(read: [generics] Type)`, `(write: ...)`, `(both: ...)`, where
/// `generics` are the impl's generic parameters (often none: `[]`).
#[doc(hidden)]
#[macro_export]
macro_rules! bridge_futures_io {
    (read: [$($generics:tt)*] $type:ty) => {
        impl<$($generics)*> futures_io::AsyncRead for $type {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let mut buf = $crate::ReadBuf::new(buf);
                ::std::task::ready!($crate::AsyncRead::poll_read(self, cx, &mut buf))?;
                ::std::task::Poll::Ready(Ok(buf.filled().len()))
            }
        }
    };
    (write: [$($generics:tt)*] $type:ty) => {
        impl<$($generics)*> futures_io::AsyncWrite for $type {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::AsyncWrite::poll_shutdown(self, cx)
            }
        }
    };
    (both: [$($generics:tt)*] $type:ty) => {
        $crate::bridge_futures_io!(read: [$($generics)*] $type);
        $crate::bridge_futures_io!(write: [$($generics)*] $type);
    };
}

/// Implements the real tokio crate's `AsyncRead`, `AsyncWrite` and `AsyncSeek` for a
/// type by forwarding to its spindle impls. Reads go straight into tokio's `ReadBuf`
/// (no zeroing): spindle's `ReadBuf` has the same filled/initialised contract.
///
/// `bridge_tokio_io!(read: [generics] Type)`, `(write: ...)`, `(seek: ...)`,
/// `(both: ...)` for read and write.
#[doc(hidden)]
#[macro_export]
macro_rules! bridge_tokio_io {
    (read: [$($generics:tt)*] $type:ty) => {
        impl<$($generics)*> tokio::io::AsyncRead for $type {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let initialized = buf.initialized().len() - buf.filled().len();
                // SAFETY: spindle's reader only writes initialised bytes into the slice
                // (its `ReadBuf` never de-initialises memory), and reports how many.
                let unfilled = unsafe { buf.unfilled_mut() };
                // SAFETY: tokio's `ReadBuf` says its first `initialized().len()` bytes
                // are initialised, so that many of the unfilled part past `filled` are.
                let read = ::std::task::ready!(unsafe {
                    $crate::__bridge::poll_read_into_uninit(self, cx, unfilled, initialized)
                })?;
                // SAFETY: the spindle read filled (so initialised) `read` bytes at the
                // start of the unfilled part.
                unsafe { buf.assume_init(read) };
                buf.advance(read);
                ::std::task::Poll::Ready(Ok(()))
            }
        }
    };
    (write: [$($generics:tt)*] $type:ty) => {
        impl<$($generics)*> tokio::io::AsyncWrite for $type {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                $crate::AsyncWrite::is_write_vectored(self)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::AsyncWrite::poll_shutdown(self, cx)
            }
        }
    };
    (seek: [$($generics:tt)*] $type:ty) => {
        impl<$($generics)*> tokio::io::AsyncSeek for $type {
            fn start_seek(
                self: ::std::pin::Pin<&mut Self>,
                position: ::std::io::SeekFrom,
            ) -> ::std::io::Result<()> {
                $crate::AsyncSeek::start_seek(self, position)
            }

            fn poll_complete(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<u64>> {
                $crate::AsyncSeek::poll_complete(self, cx)
            }
        }
    };
    (both: [$($generics:tt)*] $type:ty) => {
        $crate::bridge_tokio_io!(read: [$($generics)*] $type);
        $crate::bridge_tokio_io!(write: [$($generics)*] $type);
    };
}
