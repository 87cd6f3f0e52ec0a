//! AsyncBufReadExt: read_until, read_line, fill_buf/consume, Lines and Split, their
//! error semantics, and which of them survive being cancelled.

mod support;

use std::collections::VecDeque;
use std::io::{self, Cursor};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::poll;
use spindle_io::{AsyncBufReadExt, AsyncRead, BufReader, ReadBuf};

enum Step {
    Data(&'static [u8]),
    Pending,
    Error(io::ErrorKind),
}

/// Plays its script one step per `poll_read` (an empty script is end of stream). The
/// script is shared, so a test can add to it after cancelling a future.
#[derive(Clone, Default)]
struct ScriptedReader {
    script: Arc<Mutex<VecDeque<Step>>>,
    reads: Arc<Mutex<usize>>,
}

impl ScriptedReader {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        let reader = ScriptedReader::default();
        reader.push(steps);
        reader
    }

    fn push(&self, steps: impl IntoIterator<Item = Step>) {
        self.script.lock().unwrap().extend(steps);
    }

    fn reads(&self) -> usize {
        *self.reads.lock().unwrap()
    }
}

impl AsyncRead for ScriptedReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        *self.reads.lock().unwrap() += 1;
        let mut script = self.script.lock().unwrap();
        match script.pop_front() {
            None => Poll::Ready(Ok(())),
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Error(kind)) => Poll::Ready(Err(io::Error::new(kind, "scripted"))),
            Some(Step::Data(data)) => {
                let len = data.len().min(buf.remaining());
                buf.put_slice(&data[..len]);
                if len < data.len() {
                    script.push_front(Step::Data(&data[len..]));
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

// ---- read_until ----

#[test]
fn read_until_gathers_a_segment_across_refills_of_a_small_buffer() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"abcdefg-hij")]);
        let mut reader = BufReader::with_capacity(3, inner.clone());
        let mut buf = Vec::new();
        assert_eq!(reader.read_until(b'-', &mut buf).await.unwrap(), 8);
        assert_eq!(buf, b"abcdefg-");
        assert_eq!(
            inner.reads(),
            3,
            "a 3-byte buffer holds the 8 bytes in 3 fills"
        );
        // The rest of the last fill is still buffered.
        assert_eq!(reader.buffer(), b"h");

        buf.clear();
        assert_eq!(reader.read_until(b'-', &mut buf).await.unwrap(), 3);
        assert_eq!(buf, b"hij");
        buf.clear();
        assert_eq!(reader.read_until(b'-', &mut buf).await.unwrap(), 0);
        assert!(buf.is_empty());
    });
}

#[test]
fn read_until_with_capacity_two_and_pending_between_fills() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"ab"), Step::Pending, Step::Data(b"c\nd")]);
        let mut reader = BufReader::with_capacity(2, inner);
        let mut buf = Vec::new();
        assert_eq!(reader.read_until(b'\n', &mut buf).await.unwrap(), 4);
        assert_eq!(buf, b"abc\n");
    });
}

#[test]
fn read_until_appends_and_counts_only_what_it_appended() {
    support::block_on(async move {
        let mut reader = &b"tail;more"[..];
        let mut buf = b"head:".to_vec();
        assert_eq!(reader.read_until(b';', &mut buf).await.unwrap(), 5);
        assert_eq!(buf, b"head:tail;");
    });
}

#[test]
fn read_until_retries_interrupted() {
    support::block_on(async move {
        let inner = ScriptedReader::new([
            Step::Data(b"ab"),
            Step::Error(io::ErrorKind::Interrupted),
            Step::Data(b"c!"),
        ]);
        let mut reader = BufReader::with_capacity(2, inner);
        let mut buf = Vec::new();
        assert_eq!(reader.read_until(b'!', &mut buf).await.unwrap(), 4);
        assert_eq!(buf, b"abc!");
    });
}

#[test]
fn read_until_error_keeps_the_bytes_read_so_far() {
    support::block_on(async move {
        let inner = ScriptedReader::new([
            Step::Data(b"par"),
            Step::Error(io::ErrorKind::ConnectionReset),
            Step::Data(b"t\n"),
        ]);
        let mut reader = BufReader::with_capacity(8, inner);
        let mut buf = Vec::new();
        let error = reader.read_until(b'\n', &mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(buf, b"par");
        assert_eq!(reader.read_until(b'\n', &mut buf).await.unwrap(), 2);
        assert_eq!(buf, b"part\n");
    });
}

#[test]
fn read_until_cancelled_after_pending_keeps_the_partial_segment_in_buf() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"ab"), Step::Pending]);
        let mut reader = BufReader::with_capacity(8, inner.clone());
        let mut buf = Vec::new();
        {
            let mut reading = pin!(reader.read_until(b'\n', &mut buf));
            assert!(poll!(reading.as_mut()).is_pending());
        }
        assert_eq!(buf, b"ab");
        inner.push([Step::Data(b"c\n")]);
        // The count starts again from zero; the segment is whole in `buf`.
        assert_eq!(reader.read_until(b'\n', &mut buf).await.unwrap(), 2);
        assert_eq!(buf, b"abc\n");
    });
}

// ---- read_line ----

#[test]
fn read_line_appends_the_line_with_its_newline() {
    support::block_on(async move {
        let mut reader = BufReader::with_capacity(2, &b"first\nsecond"[..]);
        let mut line = String::from("> ");
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 6);
        assert_eq!(line, "> first\n");
        line.clear();
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 6);
        assert_eq!(line, "second");
        line.clear();
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 0);
        assert_eq!(line, "");
    });
}

#[test]
fn read_line_on_invalid_utf8_fails_with_invalid_data_and_keeps_the_string() {
    support::block_on(async move {
        let mut reader = &b"bad \xff\xfe line\nnext\n"[..];
        let mut line = String::from("kept");
        let error = reader.read_line(&mut line).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(line, "kept");
        // The bad line was consumed; reading goes on after it.
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 5);
        assert_eq!(line, "keptnext\n");
    });
}

#[test]
fn read_line_on_a_character_split_across_fills_is_valid() {
    support::block_on(async move {
        // "é" is two bytes; a 1-byte buffer hands them over separately.
        let mut reader = BufReader::with_capacity(1, "café\n".as_bytes());
        let mut line = String::new();
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 6);
        assert_eq!(line, "café\n");
    });
}

#[test]
fn read_line_io_error_keeps_the_valid_partial_line() {
    support::block_on(async move {
        let inner = ScriptedReader::new([
            Step::Data(b"par"),
            Step::Error(io::ErrorKind::ConnectionReset),
        ]);
        let mut reader = BufReader::new(inner);
        let mut line = String::from("<");
        let error = reader.read_line(&mut line).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(line, "<par");
    });
}

#[test]
fn read_line_io_error_after_invalid_utf8_leaves_the_string_as_it_was() {
    support::block_on(async move {
        let inner = ScriptedReader::new([
            Step::Data(b"\xff"),
            Step::Error(io::ErrorKind::ConnectionReset),
        ]);
        let mut reader = BufReader::new(inner);
        let mut line = String::from("<");
        let error = reader.read_line(&mut line).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(line, "<");
    });
}

#[test]
fn read_line_cancelled_leaves_the_string_as_it_was_and_loses_the_partial_line() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"lost"), Step::Pending]);
        let mut reader = BufReader::new(inner.clone());
        let mut line = String::from("before");
        {
            let mut reading = pin!(reader.read_line(&mut line));
            assert!(poll!(reading.as_mut()).is_pending());
        }
        assert_eq!(line, "before");
        inner.push([Step::Data(b" end\n")]);
        assert_eq!(reader.read_line(&mut line).await.unwrap(), 5);
        assert_eq!(line, "before end\n");
    });
}

// ---- fill_buf / consume ----

#[test]
fn fill_buf_returns_the_buffer_until_consumed_and_empty_at_end() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"abcdef")]);
        let mut reader = BufReader::with_capacity(4, inner.clone());
        assert_eq!(reader.fill_buf().await.unwrap(), b"abcd");
        assert_eq!(reader.fill_buf().await.unwrap(), b"abcd");
        assert_eq!(inner.reads(), 1, "fill_buf read again with bytes buffered");
        reader.consume(4);
        assert_eq!(reader.fill_buf().await.unwrap(), b"ef");
        reader.consume(2);
        assert_eq!(reader.fill_buf().await.unwrap(), b"");
    });
}

#[test]
fn fill_buf_cancelled_while_pending_reads_nothing() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Pending, Step::Data(b"xy")]);
        let mut reader = BufReader::new(inner);
        {
            let mut filling = pin!(reader.fill_buf());
            assert!(poll!(filling.as_mut()).is_pending());
        }
        assert!(reader.buffer().is_empty());
        assert_eq!(reader.fill_buf().await.unwrap(), b"xy");
    });
}

#[test]
fn fill_buf_reports_the_read_error() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Error(io::ErrorKind::BrokenPipe)]);
        let mut reader = BufReader::new(inner);
        let error = reader.fill_buf().await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    });
}

// ---- Lines ----

#[test]
fn next_line_strips_crlf_and_lf_returns_the_unterminated_last_line_then_none() {
    support::block_on(async move {
        let mut lines = BufReader::with_capacity(3, &b"one\r\ntwo\n\nthree\rx\nlast"[..]).lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("one"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("two"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some(""));
        // A lone `\r` inside a line is data.
        assert_eq!(
            lines.next_line().await.unwrap().as_deref(),
            Some("three\rx")
        );
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("last"));
        assert_eq!(lines.next_line().await.unwrap(), None);
        assert_eq!(lines.next_line().await.unwrap(), None);
    });
}

#[test]
fn next_line_with_a_trailing_newline_ends_without_an_empty_line() {
    support::block_on(async move {
        let mut lines = Cursor::new(b"a\nb\n").lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("a"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("b"));
        assert_eq!(lines.next_line().await.unwrap(), None);
    });
}

#[test]
fn next_line_on_invalid_utf8_fails_and_goes_on_with_the_next_line() {
    support::block_on(async move {
        let mut lines = (&b"ok\n\xc3\x28\nafter\n"[..]).lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ok"));
        let error = lines.next_line().await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("after"));
    });
}

#[test]
fn next_line_cancelled_after_pending_loses_nothing() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"hel"), Step::Pending]);
        let mut lines = BufReader::with_capacity(2, inner.clone()).lines();
        {
            let mut next = pin!(lines.next_line());
            assert!(poll!(next.as_mut()).is_pending());
        }
        inner.push([Step::Data(b"lo\r\nworld\n")]);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("hello"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("world"));
        assert_eq!(lines.next_line().await.unwrap(), None);
    });
}

#[test]
fn next_line_io_error_keeps_the_partial_line_for_the_next_call() {
    support::block_on(async move {
        let inner = ScriptedReader::new([
            Step::Data(b"to"),
            Step::Error(io::ErrorKind::TimedOut),
            Step::Data(b"gether\n"),
        ]);
        let mut lines = BufReader::new(inner).lines();
        let error = lines.next_line().await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(
            lines.next_line().await.unwrap().as_deref(),
            Some("together")
        );
    });
}

#[test]
fn poll_next_line_drives_lines_by_hand() {
    support::block_on(async move {
        let mut lines = (&b"x\n"[..]).lines();
        let line = std::future::poll_fn(|cx| Pin::new(&mut lines).poll_next_line(cx)).await;
        assert_eq!(line.unwrap().as_deref(), Some("x"));
    });
}

#[test]
fn lines_gives_access_to_its_reader() {
    support::block_on(async move {
        let mut lines = Cursor::new(b"a\nb\n".to_vec()).lines();
        lines.next_line().await.unwrap();
        assert_eq!(lines.get_ref().position(), 2);
        lines.get_mut().set_position(0);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("a"));
        assert_eq!(lines.into_inner().position(), 2);
    });
}

// ---- Split ----

#[test]
fn next_segment_strips_only_the_delimiter() {
    support::block_on(async move {
        let mut segments = BufReader::with_capacity(2, &b"a\r\nbb\n\nccc"[..]).split(b'\n');
        assert_eq!(
            segments.next_segment().await.unwrap(),
            Some(b"a\r".to_vec())
        );
        assert_eq!(segments.next_segment().await.unwrap(), Some(b"bb".to_vec()));
        assert_eq!(segments.next_segment().await.unwrap(), Some(Vec::new()));
        assert_eq!(
            segments.next_segment().await.unwrap(),
            Some(b"ccc".to_vec())
        );
        assert_eq!(segments.next_segment().await.unwrap(), None);
    });
}

#[test]
fn next_segment_with_a_trailing_delimiter_ends_without_an_empty_segment() {
    support::block_on(async move {
        let mut segments = std::io::Cursor::new(b"x,y,").split(b',');
        assert_eq!(segments.next_segment().await.unwrap(), Some(b"x".to_vec()));
        assert_eq!(segments.next_segment().await.unwrap(), Some(b"y".to_vec()));
        assert_eq!(segments.next_segment().await.unwrap(), None);
    });
}

#[test]
fn next_segment_keeps_invalid_utf8_bytes() {
    support::block_on(async move {
        let mut segments = std::io::Cursor::new(b"\xff\xfe|").split(b'|');
        assert_eq!(
            segments.next_segment().await.unwrap(),
            Some(b"\xff\xfe".to_vec())
        );
    });
}

#[test]
fn next_segment_cancelled_after_pending_loses_nothing() {
    support::block_on(async move {
        let inner = ScriptedReader::new([Step::Data(b"se"), Step::Pending]);
        let mut segments = BufReader::new(inner.clone()).split(b';');
        {
            let mut next = pin!(segments.next_segment());
            assert!(poll!(next.as_mut()).is_pending());
        }
        inner.push([Step::Data(b"gment;")]);
        assert_eq!(
            segments.next_segment().await.unwrap(),
            Some(b"segment".to_vec())
        );
    });
}

#[test]
fn poll_next_segment_drives_split_by_hand() {
    support::block_on(async move {
        let mut segments = std::io::Cursor::new(b"1 2").split(b' ');
        let first = std::future::poll_fn(|cx| Pin::new(&mut segments).poll_next_segment(cx)).await;
        assert_eq!(first.unwrap(), Some(b"1".to_vec()));
    });
}

#[test]
fn ext_methods_work_on_unsized_readers() {
    support::block_on(async move {
        let mut boxed: Box<dyn spindle_io::AsyncBufRead + Unpin + Send> = Box::new(&b"dyn\n"[..]);
        let reader: &mut (dyn spindle_io::AsyncBufRead + Unpin + Send) = &mut *boxed;
        let mut buf = Vec::new();
        assert_eq!(reader.read_until(b'\n', &mut buf).await.unwrap(), 4);
    });
}

#[test]
fn lines_and_split_are_unpin_and_send_when_the_reader_is() {
    fn unpin_send<T: Unpin + Send>() {}
    unpin_send::<spindle_io::Lines<BufReader<Cursor<Vec<u8>>>>>();
    unpin_send::<spindle_io::Split<BufReader<Cursor<Vec<u8>>>>>();
}

/// Implemented twice for `Unpin` types, so inferring `Marker` is ambiguous (a compile
/// error) exactly when the type is `Unpin`.
trait AmbiguousIfUnpin<Marker> {}
impl<T: ?Sized> AmbiguousIfUnpin<()> for T {}
impl<T: ?Sized + Unpin> AmbiguousIfUnpin<u8> for T {}

fn assert_not_unpin_but_send<T: AmbiguousIfUnpin<Marker> + Send, Marker>(_: &T) {}

#[test]
fn futures_are_not_unpin_as_in_tokio_and_are_send() {
    let mut reader = BufReader::new(Cursor::new(Vec::new()));
    let mut bytes = Vec::new();
    assert_not_unpin_but_send(&reader.read_until(b'\n', &mut bytes));
    let mut line = String::new();
    assert_not_unpin_but_send(&reader.read_line(&mut line));
    assert_not_unpin_but_send(&reader.fill_buf());
    let mut seeker = Cursor::new(Vec::<u8>::new());
    assert_not_unpin_but_send(&spindle_io::AsyncSeekExt::seek(
        &mut seeker,
        io::SeekFrom::Start(0),
    ));
}
