//! `copy`, `copy_buf` and `copy_bidirectional`: every byte arrives, counts are right,
//! writers are flushed (and, bidirectionally, shut down), errors and zero writes end
//! the copy.

mod support;

use std::future::Future;
use std::io::{self, ErrorKind};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use spindle_io::{AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use support::CountingWaker;

/// A writer that records its bytes, its flushes and its shutdowns.
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
    flushes: usize,
    shutdowns: usize,
    accepts_nothing: bool,
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.accepts_nothing {
            return Poll::Ready(Ok(0));
        }
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shutdowns += 1;
        Poll::Ready(Ok(()))
    }
}

#[test]
fn copy_moves_every_byte_returns_the_count_and_flushes_at_the_end() {
    let data = support_payload(100_000);
    let copied = support::block_on(async move {
        let mut reader = &data[..];
        let mut writer = Recorder::default();
        let copied = spindle_io::copy(&mut reader, &mut writer).await.unwrap();
        (copied, writer)
    });
    let data = support_payload(100_000);
    assert_eq!(copied.0, 100_000);
    assert!(copied.1.bytes == data);
    assert!(copied.1.flushes >= 1);
    assert_eq!(copied.1.shutdowns, 0, "copy does not shut the writer down");
}

#[test]
fn copy_flushes_a_buffered_writer_while_the_reader_waits() {
    // The reader gives "hello" and then has nothing more for now: the bytes sitting in
    // the BufWriter must reach the pipe before the copy waits.
    let (mut source_writer, mut source) = spindle_io::duplex(64);
    let (destination, mut destination_reader) = spindle_io::duplex(64);
    let mut buffered = BufWriter::new(destination);
    let (_counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);

    let mut send = pin!(source_writer.write_all(b"hello"));
    assert!(send.as_mut().poll(&mut cx).is_ready());
    let mut copying = pin!(spindle_io::copy(&mut source, &mut buffered));
    assert!(copying.as_mut().poll(&mut cx).is_pending());

    let mut buf = [0u8; 5];
    let mut read = pin!(destination_reader.read_exact(&mut buf));
    assert!(
        matches!(read.as_mut().poll(&mut cx), Poll::Ready(Ok(5))),
        "the copy left the bytes in the BufWriter"
    );
    assert_eq!(&buf, b"hello");
}

#[test]
fn copy_into_a_writer_that_accepts_nothing_fails_with_write_zero() {
    let mut reader: &[u8] = b"stuck";
    let mut writer = Recorder {
        accepts_nothing: true,
        ..Recorder::default()
    };
    let err = support::block_on(async move {
        spindle_io::copy(&mut reader, &mut writer)
            .await
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::WriteZero);
}

#[test]
fn copy_buf_copies_from_the_readers_own_buffer() {
    let data = support_payload(30_000);
    let (copied, writer) = support::block_on(async move {
        let mut reader = BufReader::with_capacity(1000, std::io::Cursor::new(data));
        let mut writer = Vec::new();
        let copied = spindle_io::copy_buf(&mut reader, &mut writer)
            .await
            .unwrap();
        (copied, writer)
    });
    assert_eq!(copied, 30_000);
    assert!(writer == support_payload(30_000));
}

#[test]
fn copy_bidirectional_returns_both_counts_and_shuts_each_side_down() {
    let (client, mut proxy_in) = spindle_io::duplex(1024);
    let (mut proxy_out, mut server) = spindle_io::duplex(1024);
    let request = support_payload(50_000);
    let reply = support_payload(20_000);
    let (counts, received_request, received_reply) = support::block_on(async move {
        let proxy = spindle_io::copy_bidirectional(&mut proxy_in, &mut proxy_out);
        let (mut client_read, mut client_write) = spindle_io::split(client);
        let client_side = async {
            let mut received = Vec::new();
            let ((), read) = futures::join!(
                async {
                    client_write.write_all(&request).await.unwrap();
                    client_write.shutdown().await.unwrap();
                },
                client_read.read_to_end(&mut received)
            );
            read.unwrap();
            received
        };
        let server_side = async {
            let mut received = Vec::new();
            server.read_to_end(&mut received).await.unwrap();
            server.write_all(&reply).await.unwrap();
            server.shutdown().await.unwrap();
            received
        };
        let (counts, received_reply, received_request) =
            futures::join!(proxy, client_side, server_side);
        (counts.unwrap(), received_request, received_reply)
    });
    assert_eq!(counts, (50_000, 20_000));
    assert!(received_request == support_payload(50_000));
    // The client read to its end: the proxy shut down its write side toward it.
    assert!(received_reply == support_payload(20_000));
}

#[test]
fn copy_bidirectional_with_sizes_uses_tiny_buffers_correctly() {
    let (mut a_outer, mut a) = spindle_io::duplex(7);
    let (mut b, mut b_outer) = spindle_io::duplex(7);
    let data = support_payload(5_000);
    let (counts, received) = support::block_on(async move {
        let copy = spindle_io::copy_bidirectional_with_sizes(&mut a, &mut b, 3, 1);
        let feed = async {
            a_outer.write_all(&data).await.unwrap();
            a_outer.shutdown().await.unwrap();
        };
        let drain = async {
            let mut received = Vec::new();
            b_outer.read_to_end(&mut received).await.unwrap();
            b_outer.shutdown().await.unwrap();
            received
        };
        let (counts, (), received) = futures::join!(copy, feed, drain);
        (counts.unwrap(), received)
    });
    assert_eq!(counts, (5_000, 0));
    assert!(received == support_payload(5_000));
}

#[test]
fn copy_between_always_ready_streams_spends_the_cooperative_budget() {
    let mut reader = spindle_io::repeat(1).take(10_000_000);
    let mut writer = spindle_io::sink();
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let polled = spindle_sync::coop::with_budget(|| {
        let mut copying = pin!(spindle_io::copy(&mut reader, &mut writer));
        copying.as_mut().poll(&mut cx).is_pending()
    });
    assert!(polled, "an endless ready copy never yielded");
    assert_eq!(counter.wakes(), 1);
}

fn support_payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A reader that fails with `Interrupted` before each chunk it gives.
struct InterruptedReader {
    chunks: Vec<&'static [u8]>,
    interrupt_next: bool,
}

impl spindle_io::AsyncRead for InterruptedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut spindle_io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.chunks.is_empty() {
            return Poll::Ready(Ok(()));
        }
        if std::mem::replace(&mut self.interrupt_next, false) {
            return Poll::Ready(Err(ErrorKind::Interrupted.into()));
        }
        self.interrupt_next = true;
        let chunk = self.chunks.remove(0);
        buf.put_slice(chunk);
        Poll::Ready(Ok(()))
    }
}

/// A writer that fails with `Interrupted` before each write it accepts, and takes at
/// most two bytes a time.
#[derive(Default)]
struct InterruptedWriter {
    written: Vec<u8>,
    interrupt_next: bool,
}

impl AsyncWrite for InterruptedWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if std::mem::replace(&mut self.interrupt_next, false) {
            return Poll::Ready(Err(ErrorKind::Interrupted.into()));
        }
        self.interrupt_next = true;
        let taken = buf.len().min(2);
        self.written.extend_from_slice(&buf[..taken]);
        Poll::Ready(Ok(taken))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn copy_retries_interrupted_reads_and_writes() {
    support::block_on(async {
        let mut reader = InterruptedReader {
            chunks: vec![b"spin", b"dle"],
            interrupt_next: true,
        };
        let mut writer = InterruptedWriter {
            interrupt_next: true,
            ..Default::default()
        };
        let copied = spindle_io::copy(&mut reader, &mut writer)
            .await
            .expect("Interrupted is retried, not returned");
        assert_eq!(copied, 7);
        assert_eq!(writer.written, b"spindle");
    });
}

#[test]
fn copy_buf_retries_interrupted_reads_and_writes() {
    support::block_on(async {
        let mut reader = BufReader::new(InterruptedReader {
            chunks: vec![b"spin", b"dle"],
            interrupt_next: true,
        });
        let mut writer = InterruptedWriter {
            interrupt_next: true,
            ..Default::default()
        };
        let copied = spindle_io::copy_buf(&mut reader, &mut writer)
            .await
            .expect("Interrupted is retried, not returned");
        assert_eq!(copied, 7);
        assert_eq!(writer.written, b"spindle");
    });
}

/// Holds what it is given until it is flushed, then passes it on to `inner`.
struct HoldUntilFlush {
    held: Vec<u8>,
    inner: spindle_io::DuplexStream,
}

impl AsyncWrite for HoldUntilFlush {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().held.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while !this.held.is_empty() {
            let written = std::task::ready!(Pin::new(&mut this.inner).poll_write(cx, &this.held))?;
            this.held.drain(..written);
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// A request-response peer: it sends a request and waits for the copy to deliver it
/// before it ends the stream. Unless `copy_buf` flushes its writer while the reader
/// has nothing more, the request stays held and both sides wait forever.
#[test]
fn copy_buf_flushes_a_holding_writer_while_the_reader_waits() {
    support::block_on(async {
        let (mut peer, source) = spindle_io::duplex(64);
        let (delivered, mut delivered_reader) = spindle_io::duplex(64);
        let mut writer = HoldUntilFlush {
            held: Vec::new(),
            inner: delivered,
        };
        let mut reader = BufReader::new(source);
        let copy = spindle_io::copy_buf(&mut reader, &mut writer);
        let client = async move {
            peer.write_all(b"request").await.expect("send the request");
            let mut seen = [0u8; 7];
            delivered_reader
                .read_exact(&mut seen)
                .await
                .expect("the request comes through");
            drop(peer);
            seen
        };
        let (copied, seen) = futures::join!(copy, client);
        assert_eq!(copied.expect("copy ends at the peer's end of stream"), 7);
        assert_eq!(&seen, b"request");
    });
}
