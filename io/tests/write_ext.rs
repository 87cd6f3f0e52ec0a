//! AsyncWriteExt: what each method writes, across partial writes and `Pending`s, how it
//! fails (`WriteZero`, the writer's errors), and what it leaves behind when cancelled.

mod support;

use std::collections::VecDeque;
use std::io::{self, ErrorKind, IoSlice};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures::poll;
use spindle_io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// One scripted outcome of a write.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Accept up to this many bytes.
    Accept(usize),
    /// Return `Pending` once (waking the task at once, so the executor polls again).
    Pending,
    /// Fail once with this kind.
    Fail(ErrorKind),
    /// Claim to have written this many bytes (more than offered: a broken writer).
    Claim(usize),
}

/// A writer that follows a script (then accepts everything) and records its calls.
#[derive(Default)]
struct Script {
    steps: VecDeque<Step>,
    written: Vec<u8>,
    writes: usize,
    /// For each vectored write, how many slices it was given.
    vectored_slices: Vec<usize>,
    vectored: bool,
    flushes: usize,
    shutdowns: usize,
    /// How many `Pending`s `poll_flush` / `poll_shutdown` return before completing.
    flush_pendings: usize,
    shutdown_pendings: usize,
}

impl Script {
    fn new(steps: impl IntoIterator<Item = Step>) -> Script {
        Script {
            steps: steps.into_iter().collect(),
            ..Script::default()
        }
    }

    /// Accepts `per_write` bytes at a time, with a `Pending` before each write.
    fn trickle(per_write: usize, writes: usize) -> Script {
        Script::new((0..writes).flat_map(|_| [Step::Pending, Step::Accept(per_write)]))
    }

    fn write_from(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.writes += 1;
        match self.steps.pop_front() {
            None => {
                self.written.extend_from_slice(buf);
                Poll::Ready(Ok(buf.len()))
            }
            Some(Step::Accept(n)) => {
                let n = n.min(buf.len());
                self.written.extend_from_slice(&buf[..n]);
                Poll::Ready(Ok(n))
            }
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Fail(kind)) => Poll::Ready(Err(kind.into())),
            Some(Step::Claim(n)) => Poll::Ready(Ok(n)),
        }
    }
}

impl AsyncWrite for Script {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_from(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        if !me.vectored {
            let first = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &**b);
            return me.write_from(cx, first);
        }
        me.vectored_slices.push(bufs.len());
        let joined: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
        me.write_from(cx, &joined)
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        me.flushes += 1;
        if me.flush_pendings > 0 {
            me.flush_pendings -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        me.shutdowns += 1;
        if me.shutdown_pendings > 0 {
            me.shutdown_pendings -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }
}

/// Fails to compile if `T` is `Unpin` (both impls would apply and `A` is ambiguous).
trait AmbiguousIfUnpin<A> {}
impl<T: ?Sized> AmbiguousIfUnpin<()> for T {}
impl<T: ?Sized + Unpin> AmbiguousIfUnpin<u8> for T {}
fn assert_not_unpin<T: AmbiguousIfUnpin<A>, A>(_: &T) {}
fn assert_unpin<T: Unpin>(_: &T) {}

#[test]
fn write_makes_one_attempt_and_returns_how_much_it_wrote() {
    support::block_on(async {
        let mut writer = Script::new([Step::Pending, Step::Accept(3)]);
        assert_eq!(writer.write(b"hello").await.unwrap(), 3);
        assert_eq!(writer.written, b"hel");
        assert_eq!(writer.writes, 2, "the Pending, then one write");
    });
}

#[test]
fn write_returns_the_writer_s_error() {
    support::block_on(async {
        let mut writer = Script::new([Step::Fail(ErrorKind::BrokenPipe)]);
        let error = writer.write(b"hello").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
        assert!(writer.written.is_empty());
    });
}

#[test]
fn write_dropped_after_pending_writes_nothing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Pending]);
        {
            let future = pin!(writer.write(b"hello"));
            assert!(poll!(future).is_pending());
        }
        assert!(writer.written.is_empty());
    });
}

#[test]
fn write_vectored_passes_every_slice_to_a_vectored_writer() {
    support::block_on(async {
        let mut writer = Script {
            vectored: true,
            ..Script::default()
        };
        let bufs = [IoSlice::new(b"ab"), IoSlice::new(b""), IoSlice::new(b"cd")];
        assert_eq!(writer.write_vectored(&bufs).await.unwrap(), 4);
        assert_eq!(writer.written, b"abcd");
        assert_eq!(writer.vectored_slices, [3]);
    });
}

#[test]
fn write_vectored_to_a_plain_writer_writes_the_first_non_empty_slice() {
    support::block_on(async {
        let mut writer = Script::default();
        let bufs = [IoSlice::new(b""), IoSlice::new(b"ab"), IoSlice::new(b"cd")];
        assert_eq!(writer.write_vectored(&bufs).await.unwrap(), 2);
        assert_eq!(writer.written, b"ab");
    });
}

#[test]
fn write_buf_advances_the_buf_by_what_was_written() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(3)]);
        let mut src = &b"hello"[..];
        assert_eq!(writer.write_buf(&mut src).await.unwrap(), 3);
        assert_eq!(src, b"lo");
        assert_eq!(writer.write_buf(&mut src).await.unwrap(), 2);
        assert!(!src.has_remaining());
        assert_eq!(writer.written, b"hello");
    });
}

#[test]
fn write_buf_writes_several_chunks_at_once_to_a_vectored_writer() {
    support::block_on(async {
        let mut writer = Script {
            vectored: true,
            ..Script::default()
        };
        let mut src = Bytes::from_static(b"hello, ").chain(Bytes::from_static(b"world"));
        assert_eq!(writer.write_buf(&mut src).await.unwrap(), 12);
        assert_eq!(writer.vectored_slices, [2]);
        assert_eq!(writer.written, b"hello, world");
        assert!(!src.has_remaining());
    });
}

#[test]
fn write_buf_to_a_plain_writer_writes_from_the_first_chunk() {
    support::block_on(async {
        let mut writer = Script::default();
        let mut src = Bytes::from_static(b"hello, ").chain(Bytes::from_static(b"world"));
        assert_eq!(writer.write_buf(&mut src).await.unwrap(), 7);
        assert_eq!(src.remaining(), 5);
    });
}

#[test]
fn write_buf_of_an_empty_buf_returns_zero_without_writing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Fail(ErrorKind::Other)]);
        let mut src = &b""[..];
        assert_eq!(writer.write_buf(&mut src).await.unwrap(), 0);
        assert_eq!(writer.writes, 0);
    });
}

#[test]
fn write_buf_error_does_not_advance_the_buf() {
    support::block_on(async {
        let mut writer = Script::new([Step::Fail(ErrorKind::ConnectionReset)]);
        let mut src = &b"abc"[..];
        assert!(writer.write_buf(&mut src).await.is_err());
        assert_eq!(src, b"abc");
    });
}

#[test]
fn write_all_writes_everything_one_byte_per_poll_with_pending_between() {
    support::block_on(async {
        let data = b"hello, world";
        let mut writer = Script::trickle(1, data.len());
        writer.write_all(data).await.unwrap();
        assert_eq!(writer.written, data);
        assert_eq!(
            writer.writes,
            2 * data.len(),
            "a Pending and a one-byte write each"
        );
    });
}

#[test]
fn write_all_fails_with_write_zero_when_the_writer_takes_nothing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(2), Step::Accept(0)]);
        let error = writer.write_all(b"hello").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WriteZero);
        assert_eq!(writer.written, b"he");
    });
}

#[test]
fn write_all_of_nothing_does_not_write() {
    support::block_on(async {
        let mut writer = Script::new([Step::Fail(ErrorKind::Other)]);
        writer.write_all(b"").await.unwrap();
        assert_eq!(writer.writes, 0);
    });
}

#[test]
fn write_all_returns_the_first_error() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(1), Step::Fail(ErrorKind::BrokenPipe)]);
        let error = writer.write_all(b"hello").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
#[should_panic(expected = "reported 9 bytes written out of the 5")]
fn write_all_panics_when_the_writer_claims_more_than_it_was_given() {
    support::block_on(async {
        let mut writer = Script::new([Step::Claim(9)]);
        let _ = writer.write_all(b"hello").await;
    });
}

#[test]
fn write_all_buf_writes_everything_and_advances_the_buf() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(4), Step::Pending, Step::Accept(4)]);
        let mut src = Bytes::from_static(b"hello").chain(Bytes::from_static(b"world"));
        writer.write_all_buf(&mut src).await.unwrap();
        assert_eq!(writer.written, b"helloworld");
        assert!(!src.has_remaining());
        // [hell], Pending, [o], [world]: one write per chunk piece.
        assert_eq!(writer.writes, 4);
    });
}

#[test]
fn write_all_buf_error_leaves_the_buf_at_the_bytes_that_failed() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(4), Step::Fail(ErrorKind::BrokenPipe)]);
        let mut src = &b"hello world"[..];
        let error = writer.write_all_buf(&mut src).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
        assert_eq!(src.chunk(), b"o world");
    });
}

#[test]
fn write_all_buf_retries_interrupted_writes() {
    support::block_on(async {
        let mut writer = Script::new([Step::Fail(ErrorKind::Interrupted), Step::Accept(2)]);
        let mut src = &b"abcd"[..];
        writer.write_all_buf(&mut src).await.unwrap();
        assert_eq!(writer.written, b"abcd");
    });
}

#[test]
fn write_all_buf_fails_with_write_zero_when_the_writer_takes_nothing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(0)]);
        let mut src = &b"abcd"[..];
        let error = writer.write_all_buf(&mut src).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WriteZero);
        assert_eq!(src, b"abcd");
    });
}

#[test]
fn write_all_buf_dropped_midway_can_be_resumed_without_writing_twice() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(4), Step::Pending]);
        let mut src = &b"hello world"[..];
        {
            let future = pin!(writer.write_all_buf(&mut src));
            assert!(poll!(future).is_pending());
        }
        assert_eq!(
            src, b"o world",
            "the buf was advanced past what was written"
        );
        writer.write_all_buf(&mut src).await.unwrap();
        assert_eq!(writer.written, b"hello world");
    });
}

#[test]
fn write_all_buf_uses_vectored_writes_when_the_writer_prefers_them() {
    support::block_on(async {
        let mut writer = Script {
            vectored: true,
            ..Script::default()
        };
        writer.steps.push_back(Step::Accept(6));
        let mut src = Bytes::from_static(b"hello").chain(Bytes::from_static(b"world"));
        writer.write_all_buf(&mut src).await.unwrap();
        assert_eq!(writer.written, b"helloworld");
        assert_eq!(writer.vectored_slices, [2, 1]);
    });
}

macro_rules! int_round_trips {
    ($($write:ident / $read:ident: $ty:ty, $to:ident, [$($value:expr),*];)*) => {
        /// Every integer writer encodes in its byte order, and the matching reader reads
        /// the value back, written to a `Vec` and read from a slice.
        #[test]
        fn every_integer_round_trips_through_a_vec_and_a_slice_in_its_byte_order() {
            support::block_on(async {
                $($(
                    let value: $ty = $value;
                    let mut out = Vec::new();
                    out.$write(value).await.unwrap();
                    assert_eq!(out, value.$to(), "{}({:?})", stringify!($write), value);
                    let mut slice = &out[..];
                    let read = slice.$read().await.unwrap();
                    assert_eq!(read.to_ne_bytes(), value.to_ne_bytes(), stringify!($read));
                    assert!(slice.is_empty());
                )*)*
            });
        }

        /// The integer writers complete across one-byte writes with `Pending`s between.
        #[test]
        fn every_integer_writer_completes_across_one_byte_writes() {
            support::block_on(async {
                $($(
                    let value: $ty = $value;
                    let size = std::mem::size_of::<$ty>();
                    let mut writer = Script::trickle(1, size);
                    writer.$write(value).await.unwrap();
                    assert_eq!(writer.written, value.$to(), stringify!($write));
                    assert_eq!(writer.writes, 2 * size);
                )*)*
            });
        }
    };
}

int_round_trips! {
    write_u8 / read_u8: u8, to_be_bytes, [0, 1, 0xa5, u8::MAX];
    write_i8 / read_i8: i8, to_be_bytes, [0, -1, i8::MIN, i8::MAX];
    write_u16 / read_u16: u16, to_be_bytes, [0, 0x0102, u16::MAX];
    write_i16 / read_i16: i16, to_be_bytes, [-0x0102, i16::MIN, i16::MAX];
    write_u32 / read_u32: u32, to_be_bytes, [0x0102_0304, u32::MAX];
    write_i32 / read_i32: i32, to_be_bytes, [-0x0102_0304, i32::MIN];
    write_u64 / read_u64: u64, to_be_bytes, [0x0102_0304_0506_0708, u64::MAX];
    write_i64 / read_i64: i64, to_be_bytes, [-0x0102_0304_0506_0708, i64::MIN];
    write_u128 / read_u128: u128, to_be_bytes, [0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10];
    write_i128 / read_i128: i128, to_be_bytes, [-0x0102_0304_0506_0708_090a_0b0c, i128::MIN];
    write_f32 / read_f32: f32, to_be_bytes, [1.5, -0.0, f32::MIN, f32::INFINITY];
    write_f64 / read_f64: f64, to_be_bytes, [std::f64::consts::E, f64::MAX, f64::NAN];
    write_u16_le / read_u16_le: u16, to_le_bytes, [0, 0x0102, u16::MAX];
    write_i16_le / read_i16_le: i16, to_le_bytes, [-0x0102, i16::MIN];
    write_u32_le / read_u32_le: u32, to_le_bytes, [0x0102_0304, u32::MAX];
    write_i32_le / read_i32_le: i32, to_le_bytes, [-0x0102_0304, i32::MIN];
    write_u64_le / read_u64_le: u64, to_le_bytes, [0x0102_0304_0506_0708];
    write_i64_le / read_i64_le: i64, to_le_bytes, [-0x0102_0304_0506_0708, i64::MIN];
    write_u128_le / read_u128_le: u128, to_le_bytes, [0x0102_0304_0506_0708_090a_0b0c_0d0e];
    write_i128_le / read_i128_le: i128, to_le_bytes, [-0x0102_0304_0506_0708_090a, i128::MAX];
    write_f32_le / read_f32_le: f32, to_le_bytes, [1.5, f32::MIN_POSITIVE, f32::NAN];
    write_f64_le / read_f64_le: f64, to_le_bytes, [-2.5, f64::NEG_INFINITY];
}

#[test]
fn integers_are_written_big_endian_unless_le() {
    support::block_on(async {
        let mut out = Vec::new();
        out.write_u16(0x0102).await.unwrap();
        out.write_u16_le(0x0102).await.unwrap();
        assert_eq!(out, [0x01, 0x02, 0x02, 0x01]);
    });
}

#[test]
fn integer_writer_fails_with_write_zero_when_the_writer_takes_nothing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Accept(1), Step::Accept(0)]);
        let error = writer.write_u32(7).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WriteZero);
    });
}

#[test]
fn write_u8_dropped_after_pending_writes_nothing() {
    support::block_on(async {
        let mut writer = Script::new([Step::Pending]);
        {
            let future = pin!(writer.write_u8(9));
            assert!(poll!(future).is_pending());
        }
        assert!(writer.written.is_empty());
        writer.write_u8(9).await.unwrap();
        assert_eq!(writer.written, [9]);
    });
}

#[test]
fn integers_write_into_a_fixed_cursor_until_it_is_full() {
    support::block_on(async {
        let mut storage = [0u8; 3];
        let mut cursor = io::Cursor::new(&mut storage[..]);
        cursor.write_u16(0x0102).await.unwrap();
        let error = cursor.write_u16(0x0304).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WriteZero);
        assert_eq!(storage, [0x01, 0x02, 0x03]);
    });
}

#[test]
fn flush_polls_poll_flush_until_it_completes() {
    support::block_on(async {
        let mut writer = Script {
            flush_pendings: 2,
            ..Script::default()
        };
        writer.flush().await.unwrap();
        assert_eq!(writer.flushes, 3);
        assert_eq!(writer.shutdowns, 0);
    });
}

#[test]
fn shutdown_polls_poll_shutdown_until_it_completes() {
    support::block_on(async {
        let mut writer = Script {
            shutdown_pendings: 1,
            ..Script::default()
        };
        writer.write_all(b"bye").await.unwrap();
        writer.shutdown().await.unwrap();
        assert_eq!(writer.shutdowns, 2);
        assert_eq!(
            writer.flushes, 0,
            "shutdown is the writer's own poll_shutdown"
        );
    });
}

#[test]
fn written_bytes_read_back_through_the_read_side() {
    support::block_on(async {
        let mut out = Vec::new();
        out.write_u32(5).await.unwrap();
        out.write_all(b"hello").await.unwrap();
        let mut input = &out[..];
        let len = input.read_u32().await.unwrap();
        let mut word = vec![0; len as usize];
        input.read_exact(&mut word).await.unwrap();
        assert_eq!(word, b"hello");
    });
}

#[test]
fn future_unpin_matches_tokio() {
    let mut writer = Vec::new();
    let mut src = &b""[..];
    assert_not_unpin(&writer.write(b""));
    assert_not_unpin(&writer.write_vectored(&[]));
    assert_not_unpin(&writer.write_buf(&mut src));
    assert_not_unpin(&writer.write_all(b""));
    assert_not_unpin(&writer.write_all_buf(&mut src));
    assert_not_unpin(&writer.flush());
    assert_not_unpin(&writer.shutdown());
    assert_unpin(&writer.write_u8(0));
    assert_unpin(&writer.write_u64(0));
    assert_unpin(&writer.write_f32_le(0.0));
}

#[test]
fn methods_work_on_unsized_writers_and_pinned_boxes() {
    support::block_on(async {
        let mut boxed: Pin<Box<dyn AsyncWrite + Send>> = Box::pin(Vec::<u8>::new());
        boxed.write_all(b"abc").await.unwrap();
        boxed.write_u8(b'd').await.unwrap();
        boxed.flush().await.unwrap();
        let object: &mut (dyn AsyncWrite + Unpin + Send) = &mut boxed;
        object.write_all(b"e").await.unwrap();
        object.shutdown().await.unwrap();
    });
}

#[test]
fn write_all_and_ints_retry_interrupted() {
    use ErrorKind::Interrupted;
    support::block_on(async {
        let mut writer = Script::new([
            Step::Fail(Interrupted),
            Step::Accept(2),
            Step::Fail(Interrupted),
            Step::Accept(1),
            Step::Fail(Interrupted),
        ]);
        writer.write_all(b"abc").await.unwrap();
        writer.write_u16(0x0102).await.unwrap();
        assert_eq!(writer.written, b"abc\x01\x02");

        let mut failing = Script::new([Step::Fail(Interrupted), Step::Fail(ErrorKind::BrokenPipe)]);
        let error = failing.write_u32(7).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    });
}
