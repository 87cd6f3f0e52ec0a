//! `copy_bidirectional`: two copies at once, one per direction, each shutting down its
//! writer when its reader ends, so a proxy passes half-closes through.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::{CopyBuffer, DEFAULT_BUF_SIZE};
use crate::{AsyncRead, AsyncWrite};

/// Where one direction of a bidirectional copy is.
enum Direction {
    Copying(CopyBuffer),
    ShuttingDown(u64),
    Done(u64),
}

impl Direction {
    fn poll_transfer<R, W>(
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
            match self {
                Direction::Copying(buffer) => {
                    let copied = ready!(buffer.poll_copy(cx, reader.as_mut(), writer.as_mut()))?;
                    *self = Direction::ShuttingDown(copied);
                }
                Direction::ShuttingDown(copied) => {
                    ready!(writer.as_mut().poll_shutdown(cx))?;
                    *self = Direction::Done(*copied);
                }
                Direction::Done(copied) => return Poll::Ready(Ok(*copied)),
            }
        }
    }
}

/// Copies from `a` to `b` and from `b` to `a` at once, until both directions reach end
/// of stream; returns `(a_to_b, b_to_a)`, the byte counts.
///
/// When one direction's reader ends, its writer is flushed and shut down (a TCP stream
/// sends FIN), and the other direction goes on until it ends too. An error in either
/// direction ends the whole copy with that error. 8 KiB buffers, one per direction.
///
/// # Cancel safety
///
/// Not cancel safe: bytes read and not yet written are lost if the future is dropped.
///
/// ```
/// use spindle_io::{AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (mut client, mut proxy_in) = spindle_io::duplex(64);
/// let (mut proxy_out, mut server) = spindle_io::duplex(64);
/// client.write_all(b"request").await?;
/// client.shutdown().await?;
/// server.write_all(b"reply").await?;
/// server.shutdown().await?;
/// let counts = spindle_io::copy_bidirectional(&mut proxy_in, &mut proxy_out).await?;
/// assert_eq!(counts, (7, 5));
/// let mut request = Vec::new();
/// server.read_to_end(&mut request).await?;
/// assert_eq!(request, b"request");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    copy_bidirectional_with_sizes(a, b, DEFAULT_BUF_SIZE, DEFAULT_BUF_SIZE).await
}

/// [`copy_bidirectional`] with a buffer of `a_to_b_buf_size` bytes for the copy from
/// `a` to `b` and of `b_to_a_buf_size` for the other direction.
///
/// # Cancel safety
///
/// Not cancel safe, as [`copy_bidirectional`].
pub async fn copy_bidirectional_with_sizes<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b_buf_size: usize,
    b_to_a_buf_size: usize,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Direction::Copying(CopyBuffer::new(a_to_b_buf_size));
    let mut b_to_a = Direction::Copying(CopyBuffer::new(b_to_a_buf_size));
    poll_fn(|cx| {
        let forward = a_to_b.poll_transfer(cx, Pin::new(&mut *a), Pin::new(&mut *b))?;
        let backward = b_to_a.poll_transfer(cx, Pin::new(&mut *b), Pin::new(&mut *a))?;
        let forward = ready!(forward);
        let backward = ready!(backward);
        Poll::Ready(Ok((forward, backward)))
    })
    .await
}
