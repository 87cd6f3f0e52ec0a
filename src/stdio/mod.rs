//! Async handles to the process's standard input, output and error, as tokio's
//! `io::{stdin, stdout, stderr}`.
//!
//! Standard streams may be terminals, pipes or files, and cannot all be made
//! non-blocking without affecting other processes sharing them, so, as in tokio, each
//! handle does its reads and writes on the blocking pool (its `blocking` module has the state
//! machine). Consequences a user should know, all shared with tokio:
//!
//! - Writes are write-behind: call `flush` to learn that the bytes were written (and
//!   to push out the line-buffered std stdout).
//! - A read from stdin cannot be cancelled: dropping a `Stdin` with a read in flight
//!   leaves the blocking thread waiting for input, and the bytes it then reads are lost.
//! - Several handles to one stream, or a handle used alongside `println!`, may
//!   interleave their output at write boundaries.

mod blocking;

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use spindle_io::{AsyncRead, AsyncWrite, ReadBuf};

use blocking::{Blocking, Stream};

static STDIN: Stream<io::Stdin> = Stream {
    open: io::stdin,
    read: "spindle::io::Stdin read",
    write: "spindle::io::Stdin write",
    flush: "spindle::io::Stdin flush",
};

static STDOUT: Stream<io::Stdout> = Stream {
    open: io::stdout,
    read: "spindle::io::Stdout read",
    write: "spindle::io::Stdout write",
    flush: "spindle::io::Stdout flush",
};

static STDERR: Stream<io::Stderr> = Stream {
    open: io::stderr,
    read: "spindle::io::Stderr read",
    write: "spindle::io::Stderr write",
    flush: "spindle::io::Stderr flush",
};

/// A handle to the process's standard input, reading on the blocking pool; made by
/// [`stdin`].
pub struct Stdin(Blocking<io::Stdin>);

/// A handle to the process's standard output, writing on the blocking pool; made by
/// [`stdout`].
pub struct Stdout(Blocking<io::Stdout>);

/// A handle to the process's standard error, writing on the blocking pool; made by
/// [`stderr`].
pub struct Stderr(Blocking<io::Stderr>);

/// A new handle to the standard input of the process, implementing
/// [`AsyncRead`](spindle_io::AsyncRead). Its reads run on the blocking pool, so it
/// must be used inside a runtime (it panics outside one). A read in flight cannot be
/// cancelled: dropping the `Stdin` leaves the blocking thread waiting for input, and
/// the bytes it then reads are lost.
///
/// ```no_run
/// use spindle::io::AsyncReadExt;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let mut input = String::new();
///     spindle::io::stdin().read_to_string(&mut input).await?;
///     println!("read {} bytes", input.len());
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub fn stdin() -> Stdin {
    Stdin(Blocking::new(&STDIN))
}

/// A new handle to the standard output of the process, implementing
/// [`AsyncWrite`](spindle_io::AsyncWrite). Writes run on the blocking pool; `flush`
/// waits for them and flushes std's line buffer. It must be used inside a runtime.
///
/// ```
/// use spindle::io::AsyncWriteExt;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let mut out = spindle::io::stdout();
///     out.write_all(b"hello from spindle\n").await?;
///     out.flush().await
/// }).unwrap();
/// ```
pub fn stdout() -> Stdout {
    Stdout(Blocking::new(&STDOUT))
}

/// A new handle to the standard error of the process, implementing
/// [`AsyncWrite`](spindle_io::AsyncWrite). Writes run on the blocking pool; `flush`
/// waits for them. It must be used inside a runtime.
///
/// ```
/// use spindle::io::AsyncWriteExt;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let mut err = spindle::io::stderr();
///     err.write_all(b"a warning\n").await?;
///     err.flush().await
/// }).unwrap();
/// ```
pub fn stderr() -> Stderr {
    Stderr(Blocking::new(&STDERR))
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        std::task::ready!(self.get_mut().0.poll_read(cx, dst))?;
        Poll::Ready(Ok(()))
    }
}

#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(read: [] Stdin);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(read: [] Stdin);

macro_rules! impl_async_write {
    ($handle:ident) => {
        impl AsyncWrite for $handle {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                src: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().0.poll_write(cx, src)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }

            /// The process's standard streams stay open: this flushes.
            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }
        }

        #[cfg(feature = "futures-io")]
        spindle_io::bridge_futures_io!(write: [] $handle);
        #[cfg(feature = "tokio-io")]
        spindle_io::bridge_tokio_io!(write: [] $handle);

        impl fmt::Debug for $handle {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(concat!("spindle::io::", stringify!($handle)))
                    .finish_non_exhaustive()
            }
        }
    };
}

impl_async_write!(Stdout);
impl_async_write!(Stderr);

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("spindle::io::Stdin").finish_non_exhaustive()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Stdin {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        0
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Stdout {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        1
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Stderr {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        2
    }
}
