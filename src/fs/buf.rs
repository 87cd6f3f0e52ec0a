//! The buffer a file or stdio handle lends to its blocking operation and gets back
//! when the operation finishes.
//!
//! Bytes in `bytes[pos..]` are data read from the OS and not yet handed to the caller
//! (after a read), or data accepted from the caller and not yet written (while a write
//! is in flight). The buffer is owned by exactly one side at a time: the handle while
//! idle, the blocking closure while busy; that hand-off is what lets a handle return
//! from `poll_write` before the bytes reach the OS.

use std::future::Future;
use std::io::{self, Read, Write};

use spindle_io::ReadBuf;

/// The largest read or write one blocking operation does, as tokio's default: large
/// enough that a big transfer costs few thread hand-offs, small enough to bound the
/// memory a handle holds.
pub(crate) const MAX_BUF_SIZE: usize = 2 * 1024 * 1024;

#[derive(Debug, Default)]
pub(crate) struct Buf {
    bytes: Vec<u8>,
    pos: usize,
}

impl Buf {
    /// How many bytes are waiting: unread data, or data not yet written.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands waiting bytes to the caller; returns how many were copied.
    pub(crate) fn copy_to(&mut self, dst: &mut ReadBuf<'_>) -> usize {
        let count = self.len().min(dst.remaining());
        dst.put_slice(&self.bytes[self.pos..self.pos + count]);
        self.pos += count;
        if self.is_empty() {
            self.clear();
        }
        count
    }

    /// Takes up to `max` bytes of `src` to be written; the buffer must be empty.
    pub(crate) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        debug_assert!(self.is_empty(), "copy_from into a buffer holding data");
        let count = src.len().min(max);
        self.clear();
        self.bytes.extend_from_slice(&src[..count]);
        count
    }

    /// Drops the unread bytes and returns how far the OS cursor is ahead of the
    /// caller's position, as a (negative) offset to seek by.
    pub(crate) fn discard_read(&mut self) -> i64 {
        // A buffer never holds more than MAX_BUF_SIZE bytes, far below i64::MAX.
        let ahead = -(self.len() as i64);
        self.clear();
        ahead
    }

    /// Reads up to `max` bytes from `source` into the empty buffer, retrying on
    /// `Interrupted`; 0 means end of file.
    pub(crate) fn read_from(&mut self, mut source: impl Read, max: usize) -> io::Result<usize> {
        debug_assert!(self.is_empty(), "read_from into a buffer holding data");
        self.bytes.clear();
        self.bytes.resize(max, 0);
        self.pos = 0;
        let result = loop {
            match source.read(&mut self.bytes) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.bytes.truncate(*result.as_ref().unwrap_or(&0));
        result
    }

    /// Writes every waiting byte to `sink`; the buffer is empty afterwards, also on
    /// error (the caller learns of the loss through the error).
    pub(crate) fn write_to(&mut self, mut sink: impl Write) -> io::Result<()> {
        let result = sink.write_all(&self.bytes[self.pos..]);
        self.clear();
        result
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.pos = 0;
    }
}

/// The buffer of a handle whose IO runs on the blocking pool: idle, or lent to the one
/// blocking operation in flight, which hands it back with its result. Shared by
/// `fs::File` and the stdio handles.
pub(crate) enum BufState<Op> {
    Idle(Buf),
    /// The blocking operation, and its name for the error when the task fails.
    Busy(spindle_executor::task::JoinHandle<(Op, Buf)>, &'static str),
}

impl<Op> BufState<Op> {
    /// Drives the operation in flight to its end and returns it, leaving the state
    /// idle; `None` when it was already idle.
    pub(crate) fn poll_in_flight(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<std::io::Result<Op>>> {
        use std::task::{ready, Poll};
        let BufState::Busy(handle, operation) = self else {
            return Poll::Ready(None);
        };
        let output = ready!(std::pin::Pin::new(handle).poll(cx));
        match output {
            Ok((op, buf)) => {
                *self = BufState::Idle(buf);
                Poll::Ready(Some(Ok(op)))
            }
            Err(err) => {
                let err = super::blocking::join_error(operation, err);
                *self = BufState::Idle(Buf::default());
                Poll::Ready(Some(Err(err)))
            }
        }
    }

    /// The buffer; only called when no operation is in flight.
    pub(crate) fn idle_buf(&mut self) -> &mut Buf {
        match self {
            BufState::Idle(buf) => buf,
            BufState::Busy(..) => unreachable!("idle_buf called with an operation in flight"),
        }
    }
}
