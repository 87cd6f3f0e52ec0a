//! [`ChildStdin`], [`ChildStdout`] and [`ChildStderr`]: the parent's ends of a child's
//! standard pipes, switched to non-blocking mode and registered with the reactor.

use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::context;
use crate::driver::Handle;
use crate::io::{Interest, ReadBuf};
use crate::registration::{set_fd_nonblocking, PollEvented};

/// One end of a pipe, non-blocking and registered with the reactor: the same
/// `PollEvented` read and write paths as a socket's.
struct Pipe {
    io: PollEvented<File>,
}

impl Pipe {
    fn new(fd: OwnedFd, interest: Interest, handle: Handle) -> io::Result<Pipe> {
        set_fd_nonblocking(fd.as_fd(), true)?;
        Ok(Pipe {
            io: PollEvented::new_with_handle(File::from(fd), interest, handle)?,
        })
    }
}

macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident, $std:ty, $interest:expr) => {
        $(#[$doc])*
        pub struct $name {
            pipe: Pipe,
        }

        impl $name {
            /// Takes a std pipe end (from a child spawned by `std::process::Command`),
            /// switches it to non-blocking mode and registers it with the current
            /// runtime's reactor.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            pub fn from_std(std: $std) -> io::Result<$name> {
                let handle = context::current_for(concat!(
                    "spindle::process::",
                    stringify!($name),
                    "::from_std"
                ));
                Ok($name {
                    pipe: Pipe::new(OwnedFd::from(std), $interest, handle)?,
                })
            }

            /// Turns the pipe back into a blocking `OwnedFd`, e.g. to hand it to another
            /// child's `Stdio`.
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                let file = self.pipe.io.into_inner();
                set_fd_nonblocking(file.as_fd(), false)?;
                Ok(OwnedFd::from(file))
            }
        }

        impl TryInto<std::process::Stdio> for $name {
            type Error = io::Error;

            /// Deregisters the pipe and hands it (in blocking mode) to another child's
            /// stdio, as in `cmd.stdin(first_child_stdout.try_into()?)`.
            fn try_into(self) -> io::Result<std::process::Stdio> {
                self.into_owned_fd().map(std::process::Stdio::from)
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.pipe.io.io().as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.pipe.io.io().as_fd()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.as_raw_fd())
                    .finish()
            }
        }
    };
}

pipe_type!(
    /// The write end of a child's stdin, from [`Child::stdin`](super::Child::stdin).
    ///
    /// Implements [`AsyncWrite`](crate::io::AsyncWrite) (and `futures-io`'s and tokio's
    /// with their features). Dropping it closes the pipe, so the child sees end of file
    /// (`shutdown` only flushes: a pipe has no half-close).
    ChildStdin,
    std::process::ChildStdin,
    Interest::WRITABLE
);
pipe_type!(
    /// The read end of a child's stdout, from [`Child::stdout`](super::Child::stdout).
    ///
    /// Implements [`AsyncRead`](crate::io::AsyncRead) (and `futures-io`'s and tokio's with
    /// their features).
    ChildStdout,
    std::process::ChildStdout,
    Interest::READABLE
);
pipe_type!(
    /// The read end of a child's stderr, from [`Child::stderr`](super::Child::stderr).
    ///
    /// Implements [`AsyncRead`](crate::io::AsyncRead) (and `futures-io`'s and tokio's with
    /// their features).
    ChildStderr,
    std::process::ChildStderr,
    Interest::READABLE
);

impl crate::io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.io.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.pipe.io.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Pipes have no half-close: the pipe closes when the `ChildStdin` is dropped.
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl crate::io::AsyncRead for ChildStdout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.pipe.io.poll_read(cx, buf)
    }
}

impl crate::io::AsyncRead for ChildStderr {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.pipe.io.poll_read(cx, buf)
    }
}

#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(write: [] ChildStdin);
#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(read: [] ChildStdout);
#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(read: [] ChildStderr);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(write: [] ChildStdin);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(read: [] ChildStdout);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(read: [] ChildStderr);
