//! `duplex` and `simplex`: bounded in-memory pipes with back-pressure, end of stream
//! after the writer is done, and `BrokenPipe` for writes nobody will read.

mod support;

use std::future::Future;
use std::io::ErrorKind;
use std::pin::pin;
use std::task::{Context, Poll};

use spindle_io::{AsyncReadExt, AsyncWriteExt, SimplexStream};
use support::CountingWaker;

#[test]
fn duplex_write_beyond_the_capacity_waits_and_is_woken_when_the_reader_consumes() {
    let (mut writer_end, mut reader_end) = spindle_io::duplex(4);
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);

    let mut write = pin!(writer_end.write_all(b"abcdefgh"));
    assert!(
        write.as_mut().poll(&mut cx).is_pending(),
        "only 4 bytes fit"
    );
    assert_eq!(counter.wakes(), 0);

    let mut first = [0u8; 4];
    let mut read = pin!(reader_end.read_exact(&mut first));
    assert!(matches!(read.as_mut().poll(&mut cx), Poll::Ready(Ok(4))));
    assert_eq!(&first, b"abcd");
    assert!(
        counter.wakes() >= 1,
        "the blocked writer was woken by the read"
    );

    assert!(matches!(write.as_mut().poll(&mut cx), Poll::Ready(Ok(()))));
    let mut second = [0u8; 4];
    let mut read = pin!(reader_end.read_exact(&mut second));
    assert!(matches!(read.as_mut().poll(&mut cx), Poll::Ready(Ok(4))));
    assert_eq!(&second, b"efgh");
}

#[test]
fn duplex_reader_is_woken_by_a_write_after_waiting_on_an_empty_pipe() {
    let (mut a, mut b) = spindle_io::duplex(16);
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut buf = [0u8; 8];
    {
        let mut read = pin!(b.read(&mut buf));
        assert!(read.as_mut().poll(&mut cx).is_pending());
    }
    support::block_on(async move {
        a.write_all(b"hi").await.unwrap();
        (a, b)
    });
    assert_eq!(counter.wakes(), 1);
}

#[test]
fn duplex_reads_what_is_left_then_end_of_stream_after_the_peer_is_dropped() {
    let (mut kept, mut dropped) = spindle_io::duplex(64);
    support::block_on(async move {
        dropped.write_all(b"last words").await.unwrap();
        drop(dropped);
        let mut received = Vec::new();
        kept.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, b"last words");
        let err = kept.write_all(b"anyone?").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn duplex_pending_write_fails_with_broken_pipe_when_the_peer_is_dropped() {
    let (mut writer_end, reader_end) = spindle_io::duplex(2);
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut write = pin!(writer_end.write_all(b"too long"));
    assert!(write.as_mut().poll(&mut cx).is_pending());
    drop(reader_end);
    assert!(
        counter.wakes() >= 1,
        "the waiting writer was woken by the drop"
    );
    match write.as_mut().poll(&mut cx) {
        Poll::Ready(Err(err)) => assert_eq!(err.kind(), ErrorKind::BrokenPipe),
        other => panic!("a write to a dropped peer returned {other:?}"),
    }
}

#[test]
fn duplex_shutdown_ends_one_direction_and_the_peer_can_still_answer() {
    let (mut client, mut server) = spindle_io::duplex(64);
    support::block_on(async move {
        client.write_all(b"request").await.unwrap();
        client.shutdown().await.unwrap();
        let mut request = Vec::new();
        server.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"request");
        server.write_all(b"reply").await.unwrap();
        drop(server);
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"reply");
    });
}

#[test]
fn duplex_vectored_write_takes_what_fits_from_several_buffers() {
    use std::io::IoSlice;
    let (mut a, mut b) = spindle_io::duplex(5);
    support::block_on(async move {
        let bufs = [IoSlice::new(b"abc"), IoSlice::new(b"defg")];
        assert_eq!(a.write_vectored(&bufs).await.unwrap(), 5);
        let mut buf = [0u8; 5];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abcde");
    });
}

#[test]
fn simplex_halves_carry_bytes_and_shutdown_ends_the_stream() {
    let (mut reader, mut writer) = spindle_io::simplex(3);
    support::block_on(async move {
        let sending = async {
            writer.write_all(b"more than three").await.unwrap();
            writer.shutdown().await.unwrap();
        };
        let receiving = async {
            let mut received = String::new();
            reader.read_to_string(&mut received).await.unwrap();
            received
        };
        let ((), received) = futures::join!(sending, receiving);
        assert_eq!(received, "more than three");
    });
}

#[test]
fn simplex_unsplit_reads_back_what_it_wrote() {
    let mut pipe = SimplexStream::new_unsplit(16);
    support::block_on(async move {
        pipe.write_all(b"echo").await.unwrap();
        let mut buf = [0u8; 4];
        pipe.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"echo");
    });
}

#[test]
#[should_panic(expected = "max_buf_size > 0")]
fn duplex_of_zero_capacity_is_refused() {
    let _ = spindle_io::duplex(0);
}

#[test]
fn duplex_reads_and_writes_spend_the_cooperative_budget() {
    let (mut a, _b) = spindle_io::duplex(usize::MAX / 2);
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let writes = spindle_sync::coop::with_budget(|| {
        let mut writes = 0;
        loop {
            let mut write = pin!(a.write(b"x"));
            match write.as_mut().poll(&mut cx) {
                Poll::Ready(result) => {
                    result.unwrap();
                    writes += 1;
                }
                Poll::Pending => return writes,
            }
            assert!(writes < 10_000, "a write to a roomy pipe never yielded");
        }
    });
    assert_eq!(writes, spindle_sync::coop::INITIAL_BUDGET as usize);
    assert_eq!(counter.wakes(), 1, "the forced yield woke the task");
}

/// A waker that owns the other end of the pipe, as a task holding both ends does: when
/// the pipe replaces it with a newer waker and drops it, the other end closes.
struct PeerOwningWaker(#[allow(dead_code)] spindle_io::DuplexStream);

impl std::task::Wake for PeerOwningWaker {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// Polls `operation` once with a waker owning `peer`, then with another waker, which
/// makes the pipe drop the first (closing `peer`) while it stores the second.
async fn replace_a_waker_that_owns_the_peer<F: Future>(
    peer: spindle_io::DuplexStream,
    operation: F,
) -> F::Output {
    let mut operation = pin!(operation);
    let owner = std::task::Waker::from(std::sync::Arc::new(PeerOwningWaker(peer)));
    assert!(operation
        .as_mut()
        .poll(&mut Context::from_waker(&owner))
        .is_pending());
    drop(owner);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(operation.as_mut().poll(&mut cx).is_pending());
    match operation.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("closing the peer did not end the operation"),
    }
}

#[test]
fn read_waker_replaced_is_dropped_outside_the_lock() {
    support::block_on(async {
        let (mut reader, peer) = spindle_io::duplex(1);
        let mut byte = [0u8; 1];
        let read = replace_a_waker_that_owns_the_peer(peer, reader.read(&mut byte)).await;
        assert_eq!(read.expect("end of stream, not an error"), 0);
    });
}

#[test]
fn write_waker_replaced_is_dropped_outside_the_lock() {
    support::block_on(async {
        let (mut writer, peer) = spindle_io::duplex(1);
        let written = replace_a_waker_that_owns_the_peer(peer, writer.write_all(b"xy")).await;
        assert_eq!(
            written.expect_err("the reader is gone").kind(),
            ErrorKind::BrokenPipe
        );
    });
}
