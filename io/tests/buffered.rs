//! BufReader, BufWriter and BufStream: when they buffer, when they bypass the buffer,
//! what reaches the inner object and in which order, and how seeks account for the
//! buffer.

mod support;

use std::collections::VecDeque;
use std::future::poll_fn;
use std::io::{self, Cursor, IoSlice, SeekFrom};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use spindle_io::{
    AsyncBufReadExt, AsyncRead, AsyncSeek, AsyncSeekExt, AsyncWrite, BufReader, BufStream,
    BufWriter, ReadBuf,
};

// ---- drivers: the trait methods as futures, without AsyncReadExt/AsyncWriteExt ----

async fn write<W: AsyncWrite + Unpin>(writer: &mut W, buf: &[u8]) -> io::Result<usize> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_write(cx, buf)).await
}

async fn write_vectored<W: AsyncWrite + Unpin>(
    writer: &mut W,
    bufs: &[&[u8]],
) -> io::Result<usize> {
    let slices: Vec<IoSlice<'_>> = bufs.iter().map(|buf| IoSlice::new(buf)).collect();
    poll_fn(|cx| Pin::new(&mut *writer).poll_write_vectored(cx, &slices)).await
}

async fn flush<W: AsyncWrite + Unpin>(writer: &mut W) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_flush(cx)).await
}

async fn shutdown<W: AsyncWrite + Unpin>(writer: &mut W) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_shutdown(cx)).await
}

/// One `poll_read` into a fresh buffer of `len` bytes; returns what it filled.
async fn read<R: AsyncRead + Unpin>(reader: &mut R, len: usize) -> io::Result<Vec<u8>> {
    let mut storage = vec![0; len];
    let mut buf = ReadBuf::new(&mut storage);
    poll_fn(|cx| Pin::new(&mut *reader).poll_read(cx, &mut buf)).await?;
    Ok(buf.filled().to_vec())
}

// ---- a scripted reader ----

enum Step {
    Data(Vec<u8>),
    Pending,
}

/// Hands out its script step by step (an empty script is end of stream), and records
/// how much room each `poll_read` offered.
#[derive(Clone, Default)]
struct ScriptedReader {
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<usize>>>,
}

impl ScriptedReader {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        let reader = ScriptedReader::default();
        reader.script.lock().unwrap().extend(steps);
        reader
    }

    fn requests(&self) -> Vec<usize> {
        self.requests.lock().unwrap().clone()
    }
}

impl AsyncRead for ScriptedReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.requests.lock().unwrap().push(buf.remaining());
        let mut script = self.script.lock().unwrap();
        match script.pop_front() {
            None => Poll::Ready(Ok(())),
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Data(mut data)) => {
                let len = data.len().min(buf.remaining());
                buf.put_slice(&data[..len]);
                if len < data.len() {
                    script.push_front(Step::Data(data.split_off(len)));
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

// ---- a recording writer ----

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Write(Vec<u8>),
    WriteVectored(Vec<Vec<u8>>),
    Flush,
    Shutdown,
}

type Log = Arc<Mutex<Vec<Event>>>;

/// Logs every call that takes bytes or flushes. `max_write` caps the bytes one write
/// takes (0 = a write of zero bytes, the "can take no more" answer); with
/// `pending_first`, each write returns `Pending` once before it is taken.
struct RecordingWriter {
    log: Log,
    vectored: bool,
    max_write: usize,
    pending_first: bool,
    pending_next: bool,
}

impl RecordingWriter {
    fn new() -> (Self, Log) {
        let log = Log::default();
        let writer = RecordingWriter {
            log: Arc::clone(&log),
            vectored: false,
            max_write: usize::MAX,
            pending_first: false,
            pending_next: false,
        };
        (writer, log)
    }
}

fn events(log: &Log) -> Vec<Event> {
    log.lock().unwrap().clone()
}

impl AsyncWrite for RecordingWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.pending_first {
            self.pending_next = !self.pending_next;
            if self.pending_next {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        let len = buf.len().min(self.max_write);
        self.log
            .lock()
            .unwrap()
            .push(Event::Write(buf[..len].to_vec()));
        Poll::Ready(Ok(len))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if !self.vectored {
            let first = bufs.iter().find(|buf| !buf.is_empty());
            return self.poll_write(cx, first.map_or(&[][..], |buf| &**buf));
        }
        let copies: Vec<Vec<u8>> = bufs.iter().map(|buf| buf.to_vec()).collect();
        let total = copies.iter().map(Vec::len).sum();
        self.log.lock().unwrap().push(Event::WriteVectored(copies));
        Poll::Ready(Ok(total))
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.log.lock().unwrap().push(Event::Flush);
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.log.lock().unwrap().push(Event::Shutdown);
        Poll::Ready(Ok(()))
    }
}

// ---- BufWriter ----

#[test]
fn buf_writer_buffers_small_writes_until_flush() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(16, inner);
        assert_eq!(write(&mut writer, b"hello ").await.unwrap(), 6);
        assert_eq!(write(&mut writer, b"world").await.unwrap(), 5);
        assert!(
            events(&log).is_empty(),
            "the inner writer saw a write early"
        );
        assert_eq!(writer.buffer(), b"hello world");

        flush(&mut writer).await.unwrap();
        assert_eq!(
            events(&log),
            [Event::Write(b"hello world".to_vec()), Event::Flush]
        );
        assert!(writer.buffer().is_empty());
    });
}

#[test]
fn buf_writer_flushes_on_shutdown_before_shutting_the_inner_writer_down() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::new(inner);
        write(&mut writer, b"abc").await.unwrap();
        write(&mut writer, b"def").await.unwrap();
        assert!(events(&log).is_empty());

        shutdown(&mut writer).await.unwrap();
        assert_eq!(
            events(&log),
            [Event::Write(b"abcdef".to_vec()), Event::Shutdown]
        );
    });
}

#[test]
fn buf_writer_write_of_at_least_capacity_bypasses_the_empty_buffer() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(4, inner);
        assert_eq!(write(&mut writer, b"wxyz").await.unwrap(), 4);
        assert_eq!(events(&log), [Event::Write(b"wxyz".to_vec())]);
        assert!(writer.buffer().is_empty());
    });
}

#[test]
fn buf_writer_large_write_writes_the_buffer_out_first_then_goes_direct() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(4, inner);
        write(&mut writer, b"ab").await.unwrap();
        assert_eq!(write(&mut writer, b"0123456789").await.unwrap(), 10);
        assert_eq!(
            events(&log),
            [
                Event::Write(b"ab".to_vec()),
                Event::Write(b"0123456789".to_vec())
            ]
        );
        assert!(writer.buffer().is_empty());
    });
}

#[test]
fn buf_writer_write_that_does_not_fit_flushes_the_buffer_and_is_buffered() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(4, inner);
        write(&mut writer, b"abc").await.unwrap();
        write(&mut writer, b"de").await.unwrap();
        assert_eq!(events(&log), [Event::Write(b"abc".to_vec())]);
        assert_eq!(writer.buffer(), b"de");
    });
}

#[test]
fn buf_writer_flush_survives_partial_writes_and_pending_in_order() {
    support::block_on(async move {
        let (mut inner, log) = RecordingWriter::new();
        inner.max_write = 2;
        inner.pending_first = true;
        let mut writer = BufWriter::with_capacity(16, inner);
        write(&mut writer, b"abcdefg").await.unwrap();
        flush(&mut writer).await.unwrap();
        assert_eq!(
            events(&log),
            [
                Event::Write(b"ab".to_vec()),
                Event::Write(b"cd".to_vec()),
                Event::Write(b"ef".to_vec()),
                Event::Write(b"g".to_vec()),
                Event::Flush
            ]
        );
    });
}

#[test]
fn buf_writer_buffer_shrinks_by_what_a_pending_flush_already_wrote() {
    support::block_on(async move {
        let (mut inner, log) = RecordingWriter::new();
        inner.max_write = 2;
        inner.pending_first = true;
        let mut writer = BufWriter::with_capacity(16, inner);
        write(&mut writer, b"abcdef").await.unwrap();
        let mut flushing = 0;
        poll_fn(|cx| {
            let polled = Pin::new(&mut writer).poll_flush(cx);
            if polled.is_pending() {
                flushing += 1;
                if flushing == 2 {
                    // One write of two bytes has gone through, then a Pending.
                    return Poll::Ready(Ok(()));
                }
            }
            polled
        })
        .await
        .unwrap();
        assert_eq!(events(&log), [Event::Write(b"ab".to_vec())]);
        assert_eq!(writer.buffer(), b"cdef");
    });
}

#[test]
fn buf_writer_inner_write_of_zero_fails_the_flush_with_write_zero() {
    support::block_on(async move {
        let (mut inner, _log) = RecordingWriter::new();
        inner.max_write = 0;
        let mut writer = BufWriter::new(inner);
        write(&mut writer, b"abc").await.unwrap();
        let error = flush(&mut writer).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::WriteZero);
    });
}

#[test]
fn buf_writer_drop_does_not_flush() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::new(inner);
        write(&mut writer, b"lost").await.unwrap();
        drop(writer);
        assert!(events(&log).is_empty());
    });
}

#[test]
fn buf_writer_into_inner_drops_the_buffer() {
    support::block_on(async move {
        let mut writer = BufWriter::new(Vec::new());
        write(&mut writer, b"lost").await.unwrap();
        assert!(writer.into_inner().is_empty());
    });
}

#[test]
fn buf_writer_is_write_vectored_whatever_the_inner_writer() {
    let (inner, _log) = RecordingWriter::new();
    assert!(BufWriter::new(inner).is_write_vectored());
}

#[test]
fn buf_writer_vectored_inner_gets_all_buffers_buffered_when_they_fit() {
    support::block_on(async move {
        let (mut inner, log) = RecordingWriter::new();
        inner.vectored = true;
        let mut writer = BufWriter::with_capacity(8, inner);
        let written = write_vectored(&mut writer, &[b"ab", b"", b"cde"])
            .await
            .unwrap();
        assert_eq!(written, 5);
        assert_eq!(writer.buffer(), b"abcde");
        assert!(events(&log).is_empty());
    });
}

#[test]
fn buf_writer_vectored_inner_gets_large_totals_passed_through_vectored() {
    support::block_on(async move {
        let (mut inner, log) = RecordingWriter::new();
        inner.vectored = true;
        let mut writer = BufWriter::with_capacity(4, inner);
        write(&mut writer, b"z").await.unwrap();
        let written = write_vectored(&mut writer, &[b"ab", b"cd"]).await.unwrap();
        assert_eq!(written, 4);
        assert_eq!(
            events(&log),
            [
                Event::Write(b"z".to_vec()),
                Event::WriteVectored(vec![b"ab".to_vec(), b"cd".to_vec()])
            ]
        );
    });
}

#[test]
fn buf_writer_plain_inner_buffers_the_first_buffer_and_those_after_it_that_fit() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(6, inner);
        let written = write_vectored(&mut writer, &[b"", b"abc", b"de", b"fgh", b"i"])
            .await
            .unwrap();
        // "fgh" does not fit after "abcde", and nothing after it is taken.
        assert_eq!(written, 5);
        assert_eq!(writer.buffer(), b"abcde");
        assert!(events(&log).is_empty());
    });
}

#[test]
fn buf_writer_plain_inner_gets_a_large_first_buffer_written_directly() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(4, inner);
        let written = write_vectored(&mut writer, &[b"", b"abcdef", b"gh"])
            .await
            .unwrap();
        assert_eq!(written, 6);
        assert_eq!(events(&log), [Event::Write(b"abcdef".to_vec())]);
        assert!(writer.buffer().is_empty());
    });
}

#[test]
fn buf_writer_plain_inner_all_empty_buffers_write_zero_bytes() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        let mut writer = BufWriter::with_capacity(4, inner);
        assert_eq!(write_vectored(&mut writer, &[b"", b""]).await.unwrap(), 0);
        assert!(events(&log).is_empty());
    });
}

#[test]
fn buf_writer_seek_writes_the_buffer_out_before_seeking() {
    support::block_on(async move {
        let mut writer = BufWriter::new(Cursor::new(Vec::new()));
        write(&mut writer, b"abc").await.unwrap();
        assert_eq!(writer.seek(SeekFrom::Start(1)).await.unwrap(), 1);
        assert_eq!(writer.get_ref().get_ref(), b"abc");
        write(&mut writer, b"X").await.unwrap();
        flush(&mut writer).await.unwrap();
        assert_eq!(writer.get_ref().get_ref(), b"aXc");
    });
}

#[test]
fn buf_writer_passes_reads_through_to_the_inner_object() {
    support::block_on(async move {
        let mut writer = BufWriter::new(Cursor::new(b"read me".to_vec()));
        assert_eq!(writer.fill_buf().await.unwrap(), b"read me");
        writer.consume(5);
        assert_eq!(read(&mut writer, 10).await.unwrap(), b"me");
    });
}

// ---- BufReader ----

#[test]
fn buf_reader_large_read_with_nothing_buffered_bypasses_the_buffer() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"0123456789".to_vec())]);
        let mut reader = BufReader::with_capacity(4, inner.clone());
        assert_eq!(read(&mut reader, 8).await.unwrap(), b"01234567");
        // The inner reader was offered the caller's 8 bytes, not the 4-byte buffer.
        assert_eq!(inner.requests(), [8]);
        assert!(reader.buffer().is_empty());
    });
}

#[test]
fn buf_reader_small_read_fills_the_buffer_and_serves_from_it() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"0123456789".to_vec())]);
        let mut reader = BufReader::with_capacity(4, inner.clone());
        assert_eq!(read(&mut reader, 2).await.unwrap(), b"01");
        assert_eq!(reader.buffer(), b"23");
        assert_eq!(read(&mut reader, 2).await.unwrap(), b"23");
        assert_eq!(inner.requests(), [4], "the second read refilled early");
    });
}

#[test]
fn buf_reader_large_read_takes_buffered_bytes_first() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"0123456789".to_vec())]);
        let mut reader = BufReader::with_capacity(4, inner.clone());
        assert_eq!(read(&mut reader, 1).await.unwrap(), b"0");
        assert_eq!(read(&mut reader, 100).await.unwrap(), b"123");
        assert_eq!(read(&mut reader, 100).await.unwrap(), b"456789");
        assert_eq!(inner.requests(), [4, 100]);
    });
}

#[test]
fn buf_reader_read_through_pending_gets_the_data_after_it() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Pending, Step::Data(b"late".to_vec())]);
        let mut reader = BufReader::with_capacity(8, inner);
        assert_eq!(read(&mut reader, 2).await.unwrap(), b"la");
        assert_eq!(read(&mut reader, 2).await.unwrap(), b"te");
        assert_eq!(read(&mut reader, 2).await.unwrap(), b"");
    });
}

#[test]
fn buf_reader_new_has_an_8_kib_buffer() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(vec![7; 10_000])]);
        let mut reader = BufReader::new(inner.clone());
        assert_eq!(reader.fill_buf().await.unwrap().len(), 8 * 1024);
        assert_eq!(inner.requests(), [8 * 1024]);
    });
}

#[test]
#[should_panic(expected = "BufReader::consume(3) with only 2 bytes buffered")]
fn buf_reader_consume_past_the_buffer_panics() {
    support::block_on(async move {
        let mut reader = BufReader::with_capacity(2, &b"abcdef"[..]);
        reader.fill_buf().await.unwrap();
        reader.consume(3);
    });
}

#[test]
#[should_panic(expected = "capacity must be greater than zero")]
fn buf_reader_with_capacity_zero_panics() {
    let _ = BufReader::with_capacity(0, &b""[..]);
}

#[test]
fn buf_reader_seek_current_counts_from_the_logical_position() {
    support::block_on(async move {
        let mut reader = BufReader::with_capacity(4, Cursor::new(b"0123456789".to_vec()));
        assert_eq!(reader.fill_buf().await.unwrap(), b"0123");
        reader.consume(1);
        // The cursor is at 4, but only one byte was consumed.
        assert_eq!(reader.stream_position().await.unwrap(), 1);
        assert_eq!(reader.fill_buf().await.unwrap(), b"1234");
        reader.consume(1);
        assert_eq!(reader.seek(SeekFrom::Current(3)).await.unwrap(), 5);
        assert_eq!(reader.fill_buf().await.unwrap(), b"5678");
        assert_eq!(reader.seek(SeekFrom::Current(-5)).await.unwrap(), 0);
        assert_eq!(reader.fill_buf().await.unwrap(), b"0123");
    });
}

#[test]
fn buf_reader_seek_discards_the_buffer_even_when_the_target_is_inside_it() {
    support::block_on(async move {
        let mut reader = BufReader::with_capacity(8, Cursor::new(b"0123456789".to_vec()));
        reader.fill_buf().await.unwrap();
        assert_eq!(reader.seek(SeekFrom::Start(2)).await.unwrap(), 2);
        assert!(reader.buffer().is_empty());
        assert_eq!(reader.into_inner().position(), 2);
    });
}

#[test]
fn buf_reader_seek_start_and_end_ignore_the_buffer() {
    support::block_on(async move {
        let mut reader = BufReader::with_capacity(4, Cursor::new(b"0123456789".to_vec()));
        reader.fill_buf().await.unwrap();
        reader.consume(2);
        assert_eq!(reader.seek(SeekFrom::End(-3)).await.unwrap(), 7);
        assert_eq!(reader.fill_buf().await.unwrap(), b"789");
        assert_eq!(reader.seek(SeekFrom::Start(1)).await.unwrap(), 1);
        assert_eq!(reader.fill_buf().await.unwrap(), b"1234");
    });
}

/// A seekable reader that logs its seeks and completes each after one `Pending`.
struct LoggingSeeker {
    seeks: Vec<SeekFrom>,
    in_flight: bool,
    polled_once: bool,
}

impl AsyncRead for LoggingSeeker {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let len = buf.remaining().min(4);
        buf.put_slice(&b"data"[..len]);
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for LoggingSeeker {
    fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        if self.in_flight {
            return Err(io::Error::other("a seek is already in flight"));
        }
        self.seeks.push(position);
        self.in_flight = true;
        self.polled_once = false;
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        if self.in_flight && !self.polled_once {
            self.polled_once = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.in_flight = false;
        Poll::Ready(Ok(42))
    }
}

#[test]
fn buf_reader_seek_current_that_would_underflow_seeks_in_two_steps() {
    support::block_on(async move {
        let inner = LoggingSeeker {
            seeks: Vec::new(),
            in_flight: false,
            polled_once: false,
        };
        let mut reader = BufReader::with_capacity(4, inner);
        reader.fill_buf().await.unwrap();
        reader.consume(2);
        assert_eq!(reader.seek(SeekFrom::Current(i64::MIN)).await.unwrap(), 42);
        assert_eq!(
            reader.get_ref().seeks,
            [SeekFrom::Current(-2), SeekFrom::Current(i64::MIN)]
        );
        assert!(reader.buffer().is_empty());
    });
}

#[test]
fn buf_reader_seek_through_a_pending_inner_seek_subtracts_the_buffer_once() {
    support::block_on(async move {
        let inner = LoggingSeeker {
            seeks: Vec::new(),
            in_flight: false,
            polled_once: false,
        };
        let mut reader = BufReader::with_capacity(4, inner);
        reader.fill_buf().await.unwrap();
        reader.consume(1);
        reader.seek(SeekFrom::Current(10)).await.unwrap();
        assert_eq!(reader.get_ref().seeks, [SeekFrom::Current(7)]);
    });
}

#[test]
fn buf_reader_passes_writes_straight_through() {
    support::block_on(async move {
        let (inner, log) = RecordingWriter::new();
        struct ReadWrite(RecordingWriter);
        impl AsyncRead for ReadWrite {
            fn poll_read(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                _buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }
        impl AsyncWrite for ReadWrite {
            fn poll_write(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.0).poll_write(cx, buf)
            }
            fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut self.0).poll_flush(cx)
            }
            fn poll_shutdown(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<io::Result<()>> {
                Pin::new(&mut self.0).poll_shutdown(cx)
            }
        }
        let mut reader = BufReader::new(ReadWrite(inner));
        write(&mut reader, b"x").await.unwrap();
        assert_eq!(events(&log), [Event::Write(b"x".to_vec())]);
    });
}

#[test]
fn buf_reader_get_pin_mut_reaches_the_inner_reader() {
    let mut reader = BufReader::new(Cursor::new(vec![1u8, 2]));
    Pin::new(&mut reader).get_pin_mut().set_position(1);
    assert_eq!(reader.get_ref().position(), 1);
    reader.get_mut().set_position(2);
    assert_eq!(reader.into_inner().position(), 2);
}

// ---- BufStream ----

#[test]
fn buf_stream_buffers_reads_and_writes_separately() {
    support::block_on(async move {
        let mut stream = BufStream::with_capacity(4, 8, Cursor::new(b"0123456789".to_vec()));
        assert_eq!(read(&mut stream, 1).await.unwrap(), b"0");
        assert_eq!(stream.get_ref().position(), 4);
        write(&mut stream, b"ab").await.unwrap();
        assert_eq!(stream.get_ref().get_ref(), b"0123456789");
        flush(&mut stream).await.unwrap();
        assert_eq!(stream.get_ref().get_ref(), b"0123ab6789");
        // The read buffer was not touched by the write.
        assert_eq!(read(&mut stream, 3).await.unwrap(), b"123");
    });
}

#[test]
fn buf_stream_flushes_on_shutdown() {
    support::block_on(async move {
        let mut stream = BufStream::new(Cursor::new(Vec::new()));
        write(&mut stream, b"bye").await.unwrap();
        assert!(stream.get_ref().get_ref().is_empty());
        shutdown(&mut stream).await.unwrap();
        assert_eq!(stream.into_inner().into_inner(), b"bye");
    });
}

#[test]
fn buf_stream_seek_writes_out_and_accounts_for_the_read_buffer() {
    support::block_on(async move {
        let mut stream = BufStream::with_capacity(4, 8, Cursor::new(b"0123456789".to_vec()));
        assert_eq!(read(&mut stream, 1).await.unwrap(), b"0");
        assert_eq!(stream.stream_position().await.unwrap(), 1);
        write(&mut stream, b"X").await.unwrap();
        assert_eq!(stream.seek(SeekFrom::Start(0)).await.unwrap(), 0);
        assert_eq!(stream.get_ref().get_ref(), b"0X23456789");
        assert_eq!(stream.fill_buf().await.unwrap(), b"0X23");
    });
}

#[test]
fn buf_stream_from_writer_around_reader_keeps_both_buffers() {
    support::block_on(async move {
        let mut outer =
            BufWriter::new(BufReader::with_capacity(4, Cursor::new(b"abcdef".to_vec())));
        assert_eq!(outer.fill_buf().await.unwrap(), b"abcd");
        outer.consume(1);
        write(&mut outer, b"Z").await.unwrap();

        let mut stream = BufStream::from(outer);
        // Still buffered on both sides: no read and no write reached the cursor.
        assert_eq!(stream.get_ref().position(), 4);
        assert_eq!(stream.fill_buf().await.unwrap(), b"bcd");
        flush(&mut stream).await.unwrap();
        assert_eq!(stream.get_ref().get_ref(), b"abcdZf");
    });
}

#[test]
fn buf_stream_from_reader_around_writer_keeps_its_buffers() {
    support::block_on(async move {
        let mut nested = BufReader::new(BufWriter::new(Cursor::new(b"xy".to_vec())));
        write(&mut nested, b"q").await.unwrap();
        let mut stream = BufStream::from(nested);
        shutdown(&mut stream).await.unwrap();
        assert_eq!(stream.get_ref().get_ref(), b"qy");
    });
}

#[test]
#[should_panic(expected = "capacity must be greater than zero")]
fn buf_stream_with_zero_reader_capacity_panics() {
    let _ = BufStream::with_capacity(0, 8, Cursor::new(Vec::new()));
}

#[test]
fn adapters_are_unpin_and_send_when_the_inner_object_is() {
    fn unpin_send<T: Unpin + Send>() {}
    unpin_send::<BufReader<Cursor<Vec<u8>>>>();
    unpin_send::<BufWriter<Cursor<Vec<u8>>>>();
    unpin_send::<BufStream<Cursor<Vec<u8>>>>();
}
