//! AsyncSeekExt: seek, rewind and stream_position on a Cursor, errors, and the
//! two-step protocol (a seek already in flight is waited for first).

mod support;

use std::io::{self, Cursor, SeekFrom};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use futures::poll;
use spindle_io::{AsyncBufReadExt, AsyncSeek, AsyncSeekExt};

#[test]
fn seek_moves_a_cursor_and_resolves_to_the_new_position() {
    support::block_on(async move {
        let mut cursor = Cursor::new(b"abcdefg".to_vec());
        assert_eq!(cursor.seek(SeekFrom::Start(3)).await.unwrap(), 3);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"defg");
        assert_eq!(cursor.seek(SeekFrom::Current(2)).await.unwrap(), 5);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"fg");
        assert_eq!(cursor.seek(SeekFrom::End(-6)).await.unwrap(), 1);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"bcdefg");
    });
}

#[test]
fn seek_past_the_end_is_allowed_and_reads_as_end_of_stream() {
    support::block_on(async move {
        let mut cursor = Cursor::new(b"ab".to_vec());
        assert_eq!(cursor.seek(SeekFrom::Start(10)).await.unwrap(), 10);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"");
    });
}

#[test]
fn seek_before_the_start_fails_with_invalid_input_and_stays_put() {
    support::block_on(async move {
        let mut cursor = Cursor::new(b"abc".to_vec());
        cursor.seek(SeekFrom::Start(2)).await.unwrap();
        let error = cursor.seek(SeekFrom::Current(-3)).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(cursor.stream_position().await.unwrap(), 2);
    });
}

#[test]
fn rewind_goes_back_to_the_start() {
    support::block_on(async move {
        let mut cursor = Cursor::new(b"abc".to_vec());
        cursor.seek(SeekFrom::End(0)).await.unwrap();
        assert_eq!(cursor.rewind().await.unwrap(), 0);
        assert_eq!(cursor.position(), 0);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"abc");
    });
}

#[test]
fn stream_position_reports_without_moving() {
    support::block_on(async move {
        let mut cursor = Cursor::new(b"abcdef".to_vec());
        cursor.consume(4);
        assert_eq!(cursor.stream_position().await.unwrap(), 4);
        assert_eq!(cursor.stream_position().await.unwrap(), 4);
        assert_eq!(cursor.fill_buf().await.unwrap(), b"ef");
    });
}

#[test]
fn seek_works_through_a_mutable_reference_and_an_unsized_seeker() {
    support::block_on(async move {
        let mut cursor = Cursor::new(vec![0u8; 8]);
        let seeker: &mut (dyn AsyncSeek + Unpin + Send) = &mut cursor;
        assert_eq!(seeker.seek(SeekFrom::Start(5)).await.unwrap(), 5);
        assert_eq!(cursor.position(), 5);
    });
}

/// A seeker whose seeks take one `Pending` to complete, that refuses a second
/// `start_seek` while one is in flight (as a file on a blocking pool does), and logs
/// the order of calls.
#[derive(Default)]
struct SlowSeeker {
    position: u64,
    in_flight: Option<u64>,
    polled: bool,
    log: Vec<&'static str>,
}

impl AsyncSeek for SlowSeeker {
    fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        self.log.push("start");
        if self.in_flight.is_some() {
            return Err(io::Error::other("another seek is in flight"));
        }
        let SeekFrom::Start(target) = position else {
            return Err(io::Error::other("SlowSeeker only seeks from the start"));
        };
        self.in_flight = Some(target);
        self.polled = false;
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        self.log.push("complete");
        match self.in_flight {
            None => Poll::Ready(Ok(self.position)),
            Some(_) if !self.polled => {
                self.polled = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(target) => {
                self.in_flight = None;
                self.position = target;
                Poll::Ready(Ok(target))
            }
        }
    }
}

#[test]
fn seek_waits_for_a_seek_already_in_flight_before_starting_its_own() {
    support::block_on(async move {
        let mut seeker = SlowSeeker::default();
        Pin::new(&mut seeker)
            .start_seek(SeekFrom::Start(3))
            .unwrap();
        assert_eq!(seeker.seek(SeekFrom::Start(7)).await.unwrap(), 7);
        assert_eq!(
            seeker.log,
            [
                "start",    // the seek started by hand
                "complete", // Seek waits for it: Pending
                "complete", // ...done
                "start",    // then submits its own
                "complete", // Pending
                "complete", // done
            ]
        );
        assert_eq!(seeker.position, 7);
    });
}

#[test]
fn seek_future_is_pending_until_the_seek_completes() {
    support::block_on(async move {
        let mut seeker = SlowSeeker::default();
        {
            let mut seeking = pin!(seeker.seek(SeekFrom::Start(4)));
            assert!(poll!(seeking.as_mut()).is_pending());
            assert!(matches!(poll!(seeking.as_mut()), Poll::Ready(Ok(4))));
        }
        assert_eq!(seeker.position, 4);
    });
}

#[test]
fn seek_reports_a_start_seek_error() {
    support::block_on(async move {
        let mut seeker = SlowSeeker::default();
        let error = seeker.seek(SeekFrom::End(0)).await.unwrap_err();
        assert_eq!(error.to_string(), "SlowSeeker only seeks from the start");
    });
}
