//! [`BufStream`]: both directions of a read-write object buffered, as a
//! `BufReader<BufWriter<RW>>`.
//!
//! Nesting the two adapters is all it takes, since each passes the other direction
//! through; the wrapper exists for the name, the two-capacity constructor, and
//! access to the innermost object. Its `From<BufWriter<BufReader<RW>>>` takes the other
//! nesting apart and rebuilds it inside out, keeping both buffers' contents.

use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{BufReader, BufWriter};
use crate::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

pin_project! {
    /// Buffers both the reads and the writes of an object that is [`AsyncRead`] and
    /// [`AsyncWrite`]; tokio's `BufStream`.
    ///
    /// A [`BufReader`] wrapped around a [`BufWriter`]: small reads are served from the
    /// read buffer, small writes collect in the write buffer. See those two types for
    /// the details; as with `BufWriter`, **dropping a `BufStream` does not flush it**.
    ///
    /// ```
    /// use spindle_io::{AsyncBufReadExt, AsyncWrite, BufStream};
    /// use std::future::poll_fn;
    /// use std::io::Cursor;
    /// use std::pin::Pin;
    ///
    /// futures::executor::block_on(async {
    ///     let mut stream = BufStream::new(Cursor::new(b"ping\n".to_vec()));
    ///     let mut line = String::new();
    ///     stream.read_line(&mut line).await?;
    ///     assert_eq!(line, "ping\n");
    ///
    ///     poll_fn(|cx| Pin::new(&mut stream).poll_write(cx, b"pong\n")).await?;
    ///     assert_eq!(stream.get_ref().get_ref(), b"ping\n"); // still buffered
    ///     poll_fn(|cx| Pin::new(&mut stream).poll_flush(cx)).await?;
    ///     assert_eq!(stream.get_ref().get_ref(), b"ping\npong\n");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct BufStream<RW> {
        #[pin]
        inner: BufReader<BufWriter<RW>>,
    }
}

impl<RW: AsyncRead + AsyncWrite> BufStream<RW> {
    /// Wraps `stream` in a [`BufWriter`] and that in a [`BufReader`], both with the
    /// default capacity.
    pub fn new(stream: RW) -> BufStream<RW> {
        BufStream {
            inner: BufReader::new(BufWriter::new(stream)),
        }
    }

    /// Like [`new`](Self::new), with a read buffer of `reader_capacity` bytes and a
    /// write buffer of `writer_capacity` bytes.
    ///
    /// # Panics
    ///
    /// If `reader_capacity` is zero, as [`BufReader::with_capacity`] does.
    #[track_caller]
    pub fn with_capacity(
        reader_capacity: usize,
        writer_capacity: usize,
        stream: RW,
    ) -> BufStream<RW> {
        BufStream {
            inner: BufReader::with_capacity(
                reader_capacity,
                BufWriter::with_capacity(writer_capacity, stream),
            ),
        }
    }

    /// A reference to the wrapped object.
    ///
    /// Reading or writing it directly bypasses both buffers.
    pub fn get_ref(&self) -> &RW {
        self.inner.get_ref().get_ref()
    }

    /// A mutable reference to the wrapped object.
    ///
    /// Reading or writing it directly bypasses both buffers.
    pub fn get_mut(&mut self) -> &mut RW {
        self.inner.get_mut().get_mut()
    }

    /// A pinned mutable reference to the wrapped object.
    ///
    /// Reading or writing it directly bypasses both buffers.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut RW> {
        self.project().inner.get_pin_mut().get_pin_mut()
    }

    /// Returns the wrapped object. Whatever either buffer holds is lost.
    pub fn into_inner(self) -> RW {
        self.inner.into_inner().into_inner()
    }
}

/// The nesting `BufStream` is made of, taken as it is.
impl<RW> From<BufReader<BufWriter<RW>>> for BufStream<RW> {
    fn from(inner: BufReader<BufWriter<RW>>) -> Self {
        BufStream { inner }
    }
}

/// The other nesting, turned inside out; both buffers keep what they hold.
impl<RW> From<BufWriter<BufReader<RW>>> for BufStream<RW> {
    fn from(outer: BufWriter<BufReader<RW>>) -> Self {
        let BufWriter {
            inner: reader,
            buf: write_buf,
            capacity: write_capacity,
            written,
            seek_state: write_seek_state,
        } = outer;
        let BufReader {
            inner: stream,
            buf: read_buf,
            pos,
            filled,
            seek_state: read_seek_state,
        } = reader;
        BufStream {
            inner: BufReader {
                inner: BufWriter {
                    inner: stream,
                    buf: write_buf,
                    capacity: write_capacity,
                    written,
                    seek_state: write_seek_state,
                },
                buf: read_buf,
                pos,
                filled,
                seek_state: read_seek_state,
            },
        }
    }
}

impl<RW: AsyncRead + AsyncWrite> AsyncWrite for BufStream<RW> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

impl<RW: AsyncRead + AsyncWrite> AsyncRead for BufStream<RW> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<RW: AsyncRead + AsyncWrite> AsyncBufRead for BufStream<RW> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.project().inner.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt)
    }
}

/// Seeks the wrapped object: the write buffer is written out first, and the read
/// buffer is accounted for and discarded, as [`BufReader`]'s and [`BufWriter`]'s seeks
/// do. `SeekFrom::Current(_)` counts from where the object would be had nothing been
/// buffered for reading.
impl<RW: AsyncRead + AsyncWrite + AsyncSeek> AsyncSeek for BufStream<RW> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        self.project().inner.start_seek(position)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        self.project().inner.poll_complete(cx)
    }
}
