//! [`ChildStdin`], [`ChildStdout`] and [`ChildStderr`]: the parent's ends of a child's
//! standard pipes, switched to non-blocking mode and registered with the reactor.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::io::unix::AsyncFd;
use crate::io::Interest;

/// One end of a pipe, non-blocking and registered with the reactor.
struct Pipe {
    fd: AsyncFd<File>,
}

impl Pipe {
    fn new(fd: OwnedFd, interest: Interest) -> io::Result<Pipe> {
        set_nonblocking(&fd)?;
        Ok(Pipe {
            fd: AsyncFd::with_interest(File::from(fd), interest)?,
        })
    }

    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            if let Ok(result) = guard.try_io(|fd| fd.get_ref().read(buf)) {
                return Poll::Ready(result);
            }
        }
    }

    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            if let Ok(result) = guard.try_io(|fd| fd.get_ref().write(buf)) {
                return Poll::Ready(result);
            }
        }
    }
}

fn set_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: F_GETFL on an fd we own; no memory is passed.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: F_SETFL with an int argument on an fd we own. The pipe end is ours alone
    // (the child holds the other end), so nobody else sees the flag change.
    if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident, $std:ty, $interest:expr) => {
        $(#[$doc])*
        pub struct $name {
            pipe: Pipe,
        }

        impl $name {
            pub(crate) fn from_std(std: $std) -> io::Result<$name> {
                Ok($name {
                    pipe: Pipe::new(OwnedFd::from(std), $interest)?,
                })
            }

            /// Turns the pipe back into a blocking `OwnedFd`, e.g. to hand it to another
            /// child's `Stdio`.
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                let file = self.pipe.fd.into_inner();
                file.set_nonblocking_blocking()?;
                Ok(OwnedFd::from(file))
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.pipe.fd.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.pipe.fd.get_ref().as_fd()
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

/// Clearing `O_NONBLOCK` when a pipe leaves the reactor.
trait SetBlocking {
    fn set_nonblocking_blocking(&self) -> io::Result<()>;
}

impl SetBlocking for File {
    fn set_nonblocking_blocking(&self) -> io::Result<()> {
        let raw = self.as_raw_fd();
        // SAFETY: F_GETFL on an fd `self` owns; no memory is passed.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: F_SETFL with an int argument on an fd `self` owns.
        if unsafe { libc::fcntl(raw, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

pipe_type!(
    /// The write end of a child's stdin, from [`Child::stdin`](super::Child::stdin).
    ///
    /// Implements `futures-io`'s `AsyncWrite` (and tokio's, with the `tokio-io`
    /// feature). Dropping it closes the pipe, so the child sees end of file (`close`
    /// only flushes: a pipe has no half-close).
    ChildStdin,
    std::process::ChildStdin,
    Interest::WRITABLE
);
pipe_type!(
    /// The read end of a child's stdout, from [`Child::stdout`](super::Child::stdout).
    ///
    /// Implements `futures-io`'s `AsyncRead` (and tokio's, with the `tokio-io` feature).
    ChildStdout,
    std::process::ChildStdout,
    Interest::READABLE
);
pipe_type!(
    /// The read end of a child's stderr, from [`Child::stderr`](super::Child::stderr).
    ///
    /// Implements `futures-io`'s `AsyncRead` (and tokio's, with the `tokio-io` feature).
    ChildStderr,
    std::process::ChildStderr,
    Interest::READABLE
);

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Pipes have no half-close: the pipe closes when the `ChildStdin` is dropped.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncRead for ChildStdout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_read(cx, buf)
    }
}

impl futures_io::AsyncRead for ChildStderr {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.pipe.poll_read(cx, buf)
    }
}

crate::io::tokio_io_traits!(write: ChildStdin);
crate::io::tokio_io_traits!(read: ChildStdout);
crate::io::tokio_io_traits!(read: ChildStderr);
