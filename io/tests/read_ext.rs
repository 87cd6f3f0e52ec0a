//! AsyncReadExt, Chain and Take: what each method reads, across partial reads and
//! `Pending`s, what it leaves behind on errors and cancellation, and that the
//! uninitialised-memory paths never see zeroed or foreign buffers.

mod support;

use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, ErrorKind};
use std::mem::MaybeUninit;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use bytes::{BufMut, BytesMut};
use futures::future::poll_fn;
use futures::poll;
use spindle_io::{AsyncBufRead, AsyncRead, AsyncReadExt, ReadBuf};

/// One scripted outcome of a `poll_read`.
enum Step {
    /// Bytes to hand out (as many as fit; the rest stays for the next read).
    Data(Vec<u8>),
    /// Return `Pending` once (waking the task at once, so the executor polls again).
    Pending,
    /// Fail once with this kind.
    Fail(ErrorKind),
}

/// A reader that follows a script, then reports end of stream; it records what it saw.
#[derive(Default)]
struct Script {
    steps: VecDeque<Step>,
    polls: usize,
    /// The most room (`remaining`) any `ReadBuf` it was given had.
    max_room_seen: usize,
    /// For each poll, how many unfilled bytes of the `ReadBuf` were initialised.
    initialized_seen: Vec<usize>,
}

impl Script {
    fn new(steps: impl IntoIterator<Item = Step>) -> Script {
        Script {
            steps: steps.into_iter().collect(),
            ..Script::default()
        }
    }

    /// `data` in chunks of `chunk` bytes, with a `Pending` before every `pending_every`-th.
    fn chunked(data: &[u8], chunk: usize, pending_every: usize) -> Script {
        let mut steps = Vec::new();
        for (i, piece) in data.chunks(chunk).enumerate() {
            if pending_every > 0 && i % pending_every == 0 {
                steps.push(Step::Pending);
            }
            steps.push(Step::Data(piece.to_vec()));
        }
        Script::new(steps)
    }
}

impl AsyncRead for Script {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.polls += 1;
        self.max_room_seen = self.max_room_seen.max(buf.remaining());
        let initialized = buf.initialized().len() - buf.filled().len();
        self.initialized_seen.push(initialized);
        match self.steps.pop_front() {
            None => Poll::Ready(Ok(())),
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Fail(kind)) => Poll::Ready(Err(kind.into())),
            Some(Step::Data(mut data)) => {
                let n = data.len().min(buf.remaining());
                buf.put_slice(&data[..n]);
                if n < data.len() {
                    self.steps.push_front(Step::Data(data.split_off(n)));
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// Fails to compile if `T` is `Unpin` (both impls would apply and `A` is ambiguous).
trait AmbiguousIfUnpin<A> {}
impl<T: ?Sized> AmbiguousIfUnpin<()> for T {}
impl<T: ?Sized + Unpin> AmbiguousIfUnpin<u8> for T {}
fn assert_not_unpin<T: AmbiguousIfUnpin<A>, A>(_: &T) {}
fn assert_unpin<T: Unpin>(_: &T) {}

#[test]
fn read_fills_a_prefix_and_returns_the_count() {
    support::block_on(async {
        let mut reader: &[u8] = b"hello";
        let mut buf = [0u8; 3];
        assert_eq!(reader.read(&mut buf).await.unwrap(), 3);
        assert_eq!(&buf, b"hel");
        assert_eq!(reader.read(&mut buf).await.unwrap(), 2);
        assert_eq!(&buf[..2], b"lo");
        assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn read_waits_through_pending_and_reports_errors() {
    support::block_on(async {
        let mut reader = Script::new([
            Step::Pending,
            Step::Data(b"abc".to_vec()),
            Step::Fail(ErrorKind::ConnectionReset),
        ]);
        let mut buf = [0u8; 8];
        assert_eq!(reader.read(&mut buf).await.unwrap(), 3);
        assert_eq!(&buf[..3], b"abc");
        let error = reader.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    });
}

#[test]
fn read_buf_into_an_empty_zero_capacity_bytes_mut_reserves_and_reads() {
    support::block_on(async {
        let mut reader: &[u8] = b"hello world";
        let mut buf = BytesMut::with_capacity(0);
        let n = reader.read_buf(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "a BytesMut grows when asked for a chunk, so the read has room"
        );
        assert_eq!(&buf[..], &b"hello world"[..n]);
    });
}

#[test]
fn read_buf_into_a_full_bytes_mut_grows_it_and_appends() {
    support::block_on(async {
        let mut buf = BytesMut::with_capacity(4);
        buf.put_slice(b"abcd");
        while buf.len() < buf.capacity() {
            buf.put_u8(b'.');
        }
        let before = buf.clone();
        let mut reader: &[u8] = b"efgh";
        let n = reader.read_buf(&mut buf).await.unwrap();
        assert_eq!(n, 4);
        assert_eq!(&buf[..before.len()], &before[..]);
        assert_eq!(&buf[before.len()..], b"efgh");
    });
}

#[test]
fn read_buf_into_a_vec_appends_to_it() {
    support::block_on(async {
        let mut buf = b"ab".to_vec();
        let mut reader: &[u8] = b"cd";
        assert_eq!(reader.read_buf(&mut buf).await.unwrap(), 2);
        assert_eq!(buf, b"abcd");
    });
}

#[test]
fn read_buf_into_a_full_fixed_slice_returns_zero_without_reading() {
    support::block_on(async {
        let mut storage = [0u8; 0];
        let mut dst = &mut storage[..];
        let mut reader = Script::new([Step::Data(b"abc".to_vec())]);
        assert_eq!(reader.read_buf(&mut dst).await.unwrap(), 0);
        assert_eq!(reader.polls, 0);
    });
}

#[test]
fn read_buf_hands_the_reader_uninitialised_room_without_zeroing_it() {
    support::block_on(async {
        let mut reader = Script::new([Step::Data(b"abc".to_vec())]);
        let mut buf = BytesMut::with_capacity(256);
        assert_eq!(reader.read_buf(&mut buf).await.unwrap(), 3);
        assert!(reader.max_room_seen >= 256);
        assert_eq!(
            reader.initialized_seen,
            [0],
            "the chunk was not zeroed first"
        );
        assert_eq!(&buf[..], b"abc");
    });
}

#[test]
fn read_buf_dropped_after_pending_loses_no_bytes() {
    support::block_on(async {
        let mut reader = Script::new([Step::Pending, Step::Data(b"hello".to_vec())]);
        let mut buf = BytesMut::with_capacity(16);
        {
            let future = pin!(reader.read_buf(&mut buf));
            assert!(poll!(future).is_pending());
        }
        assert!(buf.is_empty());
        assert_eq!(reader.read_buf(&mut buf).await.unwrap(), 5);
        assert_eq!(&buf[..], b"hello");
    });
}

/// A reader that fills a `ReadBuf` of its own instead of the one it was given.
struct Swapper;

impl AsyncRead for Swapper {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let elsewhere: &'static mut [u8] = Box::leak(vec![7u8; 64].into_boxed_slice());
        *buf = ReadBuf::new(elsewhere);
        buf.advance(64);
        Poll::Ready(Ok(()))
    }
}

#[test]
#[should_panic(expected = "replaced the ReadBuf")]
fn read_buf_panics_if_the_reader_swaps_the_buffer() {
    support::block_on(async {
        let mut buf = BytesMut::with_capacity(8);
        let _ = Swapper.read_buf(&mut buf).await;
    });
}

#[test]
#[should_panic(expected = "replaced the ReadBuf")]
fn read_to_end_panics_if_the_reader_swaps_the_buffer() {
    support::block_on(async {
        let mut buf = Vec::with_capacity(64);
        let _ = Swapper.read_to_end(&mut buf).await;
    });
}

#[test]
fn read_exact_fills_the_buffer_across_partial_reads_and_pendings() {
    support::block_on(async {
        let mut reader = Script::chunked(b"hello world", 2, 2);
        let mut buf = [0u8; 5];
        assert_eq!(reader.read_exact(&mut buf).await.unwrap(), 5);
        assert_eq!(&buf, b"hello");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b" world", "read_exact read no more than it needed");
    });
}

#[test]
fn read_exact_on_a_short_stream_is_unexpected_eof() {
    support::block_on(async {
        let mut reader = Script::chunked(b"abc", 1, 1);
        let mut buf = [0u8; 4];
        let error = reader.read_exact(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    });
}

#[test]
fn read_exact_of_nothing_succeeds_without_reading() {
    support::block_on(async {
        let mut reader = Script::new([Step::Fail(ErrorKind::Other)]);
        assert_eq!(reader.read_exact(&mut []).await.unwrap(), 0);
        assert_eq!(reader.polls, 0);
    });
}

#[test]
fn read_exact_returns_the_first_read_error() {
    support::block_on(async {
        let mut reader = Script::new([
            Step::Data(b"ab".to_vec()),
            Step::Fail(ErrorKind::BrokenPipe),
        ]);
        let mut buf = [0u8; 4];
        let error = reader.read_exact(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    });
}

macro_rules! int_reads {
    ($($read:ident: $ty:ty, $to:ident, $value:expr;)*) => {
        /// Every integer reader decodes its type's bytes in its byte order, delivered one
        /// byte per read with a `Pending` before each, and fails on a stream one byte
        /// short.
        #[test]
        fn every_integer_reader_decodes_its_byte_order_across_one_byte_reads() {
            support::block_on(async {
                $(
                    let value: $ty = $value;
                    let bytes = value.$to();
                    let mut reader = Script::chunked(&bytes, 1, 1);
                    let read = reader.$read().await.unwrap();
                    assert_eq!(read.to_ne_bytes(), value.to_ne_bytes(), stringify!($read));
                    assert!(reader.steps.is_empty(), "{} left bytes", stringify!($read));

                    let mut short = Script::chunked(&bytes[..bytes.len() - 1], 1, 1);
                    let error = short.$read().await.unwrap_err();
                    assert_eq!(error.kind(), ErrorKind::UnexpectedEof, stringify!($read));
                )*
            });
        }
    };
}

int_reads! {
    read_u8: u8, to_be_bytes, 0xa5;
    read_i8: i8, to_be_bytes, -90;
    read_u16: u16, to_be_bytes, 0x0102;
    read_i16: i16, to_be_bytes, -0x0102;
    read_u32: u32, to_be_bytes, 0x0102_0304;
    read_i32: i32, to_be_bytes, -0x0102_0304;
    read_u64: u64, to_be_bytes, 0x0102_0304_0506_0708;
    read_i64: i64, to_be_bytes, -0x0102_0304_0506_0708;
    read_u128: u128, to_be_bytes, 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
    read_i128: i128, to_be_bytes, -0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
    read_f32: f32, to_be_bytes, -1.0e-3;
    read_f64: f64, to_be_bytes, std::f64::consts::PI;
    read_u16_le: u16, to_le_bytes, 0x0102;
    read_i16_le: i16, to_le_bytes, -0x0102;
    read_u32_le: u32, to_le_bytes, 0x0102_0304;
    read_i32_le: i32, to_le_bytes, -0x0102_0304;
    read_u64_le: u64, to_le_bytes, 0x0102_0304_0506_0708;
    read_i64_le: i64, to_le_bytes, -0x0102_0304_0506_0708;
    read_u128_le: u128, to_le_bytes, 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
    read_i128_le: i128, to_le_bytes, -0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
    read_f32_le: f32, to_le_bytes, -1.0e-3;
    read_f64_le: f64, to_le_bytes, std::f64::consts::PI;
}

#[test]
fn integers_are_big_endian_unless_le() {
    support::block_on(async {
        let mut reader: &[u8] = &[0x01, 0x02, 0x01, 0x02];
        assert_eq!(reader.read_u16().await.unwrap(), 0x0102);
        assert_eq!(reader.read_u16_le().await.unwrap(), 0x0201);
    });
}

#[test]
fn read_u8_dropped_after_pending_loses_nothing() {
    support::block_on(async {
        let mut reader = Script::new([Step::Pending, Step::Data(vec![42])]);
        {
            let future = pin!(reader.read_u8());
            assert!(poll!(future).is_pending());
        }
        assert_eq!(reader.read_u8().await.unwrap(), 42);
    });
}

#[test]
fn read_to_end_appends_across_many_partial_reads_and_pendings() {
    support::block_on(async {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut reader = Script::chunked(&data, 7, 3);
        let mut buf = b"prefix".to_vec();
        let n = reader.read_to_end(&mut buf).await.unwrap();
        assert_eq!(n, data.len(), "the count is of the bytes appended");
        assert_eq!(&buf[..6], b"prefix");
        assert_eq!(&buf[6..], &data[..]);
    });
}

#[test]
fn read_to_end_grows_geometrically_into_large_reads() {
    support::block_on(async {
        let data = vec![9u8; 1 << 20];
        let mut reader: &[u8] = &data;
        let mut buf = Vec::new();
        let mut source = Counting {
            inner: &mut reader,
            reads: 0,
        };
        assert_eq!(source.read_to_end(&mut buf).await.unwrap(), data.len());
        assert_eq!(buf, data);
        assert!(
            source.reads < 64,
            "{} reads for 1 MiB: the buffer did not grow geometrically",
            source.reads
        );
    });
}

/// Counts the reads of an inner reader.
struct Counting<'a, R> {
    inner: &'a mut R,
    reads: usize,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<'_, R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.reads += 1;
        Pin::new(&mut *self.inner).poll_read(cx, buf)
    }
}

#[test]
fn read_to_end_reads_into_spare_capacity_without_zeroing_it() {
    support::block_on(async {
        let mut reader = Script::new([Step::Data(b"abc".to_vec())]);
        let mut buf = Vec::with_capacity(1024);
        assert_eq!(reader.read_to_end(&mut buf).await.unwrap(), 3);
        assert!(
            reader.max_room_seen >= 1024,
            "the first read got the spare capacity"
        );
        assert_eq!(reader.initialized_seen[0], 0, "and it was not zeroed first");
        assert_eq!(buf, b"abc");
    });
}

/// A reader that zeroes its whole buffer (`initialize_unfilled`) and fills `chunk`
/// bytes of it, `times` times; it records how much was already initialised.
struct Zeroing {
    chunk: usize,
    times: usize,
    initialized_seen: Vec<usize>,
}

impl AsyncRead for Zeroing {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let initialized = buf.initialized().len() - buf.filled().len();
        self.initialized_seen.push(initialized);
        if self.times == 0 {
            return Poll::Ready(Ok(()));
        }
        self.times -= 1;
        let n = self.chunk.min(buf.remaining());
        buf.initialize_unfilled()[..n].fill(b'z');
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[test]
fn read_to_end_remembers_what_the_reader_initialised() {
    support::block_on(async {
        let mut reader = Zeroing {
            chunk: 10,
            times: 2,
            initialized_seen: Vec::new(),
        };
        let mut buf = Vec::with_capacity(100);
        assert_eq!(reader.read_to_end(&mut buf).await.unwrap(), 20);
        assert_eq!(buf, [b'z'; 20]);
        let room = buf.capacity();
        assert_eq!(reader.initialized_seen[0], 0);
        assert_eq!(
            reader.initialized_seen[1],
            room - 10,
            "the second read is told the rest of the spare capacity is initialised"
        );
    });
}

#[test]
fn read_to_end_on_a_full_vec_at_end_of_stream_does_not_grow_it() {
    support::block_on(async {
        let mut buf = Vec::with_capacity(64);
        buf.resize(buf.capacity(), 1u8);
        let capacity = buf.capacity();
        let mut reader: &[u8] = b"";
        assert_eq!(reader.read_to_end(&mut buf).await.unwrap(), 0);
        assert_eq!(buf.capacity(), capacity);
        assert_eq!(buf.len(), capacity);
    });
}

#[test]
fn read_to_end_on_a_full_vec_keeps_the_probed_bytes() {
    support::block_on(async {
        let mut buf = Vec::with_capacity(8);
        buf.resize(buf.capacity(), b'.');
        let len = buf.len();
        let data: Vec<u8> = (0..100u8).collect();
        let mut reader = Script::chunked(&data, 50, 1);
        assert_eq!(reader.read_to_end(&mut buf).await.unwrap(), 100);
        assert_eq!(&buf[len..], &data[..]);
    });
}

#[test]
fn read_to_end_error_keeps_the_bytes_read_before_it() {
    support::block_on(async {
        let mut reader = Script::new([
            Step::Data(b"abc".to_vec()),
            Step::Fail(ErrorKind::ConnectionAborted),
            Step::Data(b"def".to_vec()),
        ]);
        let mut buf = Vec::new();
        let error = reader.read_to_end(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionAborted);
        assert_eq!(buf, b"abc");
    });
}

#[test]
fn read_to_end_dropped_midway_leaves_the_bytes_read_in_the_vec() {
    support::block_on(async {
        let mut reader = Script::new([
            Step::Data(b"abc".to_vec()),
            Step::Pending,
            Step::Data(b"def".to_vec()),
        ]);
        let mut buf = Vec::new();
        {
            let future = pin!(reader.read_to_end(&mut buf));
            assert!(poll!(future).is_pending());
        }
        assert_eq!(buf, b"abc");
        let mut rest = Vec::new();
        assert_eq!(reader.read_to_end(&mut rest).await.unwrap(), 3);
        assert_eq!(rest, b"def");
    });
}

#[test]
fn read_to_string_appends_utf8_split_across_reads() {
    support::block_on(async {
        let text = "wörld, ünïcode";
        let mut reader = Script::chunked(text.as_bytes(), 1, 2);
        let mut out = String::from("hello ");
        let n = reader.read_to_string(&mut out).await.unwrap();
        assert_eq!(n, text.len());
        assert_eq!(out, format!("hello {text}"));
    });
}

#[test]
fn read_to_string_invalid_utf8_is_invalid_data_and_leaves_the_string_unchanged() {
    support::block_on(async {
        let mut reader = Script::chunked(b"abc\xffdef", 2, 1);
        let mut out = String::from("keep");
        let error = reader.read_to_string(&mut out).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidData);
        assert_eq!(out, "keep");
    });
}

#[test]
fn read_to_string_truncated_character_at_the_end_is_invalid_data() {
    support::block_on(async {
        let mut reader: &[u8] = &"ö".as_bytes()[..1];
        let mut out = String::new();
        let error = reader.read_to_string(&mut out).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidData);
        assert_eq!(out, "");
    });
}

#[test]
fn read_to_string_read_error_leaves_the_string_unchanged() {
    support::block_on(async {
        let mut reader =
            Script::new([Step::Data(b"abc".to_vec()), Step::Fail(ErrorKind::TimedOut)]);
        let mut out = String::from("keep");
        let error = reader.read_to_string(&mut out).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut);
        assert_eq!(out, "keep");
    });
}

#[test]
fn read_to_string_dropped_midway_puts_the_string_back() {
    support::block_on(async {
        let mut reader = Script::new([
            Step::Data(b"abc".to_vec()),
            Step::Pending,
            Step::Data(b"def".to_vec()),
        ]);
        let mut out = String::from("keep");
        {
            let future = pin!(reader.read_to_string(&mut out));
            assert!(poll!(future).is_pending());
        }
        assert_eq!(out, "keep");
    });
}

#[test]
fn take_stops_at_the_limit_and_the_rest_stays_in_the_inner_reader() {
    support::block_on(async {
        let inner = Script::new([Step::Data(b"hello world".to_vec())]);
        let mut take = inner.take(5);
        let mut buf = [0u8; 64];
        assert_eq!(take.read(&mut buf).await.unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(take.limit(), 0);
        assert_eq!(
            take.read(&mut buf).await.unwrap(),
            0,
            "end of stream at the limit"
        );

        let mut inner = take.into_inner();
        assert_eq!(
            inner.max_room_seen, 5,
            "the inner reader never saw room past the limit"
        );
        let mut rest = Vec::new();
        inner.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b" world");
    });
}

#[test]
fn take_counts_down_across_reads_and_set_limit_restarts_the_count() {
    support::block_on(async {
        let mut take = Script::chunked(b"abcdefghij", 2, 1).take(5);
        let mut out = Vec::new();
        assert_eq!(take.read_to_end(&mut out).await.unwrap(), 5);
        assert_eq!(out, b"abcde");

        take.set_limit(3);
        assert_eq!(take.limit(), 3);
        out.clear();
        assert_eq!(take.read_to_end(&mut out).await.unwrap(), 3);
        assert_eq!(out, b"fgh");
        assert_eq!(
            take.get_ref().steps.len(),
            2,
            "the rest is still in the inner reader"
        );
        take.get_mut().polls = 0;
        assert_eq!(take.get_ref().polls, 0);
    });
}

#[test]
fn take_with_no_limit_left_does_not_poll_the_inner_reader() {
    support::block_on(async {
        let mut take = Script::new([Step::Fail(ErrorKind::Other)]).take(0);
        let mut buf = [0u8; 4];
        assert_eq!(take.read(&mut buf).await.unwrap(), 0);
        assert_eq!(take.get_ref().polls, 0);
    });
}

#[test]
fn take_errors_do_not_count_against_the_limit() {
    support::block_on(async {
        let inner = Script::new([
            Step::Fail(ErrorKind::Interrupted),
            Step::Data(b"ab".to_vec()),
        ]);
        let mut take = inner.take(2);
        let mut buf = [0u8; 4];
        assert!(take.read(&mut buf).await.is_err());
        assert_eq!(take.limit(), 2);
        assert_eq!(take.read(&mut buf).await.unwrap(), 2);
    });
}

#[test]
fn take_carries_what_the_inner_reader_initialised_back_to_the_outer_buffer() {
    support::block_on(async {
        let mut take = Zeroing {
            chunk: 2,
            times: 1,
            initialized_seen: Vec::new(),
        }
        .take(4);
        let mut storage = [MaybeUninit::<u8>::uninit(); 16];
        let mut buf = ReadBuf::uninit(&mut storage);
        poll_fn(|cx| Pin::new(&mut take).poll_read(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"zz");
        assert_eq!(
            buf.initialized().len(),
            4,
            "the inner zeroed its 4 bytes of room; the outer buffer knows"
        );
        assert_eq!(take.limit(), 2);

        // An initialised outer buffer stays fully initialised.
        let mut storage = [0u8; 16];
        let mut buf = ReadBuf::new(&mut storage);
        let mut take = (&b"abcdef"[..]).take(3);
        poll_fn(|cx| Pin::new(&mut take).poll_read(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"abc");
        assert_eq!(buf.initialized().len(), 16);
    });
}

#[test]
fn take_as_buf_read_caps_fill_buf_and_consume_at_the_limit() {
    support::block_on(async {
        let mut take = (&b"hello"[..]).take(3);
        let available = poll_fn(|cx| Pin::new(&mut take).poll_fill_buf(cx).map_ok(|b| b.to_vec()))
            .await
            .unwrap();
        assert_eq!(available, b"hel");
        Pin::new(&mut take).consume(2);
        assert_eq!(take.limit(), 1);
        Pin::new(&mut take).consume(5);
        assert_eq!(take.limit(), 0);
        assert_eq!(
            *take.get_ref(),
            b"lo",
            "consume past the limit consumed only to it"
        );
        let available = poll_fn(|cx| Pin::new(&mut take).poll_fill_buf(cx).map_ok(|b| b.len()))
            .await
            .unwrap();
        assert_eq!(available, 0);
    });
}

#[test]
fn chain_reads_the_first_reader_then_the_second() {
    support::block_on(async {
        let first = Script::chunked(b"hello ", 4, 1);
        let second = Script::chunked(b"world", 2, 1);
        let mut chain = first.chain(second);
        let mut buf = [0u8; 64];
        let n = chain.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hell", "a read never spans the two readers");
        let mut rest = String::new();
        chain.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "o world");
        let (first, second) = chain.into_inner();
        assert!(first.steps.is_empty() && second.steps.is_empty());
    });
}

#[test]
fn chain_read_with_no_room_does_not_skip_the_first_reader() {
    support::block_on(async {
        let mut chain = (&b"first"[..]).chain(&b"second"[..]);
        let mut empty = [0u8; 0];
        assert_eq!(chain.read(&mut empty).await.unwrap(), 0);
        let mut all = Vec::new();
        chain.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"firstsecond");
    });
}

#[test]
fn chain_as_buf_read_moves_to_the_second_when_the_first_is_empty() {
    support::block_on(async {
        let mut chain = (&b"ab"[..]).chain(&b"cd"[..]);
        let fill = |chain: &mut spindle_io::Chain<&[u8], &[u8]>| {
            let chain = Pin::new(chain);
            match chain.poll_fill_buf(&mut Context::from_waker(std::task::Waker::noop())) {
                Poll::Ready(Ok(available)) => available.to_vec(),
                other => panic!("a slice is always ready: {other:?}"),
            }
        };
        assert_eq!(fill(&mut chain), b"ab");
        Pin::new(&mut chain).consume(2);
        assert_eq!(fill(&mut chain), b"cd");
        Pin::new(&mut chain).consume(1);
        assert_eq!(fill(&mut chain), b"d");
        assert_eq!(chain.get_ref(), (&&b""[..], &&b"d"[..]));
        let (first, second) = chain.get_mut();
        assert!(first.is_empty());
        *second = b"xyz";
        assert_eq!(fill(&mut chain), b"xyz");
    });
}

#[test]
fn future_and_adapter_unpin_matches_tokio() {
    support::block_on(async {
        let mut reader: &[u8] = b"0123456789abcdef0123456789abcdef";
        let mut buf = [0u8; 4];
        let mut vec = Vec::new();
        let mut string = String::new();
        let mut bytes = BytesMut::new();
        assert_not_unpin(&reader.read(&mut buf));
        assert_not_unpin(&reader.read_buf(&mut bytes));
        assert_not_unpin(&reader.read_exact(&mut buf));
        assert_not_unpin(&reader.read_to_end(&mut vec));
        assert_not_unpin(&reader.read_to_string(&mut string));
        assert_unpin(&reader.read_u8());
        assert_unpin(&reader.read_u32());
        assert_unpin(&reader.read_f64_le());
        assert_unpin(&(&b""[..]).chain(&b""[..]));
        assert_unpin(&(&b""[..]).take(1));
    });
}

#[test]
fn the_futures_are_send_when_the_reader_is() {
    fn assert_send<T: Send>(_: &T) {}
    let mut reader: &[u8] = b"";
    let mut vec = Vec::new();
    assert_send(&reader.read_to_end(&mut vec));
    let mut string = String::new();
    assert_send(&reader.read_to_string(&mut string));
    assert_send(&reader.read_i128());
}

#[test]
fn methods_work_through_pinned_boxes_and_trait_objects() {
    support::block_on(async {
        let mut boxed: Pin<Box<dyn AsyncRead + Send>> = Box::pin(&b"abc"[..]);
        assert_eq!(boxed.read_u8().await.unwrap(), b'a');
        let object: &mut (dyn AsyncRead + Unpin + Send) = &mut boxed;
        let mut rest = Vec::new();
        object.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"bc");
    });
}

#[test]
fn the_futures_output_tokio_s_types() {
    // Compile-time: the futures' outputs are tokio's.
    fn output<F: Future<Output = O>, O>(_: &F) {}
    let mut reader: &[u8] = b"";
    let mut buf = [0u8; 1];
    output::<_, io::Result<usize>>(&reader.read(&mut buf));
    output::<_, io::Result<usize>>(&reader.read_exact(&mut buf));
    output::<_, io::Result<u16>>(&reader.read_u16());
    output::<_, io::Result<f32>>(&reader.read_f32_le());
}

#[test]
fn read_exact_ints_and_to_end_retry_interrupted_and_report_other_errors() {
    use ErrorKind::Interrupted;
    support::block_on(async {
        let mut reader = Script::new([
            Step::Fail(Interrupted),
            Step::Data(vec![1, 2]),
            Step::Fail(Interrupted),
            Step::Data(vec![3, 4]),
            Step::Fail(Interrupted),
            Step::Data(vec![0, 0, 1, 2]),
            Step::Fail(Interrupted),
            Step::Data(b"tail".to_vec()),
            Step::Fail(Interrupted),
        ]);
        let mut exact = [0u8; 4];
        assert_eq!(reader.read_exact(&mut exact).await.unwrap(), 4);
        assert_eq!(exact, [1, 2, 3, 4]);
        assert_eq!(reader.read_u32().await.unwrap(), 0x0102);
        let mut rest = String::new();
        assert_eq!(reader.read_to_string(&mut rest).await.unwrap(), 4);
        assert_eq!(rest, "tail");

        let mut failing = Script::new([
            Step::Fail(Interrupted),
            Step::Fail(ErrorKind::PermissionDenied),
        ]);
        let error = failing.read_u16().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::PermissionDenied);
        let mut failing = Script::new([
            Step::Fail(Interrupted),
            Step::Fail(ErrorKind::PermissionDenied),
        ]);
        let error = failing.read_to_end(&mut Vec::new()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::PermissionDenied);
    });
}
