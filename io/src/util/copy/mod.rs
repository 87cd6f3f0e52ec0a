//! `copy`, `copy_buf`, `copy_bidirectional`: moving bytes from readers to writers.
//!
//! One state machine, [`CopyBuffer`], does every unbuffered copy: `copy` drives one,
//! `copy_bidirectional` drives two, one per direction. It reads into its own buffer and
//! writes out what it holds before reading again. When the reader has nothing and the
//! writer has taken bytes since its last flush, it flushes before waiting, so a
//! buffered writer's bytes reach the peer while the reader is idle (a request-response
//! peer would otherwise wait forever for bytes sitting in a `BufWriter`). Each step
//! spends the cooperative budget, so copying between two in-memory streams that are
//! always ready still yields to the other tasks of its worker.

mod bidirectional;
mod copy_buf;

pub use bidirectional::{copy_bidirectional, copy_bidirectional_with_sizes};
pub use copy_buf::copy_buf;

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use spindle_sync::coop;

use crate::{AsyncRead, AsyncWrite, ReadBuf};

/// The buffer size of `copy` and the default of `copy_bidirectional`, as tokio's.
pub(crate) const DEFAULT_BUF_SIZE: usize = 8 * 1024;

/// One direction of a copy: the bytes read and not yet written, and the count so far.
#[derive(Debug)]
pub(crate) struct CopyBuffer {
    buf: Box<[u8]>,
    /// `buf[written..filled]` is read and not yet written.
    written: usize,
    filled: usize,
    read_done: bool,
    need_flush: bool,
    copied: u64,
}

impl CopyBuffer {
    pub(crate) fn new(size: usize) -> CopyBuffer {
        CopyBuffer {
            buf: vec![0; size.max(1)].into_boxed_slice(),
            written: 0,
            filled: 0,
            read_done: false,
            need_flush: false,
            copied: 0,
        }
    }

    /// Copies until the reader's end of stream, then flushes; returns the byte count.
    pub(crate) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            let budget = ready!(coop::poll_proceed(cx));
            if self.written == self.filled && !self.read_done {
                let mut read_buf = ReadBuf::new(&mut self.buf);
                match reader.as_mut().poll_read(cx, &mut read_buf) {
                    Poll::Ready(Ok(())) => {
                        let read = read_buf.filled().len();
                        self.written = 0;
                        self.filled = read;
                        self.read_done = read == 0;
                    }
                    // Retried, as `std::io::copy` does; the unit stays spent, so a
                    // reader that is interrupted forever still yields.
                    Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::Interrupted => {
                        budget.made_progress();
                        continue;
                    }
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                    Poll::Pending => {
                        if self.need_flush {
                            ready!(writer.as_mut().poll_flush(cx))?;
                            self.need_flush = false;
                        }
                        return Poll::Pending;
                    }
                }
            }
            while self.written < self.filled {
                let pending = &self.buf[self.written..self.filled];
                let written = match ready!(writer.as_mut().poll_write(cx, pending)) {
                    Ok(written) => written,
                    // Retried on the next turn of the loop, after the budget check.
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => break,
                    Err(err) => return Poll::Ready(Err(err)),
                };
                if written == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "write zero bytes into writer",
                    )));
                }
                let written = written.min(pending.len());
                self.written += written;
                self.copied += written as u64;
                self.need_flush = true;
            }
            budget.made_progress();
            if self.read_done && self.written == self.filled {
                ready!(writer.as_mut().poll_flush(cx))?;
                self.need_flush = false;
                return Poll::Ready(Ok(self.copied));
            }
        }
    }
}

/// Copies everything `reader` gives, to its end of stream, into `writer`, then flushes
/// `writer`; returns the number of bytes copied. The writer is not shut down.
///
/// Bytes pass through an 8 KiB buffer. When the reader has nothing to give, the writer
/// is flushed before the copy waits. A writer that accepts zero bytes fails the copy
/// with `WriteZero`.
///
/// # Cancel safety
///
/// Not cancel safe: bytes read and not yet written are lost if the future is dropped.
///
/// ```
/// # futures::executor::block_on(async {
/// let mut reader: &[u8] = b"hello";
/// let mut writer: Vec<u8> = Vec::new();
/// let copied = spindle_io::copy(&mut reader, &mut writer).await?;
/// assert_eq!((copied, &writer[..]), (5, &b"hello"[..]));
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy<'a, R, W>(reader: &'a mut R, writer: &'a mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buffer = CopyBuffer::new(DEFAULT_BUF_SIZE);
    poll_fn(|cx| buffer.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer))).await
}
