//! `copy_buf`: a copy out of an [`AsyncBufRead`]'s own buffer, with no buffer of its
//! own.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Poll};

use spindle_sync::coop;

use crate::{AsyncBufRead, AsyncWrite};

/// Copies everything `reader` gives, to its end of stream, into `writer`, straight from
/// the reader's buffer, then flushes `writer`; returns the number of bytes copied.
///
/// # Cancel safety
///
/// Cancel safe in that nothing is lost: the reader's bytes are consumed only once
/// written.
///
/// ```
/// use spindle_io::BufReader;
///
/// # futures::executor::block_on(async {
/// let mut reader = BufReader::new(&b"buffered bytes"[..]);
/// let mut writer = Vec::new();
/// assert_eq!(spindle_io::copy_buf(&mut reader, &mut writer).await?, 14);
/// assert_eq!(writer, b"buffered bytes");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy_buf<'a, R, W>(reader: &'a mut R, writer: &'a mut W) -> io::Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut copied = 0u64;
    // Bytes were written since the last flush: flush before waiting on the reader, so
    // a buffering writer's bytes move on while the reader is idle (as `copy` does).
    let mut need_flush = false;
    poll_fn(|cx| loop {
        let budget = ready!(coop::poll_proceed(cx));
        let mut reader = Pin::new(&mut *reader);
        let mut writer = Pin::new(&mut *writer);
        let available = match reader.as_mut().poll_fill_buf(cx) {
            Poll::Ready(Ok(available)) => available,
            // Retried, as `std::io::copy` does; the unit stays spent.
            Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::Interrupted => {
                budget.made_progress();
                continue;
            }
            Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            Poll::Pending => {
                if need_flush {
                    ready!(writer.as_mut().poll_flush(cx))?;
                    need_flush = false;
                }
                return Poll::Pending;
            }
        };
        if available.is_empty() {
            ready!(writer.poll_flush(cx))?;
            return Poll::Ready(Ok(copied));
        }
        let written = match ready!(writer.poll_write(cx, available)) {
            Ok(written) => written,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                budget.made_progress();
                continue;
            }
            Err(err) => return Poll::Ready(Err(err)),
        };
        if written == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "write zero bytes into writer",
            )));
        }
        let written = written.min(available.len());
        reader.consume(written);
        copied += written as u64;
        need_flush = true;
        budget.made_progress();
    })
    .await
}
