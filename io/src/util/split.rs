//! [`split`]: a read half and a write half of one reader-writer, usable from two tasks.
//!
//! The two halves share the value in an `Arc` behind a mutex, and each poll locks it
//! for the duration of that one poll call only, so a read waiting for data never holds
//! up a write. The value never moves while shared: only [`ReadHalf::unsplit`] takes it
//! out, once both halves are given back, and that requires `T: Unpin`. That is what
//! makes pinning it in place sound for types that are not `Unpin`.
//!
//! For sockets prefer their own `split`/`into_split`, which need no lock.

use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;

use crate::{AsyncRead, AsyncWrite, ReadBuf};

/// The read half of a value split by [`split`].
pub struct ReadHalf<T> {
    inner: Arc<Mutex<T>>,
}

/// The write half of a value split by [`split`].
pub struct WriteHalf<T> {
    inner: Arc<Mutex<T>>,
}

/// Splits a reader-writer into a read half and a write half, which can move into two
/// tasks. [`ReadHalf::unsplit`] puts them back together.
///
/// ```
/// use spindle_io::{AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let stream = std::io::Cursor::new(Vec::new());
/// let (mut reader, mut writer) = spindle_io::split(stream);
/// writer.write_all(b"abc").await?;
/// let mut stream = reader.unsplit(writer);
/// stream.set_position(0);
/// let mut read_back = String::new();
/// stream.read_to_string(&mut read_back).await?;
/// assert_eq!(read_back, "abc");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub fn split<T>(stream: T) -> (ReadHalf<T>, WriteHalf<T>)
where
    T: AsyncRead + AsyncWrite,
{
    let inner = Arc::new(Mutex::new(stream));
    (
        ReadHalf {
            inner: Arc::clone(&inner),
        },
        WriteHalf { inner },
    )
}

/// Locks the shared value and polls it, pinned in place.
fn with_pinned<T, R>(inner: &Mutex<T>, poll: impl FnOnce(Pin<&mut T>) -> R) -> R {
    let mut guard = inner.lock();
    // SAFETY: the value lives in the `Arc`'s allocation and is never moved out of it
    // while either half exists: `unsplit`, the only way out, consumes both halves and
    // requires `T: Unpin`. So the value stays at this address from its first pin to its
    // drop, which is what `Pin` asks.
    let pinned = unsafe { Pin::new_unchecked(&mut *guard) };
    poll(pinned)
}

impl<T> ReadHalf<T> {
    /// Whether `other` is the write half split off the same value.
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Puts the two halves back together into the value they were split from.
    ///
    /// # Panics
    ///
    /// If `writer` was split off another value.
    #[track_caller]
    pub fn unsplit(self, writer: WriteHalf<T>) -> T
    where
        T: Unpin,
    {
        assert!(
            self.is_pair_of(&writer),
            "ReadHalf::unsplit given the WriteHalf of another value: pass the write half \
             that split() returned together with this read half"
        );
        drop(writer);
        match Arc::try_unwrap(self.inner) {
            Ok(mutex) => mutex.into_inner(),
            Err(_) => unreachable!("both halves of the pair were just given back"),
        }
    }
}

impl<T> WriteHalf<T> {
    /// Whether `other` is the read half split off the same value.
    pub fn is_pair_of(&self, other: &ReadHalf<T>) -> bool {
        other.is_pair_of(self)
    }
}

impl<T: AsyncRead> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        with_pinned(&self.inner, |stream| stream.poll_read(cx, buf))
    }
}

impl<T: AsyncWrite> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        with_pinned(&self.inner, |stream| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        with_pinned(&self.inner, |stream| stream.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.lock().is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_pinned(&self.inner, |stream| stream.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_pinned(&self.inner, |stream| stream.poll_shutdown(cx))
    }
}

impl<T> fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("split::ReadHalf").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("split::WriteHalf").finish_non_exhaustive()
    }
}
