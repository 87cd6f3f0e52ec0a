//! The four traits and `ReadBuf` on their own: the region bookkeeping of `ReadBuf`, and
//! the impls for byte slices, cursors, `Vec<u8>` and the pointer types, polled by hand
//! (none of them ever waits).

use std::io::{Cursor, IoSlice, SeekFrom};
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::BufMut;
use spindle_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

fn cx() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

fn read_once<R: AsyncRead + Unpin + ?Sized>(reader: &mut R, capacity: usize) -> Vec<u8> {
    let mut storage = vec![0u8; capacity];
    let mut buf = ReadBuf::new(&mut storage);
    match Pin::new(reader).poll_read(&mut cx(), &mut buf) {
        Poll::Ready(Ok(())) => buf.filled().to_vec(),
        other => panic!("an in-memory read returned {other:?}"),
    }
}

#[test]
fn read_buf_over_uninit_memory_tracks_filled_and_initialized_separately() {
    let mut storage = [MaybeUninit::<u8>::uninit(); 8];
    let mut buf = ReadBuf::uninit(&mut storage);
    assert_eq!((buf.capacity(), buf.remaining()), (8, 8));
    assert!(buf.initialized().is_empty());

    buf.put_slice(b"ab");
    assert_eq!(buf.filled(), b"ab");
    assert_eq!(buf.initialized().len(), 2);

    // Zeroes only what was not initialised yet, and fills nothing.
    assert_eq!(buf.initialize_unfilled_to(3), &[0, 0, 0]);
    assert_eq!((buf.filled().len(), buf.initialized().len()), (2, 5));
    buf.advance(3);
    assert_eq!(buf.filled(), b"ab\0\0\0");

    // Clearing keeps the initialised bytes, so filling them again is allowed.
    buf.clear();
    buf.set_filled(5);
    assert_eq!(buf.filled().len(), 5);
}

#[test]
#[should_panic(expected = "past the 2 initialised bytes")]
fn read_buf_refuses_to_fill_past_what_is_initialised() {
    let mut storage = [MaybeUninit::<u8>::uninit(); 4];
    let mut buf = ReadBuf::uninit(&mut storage);
    buf.put_slice(b"xy");
    buf.set_filled(3);
}

#[test]
#[should_panic(expected = "put_slice of 3 bytes with only 2 unfilled")]
fn read_buf_put_slice_past_its_capacity_panics_with_the_sizes() {
    let mut storage = [0u8; 2];
    ReadBuf::new(&mut storage).put_slice(b"abc");
}

#[test]
fn read_buf_take_limits_the_room_and_shares_the_memory() {
    let mut storage = [0u8; 8];
    let mut buf = ReadBuf::new(&mut storage);
    buf.put_slice(b"12");
    let mut taken = buf.take(3);
    assert_eq!(taken.capacity(), 3);
    // The outer buffer was fully initialised, so the taken one is too.
    assert_eq!(taken.initialized().len(), 3);
    taken.put_slice(b"345");
    let taken_len = taken.filled().len();
    buf.advance(taken_len);
    assert_eq!(buf.filled(), b"12345");
}

#[test]
fn read_buf_as_buf_mut_writes_into_the_unfilled_part() {
    let mut storage = [MaybeUninit::<u8>::uninit(); 6];
    let mut buf = ReadBuf::uninit(&mut storage);
    buf.put_u16(0x4142);
    buf.put_slice(b"CD");
    assert_eq!(buf.filled(), b"ABCD");
    assert_eq!(BufMut::remaining_mut(&buf), 2);
}

#[test]
fn slice_reader_hands_out_what_fits_and_keeps_the_rest() {
    let mut source: &[u8] = b"hello world";
    assert_eq!(read_once(&mut source, 5), b"hello");
    assert_eq!(source, b" world");
    assert_eq!(read_once(&mut source, 64), b" world");
    // End of stream: a read that fills nothing.
    assert!(read_once(&mut source, 64).is_empty());
}

#[test]
fn cursor_reader_moves_its_position_and_reads_nothing_past_the_end() {
    let mut cursor = Cursor::new(b"abcdef".to_vec());
    assert_eq!(read_once(&mut cursor, 4), b"abcd");
    assert_eq!(cursor.position(), 4);
    cursor.set_position(100);
    assert!(read_once(&mut cursor, 4).is_empty());
    assert_eq!(cursor.position(), 100);
}

#[test]
fn pointer_types_forward_reads_to_the_reader_they_point_to() {
    let mut boxed: Box<dyn AsyncRead + Unpin> = Box::new(&b"boxed"[..]);
    assert_eq!(read_once(&mut boxed, 16), b"boxed");

    let mut inner: &[u8] = b"by reference";
    let mut by_ref = &mut inner;
    assert_eq!(read_once(&mut by_ref, 2), b"by");
    assert_eq!(inner, b" reference");

    let mut pinned = Box::pin(Cursor::new(b"pinned".to_vec()));
    assert_eq!(read_once(&mut pinned, 16), b"pinned");
}

#[test]
fn vec_writer_appends_every_buffer_of_a_vectored_write() {
    let mut sink = b"start:".to_vec();
    let bufs = [
        IoSlice::new(b"one"),
        IoSlice::new(b""),
        IoSlice::new(b"two"),
    ];
    assert!(sink.is_write_vectored());
    let written = Pin::new(&mut sink).poll_write_vectored(&mut cx(), &bufs);
    assert!(matches!(written, Poll::Ready(Ok(6))));
    assert!(Pin::new(&mut sink).poll_shutdown(&mut cx()).is_ready());
    assert_eq!(sink, b"start:onetwo");
}

#[test]
fn default_vectored_write_writes_the_first_non_empty_buffer() {
    /// Writes one byte at a time and has no vectored path of its own.
    struct OneByte(Vec<u8>);
    impl AsyncWrite for OneByte {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.0.extend_from_slice(&buf[..buf.len().min(1)]);
            Poll::Ready(Ok(buf.len().min(1)))
        }
        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
    let mut writer = OneByte(Vec::new());
    assert!(!writer.is_write_vectored());
    let bufs = [IoSlice::new(b""), IoSlice::new(b"xyz")];
    let written = Pin::new(&mut writer).poll_write_vectored(&mut cx(), &bufs);
    assert!(matches!(written, Poll::Ready(Ok(1))));
    assert_eq!(writer.0, b"x");
}

#[test]
fn fixed_cursor_writer_stops_at_the_end_of_its_slice() {
    let mut storage = [0u8; 4];
    let mut cursor = Cursor::new(&mut storage[..]);
    let first = Pin::new(&mut cursor).poll_write(&mut cx(), b"abcdef");
    assert!(matches!(first, Poll::Ready(Ok(4))));
    let full = Pin::new(&mut cursor).poll_write(&mut cx(), b"g");
    assert!(matches!(full, Poll::Ready(Ok(0))));
    assert_eq!(&storage, b"abcd");
}

#[test]
fn buf_read_on_a_slice_shows_everything_and_consume_moves_past_it() {
    let mut source: &[u8] = b"line\nrest";
    let shown = match Pin::new(&mut source).poll_fill_buf(&mut cx()) {
        Poll::Ready(Ok(shown)) => shown.to_vec(),
        other => panic!("fill_buf on a slice returned {other:?}"),
    };
    assert_eq!(shown, b"line\nrest");
    Pin::new(&mut source).consume(5);
    assert_eq!(source, b"rest");
}

#[test]
fn cursor_seek_starts_and_completes_at_once_and_reports_the_position() {
    let mut cursor = Cursor::new(b"0123456789".to_vec());
    Pin::new(&mut cursor).start_seek(SeekFrom::End(-3)).unwrap();
    let position = Pin::new(&mut cursor).poll_complete(&mut cx());
    assert!(matches!(position, Poll::Ready(Ok(7))));
    assert_eq!(read_once(&mut cursor, 8), b"789");
    // A seek before the start is an error, as std's.
    assert!(Pin::new(&mut cursor)
        .start_seek(SeekFrom::Current(-20))
        .is_err());
}
