//! `empty`, `repeat` and `sink`: what they read and take, and that they yield once the
//! cooperative budget is spent (they never wait, so nothing else would make them).

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use spindle_io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use support::CountingWaker;

#[test]
fn empty_reads_end_of_stream_and_takes_every_write() {
    support::block_on(async {
        let mut empty = spindle_io::empty();
        let mut buf = [7u8; 4];
        assert_eq!(empty.read(&mut buf).await.unwrap(), 0);
        assert!(empty.fill_buf().await.unwrap().is_empty());
        assert_eq!(empty.write(b"gone").await.unwrap(), 4);
        assert_eq!(empty.seek(std::io::SeekFrom::End(10)).await.unwrap(), 0);
    });
}

#[test]
fn repeat_fills_every_byte_of_the_read() {
    support::block_on(async {
        let mut buf = vec![0u8; 1000];
        spindle_io::repeat(0xAB).read_exact(&mut buf).await.unwrap();
        assert!(buf.iter().all(|&byte| byte == 0xAB));
    });
}

#[test]
fn sink_accepts_every_write_and_flush() {
    support::block_on(async {
        let mut sink = spindle_io::sink();
        sink.write_all(&[1; 10_000]).await.unwrap();
        sink.flush().await.unwrap();
        sink.shutdown().await.unwrap();
    });
}

#[test]
fn repeat_read_is_cooperative_and_yields_when_the_budget_is_gone() {
    let mut repeat = spindle_io::repeat(b'r');
    let (counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let reads = spindle_sync::coop::with_budget(|| {
        let mut reads = 0;
        loop {
            let mut buf = [0u8; 16];
            let mut read = pin!(repeat.read(&mut buf));
            match read.as_mut().poll(&mut cx) {
                Poll::Ready(result) => {
                    assert_eq!(result.unwrap(), 16);
                    reads += 1;
                }
                Poll::Pending => return reads,
            }
            assert!(reads < 10_000, "repeat never yielded");
        }
    });
    assert_eq!(reads, spindle_sync::coop::INITIAL_BUDGET as usize);
    assert_eq!(counter.wakes(), 1, "the forced yield woke the task");
}

#[test]
fn sink_write_is_cooperative_too() {
    let mut sink = spindle_io::sink();
    let (_counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let yielded = spindle_sync::coop::with_budget(|| {
        (0..1000).any(|_| pin!(sink.write(b"x")).as_mut().poll(&mut cx).is_pending())
    });
    assert!(yielded);
}
