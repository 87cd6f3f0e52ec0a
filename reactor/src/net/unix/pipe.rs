//! Unix pipes and FIFOs: [`Sender`] (the write end) and [`Receiver`] (the read end),
//! made with [`pipe`], opened from a FIFO file with [`OpenOptions`], or taken over
//! from an fd that is a pipe.
//!
//! Each end is one fd in non-blocking mode, registered with the reactor for its one
//! direction, and read and written through the same `PollEvented` paths as a socket.
//! A pipe has no half-close: `shutdown` on a sender does nothing, dropping it closes
//! it (the receiver then reads end of file once the buffer is drained).

use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::context;
use crate::driver::Handle;
use crate::io::{Interest, ReadBuf, Ready};
use crate::registration::{set_fd_nonblocking, PollEvented};

/// A new anonymous pipe (`pipe2` with `O_NONBLOCK | O_CLOEXEC`), both ends registered
/// with the current runtime's reactor.
///
/// ```
/// use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
/// use spindle_reactor::net::unix::pipe;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let (mut tx, mut rx) = pipe::pipe()?;
/// tx.write_all(b"through the pipe").await?;
/// drop(tx); // closes the write end: the reader sees end of file
/// let mut got = String::new();
/// rx.read_to_string(&mut got).await?;
/// assert_eq!(got, "through the pipe");
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Panics
///
/// Outside a runtime with IO enabled.
#[track_caller]
pub fn pipe() -> io::Result<(Sender, Receiver)> {
    let handle = context::current_for("spindle::net::unix::pipe::pipe");
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two fds pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((
        Sender::register(write, handle.clone())?,
        Receiver::register(read, handle)?,
    ))
}

/// Options for opening a FIFO file as a [`Sender`] or a [`Receiver`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    read_write: bool,
    unchecked: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Sender,
    Receiver,
}

impl OpenOptions {
    /// Options with every setting off.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Opens the FIFO for reading and writing (Linux and Android only; not defined by
    /// POSIX). A sender opened so succeeds even when nothing reads the FIFO yet; a
    /// receiver opened so never reads end of file, since it holds a write end itself.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn read_write(&mut self, value: bool) -> &mut OpenOptions {
        self.read_write = value;
        self
    }

    /// Skips the check that the opened file is a FIFO.
    pub fn unchecked(&mut self, value: bool) -> &mut OpenOptions {
        self.unchecked = value;
        self
    }

    /// Opens the FIFO at `path` as the read end. Fails with `InvalidInput` if the file
    /// is not a FIFO (unless [`unchecked`](Self::unchecked)).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn open_receiver<P: AsRef<Path>>(&self, path: P) -> io::Result<Receiver> {
        let handle = context::current_for("spindle::net::unix::pipe::OpenOptions::open_receiver");
        let file = self.open(path.as_ref(), End::Receiver)?;
        Receiver::register(file.into(), handle)
    }

    /// Opens the FIFO at `path` as the write end. Fails with `InvalidInput` if the file
    /// is not a FIFO (unless [`unchecked`](Self::unchecked)), and with `ENXIO` if no
    /// process has it open for reading (unless [`read_write`](Self::read_write)).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn open_sender<P: AsRef<Path>>(&self, path: P) -> io::Result<Sender> {
        let handle = context::current_for("spindle::net::unix::pipe::OpenOptions::open_sender");
        let file = self.open(path.as_ref(), End::Sender)?;
        Sender::register(file.into(), handle)
    }

    fn open(&self, path: &Path, end: End) -> io::Result<File> {
        let mut options = std::fs::OpenOptions::new();
        options
            .read(end == End::Receiver)
            .write(end == End::Sender)
            .custom_flags(libc::O_NONBLOCK);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.read_write {
            options.read(true).write(true);
        }
        let file = options.open(path)?;
        if !self.unchecked && !file.metadata()?.file_type().is_fifo() {
            return Err(not_a_pipe());
        }
        Ok(file)
    }
}

fn not_a_pipe() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a pipe")
}

/// Checks that `fd` is a pipe open for `end`'s direction, and makes it non-blocking.
fn check_pipe_end(fd: &OwnedFd, end: End) -> io::Result<()> {
    let file_type = File::from(fd.try_clone()?).metadata()?.file_type();
    if !file_type.is_fifo() {
        return Err(not_a_pipe());
    }
    // SAFETY: F_GETFL on an fd we borrow; no memory is passed.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let mode = flags & libc::O_ACCMODE;
    let (allowed, message) = match end {
        End::Sender => (
            mode == libc::O_WRONLY || mode == libc::O_RDWR,
            "not in O_WRONLY or O_RDWR access mode",
        ),
        End::Receiver => (
            mode == libc::O_RDONLY || mode == libc::O_RDWR,
            "not in O_RDONLY or O_RDWR access mode",
        ),
    };
    if !allowed {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    set_fd_nonblocking(fd.as_fd(), true)
}

macro_rules! pipe_end_common {
    ($name:ident, $end:expr, $interest:expr, $what:literal) => {
        impl $name {
            fn register(fd: OwnedFd, handle: Handle) -> io::Result<$name> {
                Ok($name {
                    io: PollEvented::new_with_handle(File::from(fd), $interest, handle)?,
                })
            }

            #[doc = concat!("Takes over `file`, which must be the ", $what, " of a pipe or FIFO: ")]
            /// fails with `InvalidInput` otherwise. Switches it to non-blocking mode and
            /// registers it with the current runtime's reactor.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            pub fn from_file(file: File) -> io::Result<$name> {
                $name::from_owned_fd(file.into())
            }

            /// Like [`from_file`](Self::from_file), from an `OwnedFd`.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            pub fn from_owned_fd(fd: OwnedFd) -> io::Result<$name> {
                let handle = context::current_for(concat!(
                    "spindle::net::unix::pipe::",
                    stringify!($name),
                    "::from_owned_fd"
                ));
                check_pipe_end(&fd, $end)?;
                $name::register(fd, handle)
            }

            /// Like [`from_file`](Self::from_file) without any check: `file` must
            /// already be a non-blocking pipe end of the right direction.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            pub fn from_file_unchecked(file: File) -> io::Result<$name> {
                $name::from_owned_fd_unchecked(file.into())
            }

            /// Like [`from_file_unchecked`](Self::from_file_unchecked), from an
            /// `OwnedFd`.
            ///
            /// # Panics
            ///
            /// Outside a runtime with IO enabled.
            #[track_caller]
            pub fn from_owned_fd_unchecked(fd: OwnedFd) -> io::Result<$name> {
                let handle = context::current_for(concat!(
                    "spindle::net::unix::pipe::",
                    stringify!($name),
                    "::from_owned_fd_unchecked"
                ));
                $name::register(fd, handle)
            }

            /// Waits until the pipe end is ready for any of `interest` and returns what
            /// is ready (possibly spuriously: follow up with a `try_*` call).
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                Ok(self.io.registration().readiness(interest).await?.ready)
            }

            /// Runs the non-blocking `op` if the pipe end looks ready for its
            /// direction; `WouldBlock` otherwise (and the readiness is cleared when
            /// `op` itself says `WouldBlock`).
            pub fn try_io<R>(&self, op: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
                self.io.registration().try_io($interest, op)
            }

            /// Deregisters the pipe end and returns its fd in blocking mode.
            pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
                let fd = self.into_nonblocking_fd()?;
                set_fd_nonblocking(fd.as_fd(), false)?;
                Ok(fd)
            }

            /// Deregisters the pipe end and returns its fd, still non-blocking.
            pub fn into_nonblocking_fd(self) -> io::Result<OwnedFd> {
                Ok(self.io.into_inner().into())
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.io.io().as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.io().as_fd()
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

/// The write end of a pipe or FIFO; writes through [`AsyncWrite`](crate::io::AsyncWrite).
pub struct Sender {
    io: PollEvented<File>,
}

pipe_end_common!(Sender, End::Sender, Interest::WRITABLE, "write end");

impl Sender {
    /// Waits until the pipe has room (or its read end closed).
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Polls for write readiness; only the last task to poll is woken.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io
            .registration()
            .poll_ready(cx, Interest::WRITABLE)
            .map_ok(drop)
    }

    /// Writes what fits without waiting; `WouldBlock` when the pipe is full. Fails
    /// with `BrokenPipe` once the read end is closed.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        use std::io::Write;
        self.try_io(|| (&mut self.io.io()).write(buf))
    }

    /// Like [`try_write`](Self::try_write), from several buffers.
    pub fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        use std::io::Write;
        self.try_io(|| (&mut self.io.io()).write_vectored(bufs))
    }
}

impl crate::io::AsyncWrite for Sender {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The read end of a pipe or FIFO; reads through [`AsyncRead`](crate::io::AsyncRead).
///
/// Once every write end is closed, reads return end of file (with
/// [`read_exact`](crate::io::AsyncReadExt::read_exact): `UnexpectedEof`).
pub struct Receiver {
    io: PollEvented<File>,
}

pipe_end_common!(Receiver, End::Receiver, Interest::READABLE, "read end");

impl Receiver {
    /// Waits until the pipe has data (or every write end closed).
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Polls for read readiness; only the last task to poll is woken.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io
            .registration()
            .poll_ready(cx, Interest::READABLE)
            .map_ok(drop)
    }

    /// Reads what is available without waiting: `Ok(0)` at end of file, `WouldBlock`
    /// when the pipe is empty.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        use std::io::Read;
        self.try_io(|| (&mut self.io.io()).read(buf))
    }

    /// Like [`try_read`](Self::try_read), into several buffers.
    pub fn try_read_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        use std::io::Read;
        self.try_io(|| (&mut self.io.io()).read_vectored(bufs))
    }

    /// Like [`try_read`](Self::try_read), into the spare capacity of `buf`, advancing it
    /// by what was read.
    pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.try_io(|| crate::net::recv_into_buf_mut(self.io.io(), buf))
    }
}

impl crate::io::AsyncRead for Receiver {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.io.poll_read(cx, buf)
    }
}

#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(write: [] Sender);
#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(read: [] Receiver);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(write: [] Sender);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(read: [] Receiver);
