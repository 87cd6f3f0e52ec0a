//! In-memory pipes: [`SimplexStream`] (one direction) and [`DuplexStream`] (two
//! connected ends, one simplex pipe per direction).
//!
//! A pipe is a bounded byte buffer with a waker for its reader and one for its writer.
//! A write takes what fits and returns `Pending` only when the buffer is full; a read
//! takes what is there and returns `Pending` only when it is empty. Closing the pipe
//! (shutting down or dropping the writing end, or dropping the reading end) lets the
//! reader drain what is left and then read end of stream, and fails every later write
//! with `BrokenPipe`. A duplex end keeps its two pipes behind mutexes shared with the
//! other end, and wakes the other side only after releasing the lock, since a waker
//! may run code that touches the same pipe.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::{Buf, BytesMut};
use parking_lot::Mutex;
use spindle_loom_shim::replace_waker;
use spindle_sync::coop;

use crate::util::split::{split, ReadHalf, WriteHalf};
use crate::{AsyncRead, AsyncWrite, ReadBuf};

/// A one-way in-memory pipe: what is written to it is read from it, with at most
/// `max_buf_size` bytes in between. Made by [`simplex`] (split into a read and a write
/// half) or [`SimplexStream::new_unsplit`] (one value doing both).
///
/// ```
/// use spindle_io::{AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (mut receiver, mut sender) = spindle_io::simplex(64);
/// sender.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// receiver.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct SimplexStream {
    buffer: BytesMut,
    max_buf_size: usize,
    closed: bool,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
}

/// Creates a one-way pipe holding at most `max_buf_size` bytes, as a read half and a
/// write half ([`ReadHalf::unsplit`] puts them back into one [`SimplexStream`]).
/// Shutting down the write half lets the reader drain and then read end of stream.
///
/// # Panics
///
/// If `max_buf_size` is 0 (no write could ever go through).
#[track_caller]
pub fn simplex(max_buf_size: usize) -> (ReadHalf<SimplexStream>, WriteHalf<SimplexStream>) {
    split(SimplexStream::new_unsplit(max_buf_size))
}

impl SimplexStream {
    /// A one-way pipe holding at most `max_buf_size` bytes, as one value that both
    /// reads and writes.
    ///
    /// # Panics
    ///
    /// If `max_buf_size` is 0 (no write could ever go through).
    #[track_caller]
    pub fn new_unsplit(max_buf_size: usize) -> SimplexStream {
        assert!(
            max_buf_size > 0,
            "an in-memory pipe needs max_buf_size > 0: with no room no write could ever \
             complete"
        );
        SimplexStream {
            buffer: BytesMut::new(),
            max_buf_size,
            closed: false,
            read_waker: None,
            write_waker: None,
        }
    }

    /// Ends the pipe: the reader drains and then reads end of stream, writes fail.
    /// Returns the wakers to wake once the caller has let go of any lock.
    fn close(&mut self) -> [Option<Waker>; 2] {
        self.closed = true;
        [self.read_waker.take(), self.write_waker.take()]
    }

    /// A read without the budget; what to do once the lock is released: wake the
    /// writer when bytes were taken, drop the waker this poll replaced.
    fn poll_read_inner(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> (Poll<io::Result<()>>, AfterUnlock) {
        if self.buffer.has_remaining() {
            let len = self.buffer.len().min(buf.remaining());
            buf.put_slice(&self.buffer[..len]);
            self.buffer.advance(len);
            (
                Poll::Ready(Ok(())),
                AfterUnlock::wake(self.write_waker.take()),
            )
        } else if self.closed || buf.remaining() == 0 {
            (Poll::Ready(Ok(())), AfterUnlock::default())
        } else {
            let stale = replace_waker(&mut self.read_waker, cx.waker());
            (Poll::Pending, AfterUnlock::drop_stale(stale))
        }
    }

    /// A write of as much of `bufs` as fits, without the budget; what to do once the
    /// lock is released: wake the reader when bytes were added, drop the waker this
    /// poll replaced.
    fn poll_write_inner(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> (Poll<io::Result<usize>>, AfterUnlock) {
        if self.closed {
            return (Poll::Ready(Err(broken_pipe())), AfterUnlock::default());
        }
        let wanted: usize = bufs.iter().map(|buf| buf.len()).sum();
        if wanted == 0 {
            return (Poll::Ready(Ok(0)), AfterUnlock::default());
        }
        let room = self.max_buf_size - self.buffer.len();
        if room == 0 {
            let stale = replace_waker(&mut self.write_waker, cx.waker());
            return (Poll::Pending, AfterUnlock::drop_stale(stale));
        }
        let mut written = 0;
        for buf in bufs {
            let take = buf.len().min(room - written);
            self.buffer.extend_from_slice(&buf[..take]);
            written += take;
            if written == room {
                break;
            }
        }
        (
            Poll::Ready(Ok(written)),
            AfterUnlock::wake(self.read_waker.take()),
        )
    }
}

/// The wakers a poll hands back to be dealt with once the pipe's lock is released: a
/// waker's `wake` may poll a task inline, and its destructor may drop the other end of
/// the pipe, and either would take the lock again.
#[derive(Default)]
struct AfterUnlock {
    wake: Option<Waker>,
    stale: Option<Waker>,
}

impl AfterUnlock {
    fn wake(waker: Option<Waker>) -> AfterUnlock {
        AfterUnlock {
            wake: waker,
            stale: None,
        }
    }

    fn drop_stale(waker: Option<Waker>) -> AfterUnlock {
        AfterUnlock {
            wake: None,
            stale: waker,
        }
    }

    fn run(self) {
        wake(self.wake);
        drop(self.stale);
    }
}

fn broken_pipe() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "the reading end of the in-memory pipe is gone (closed or dropped)",
    )
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Spends one budget unit around an inner poll, refunding it if the poll was pending.
fn budgeted<T>(
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> (Poll<T>, AfterUnlock),
) -> Poll<T> {
    let budget = std::task::ready!(coop::poll_proceed(cx));
    let (polled, after_unlock) = poll(cx);
    if polled.is_ready() {
        budget.made_progress();
    }
    after_unlock.run();
    polled
}

impl AsyncRead for SimplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.poll_read_inner(cx, buf))
    }
}

impl AsyncWrite for SimplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.poll_write_inner(cx, &[IoSlice::new(buf)]))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.poll_write_inner(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Closes the pipe: the reader drains and then reads end of stream.
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let [reader, writer] = self.get_mut().close();
        wake(reader);
        wake(writer);
        Poll::Ready(Ok(()))
    }
}

/// One end of a two-way in-memory pipe, made by [`duplex`]: what one end writes the
/// other reads, like a pair of connected sockets.
///
/// When one end is dropped, the other reads what is left and then end of stream, and
/// its writes, pending ones included, fail with `BrokenPipe`. Shutting down an end
/// (`AsyncWriteExt::shutdown`) ends only its own direction: the peer reads end of
/// stream and can still write back.
///
/// ```
/// use spindle_io::{AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (mut client, mut server) = spindle_io::duplex(64);
/// client.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// server.read_exact(&mut buf).await?;
/// server.write_all(b"pong").await?;
/// client.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"pong");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct DuplexStream {
    read: Arc<Mutex<SimplexStream>>,
    write: Arc<Mutex<SimplexStream>>,
}

/// Creates two connected [`DuplexStream`]s; each direction holds at most
/// `max_buf_size` bytes before its writer waits for the reader.
///
/// # Panics
///
/// If `max_buf_size` is 0 (no write could ever go through).
#[track_caller]
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    let one_way = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    let other_way = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    (
        DuplexStream {
            read: Arc::clone(&one_way),
            write: Arc::clone(&other_way),
        },
        DuplexStream {
            read: other_way,
            write: one_way,
        },
    )
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        budgeted(cx, |cx| self.read.lock().poll_read_inner(cx, buf))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        budgeted(cx, |cx| {
            self.write.lock().poll_write_inner(cx, &[IoSlice::new(buf)])
        })
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        budgeted(cx, |cx| self.write.lock().poll_write_inner(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Ends this end's direction: the peer drains it and then reads end of stream.
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let [reader, writer] = self.write.lock().close();
        wake(reader);
        wake(writer);
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        // The peer reads what we wrote and then end of stream; its writes to us fail.
        let to_wake = [self.write.lock().close(), self.read.lock().close()];
        for waker in to_wake.into_iter().flatten() {
            wake(waker);
        }
    }
}
