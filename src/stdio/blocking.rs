//! The state machine behind `Stdin`, `Stdout` and `Stderr`: one blocking read, write
//! or flush of the process's standard stream in flight at a time.
//!
//! It is `File`'s machine without seeks. **Idle(buf)** holds bytes read ahead of the
//! caller; **Busy** means a blocking-pool closure owns the buffer. A write copies the
//! caller's bytes into the buffer, starts the blocking `write_all` and returns, so the
//! next write or flush waits for it and returns its error. `std`'s stdout is line
//! buffered, so after any write `poll_flush` also runs std's `flush` on the pool. The
//! std handle is not moved into the closure: the closure opens it again (`stdout()`
//! is a cheap handle to a process-wide stream), so a failed blocking task loses
//! nothing but the buffer.

use std::io::{self, Read, Write};
use std::task::{ready, Context, Poll};

use spindle_io::ReadBuf;

use crate::fs::blocking;
use crate::fs::buf::{Buf, BufState, MAX_BUF_SIZE};

/// Names for errors, and how to open the std stream on the blocking thread.
pub(crate) struct Stream<T> {
    pub(crate) open: fn() -> T,
    pub(crate) read: &'static str,
    pub(crate) write: &'static str,
    pub(crate) flush: &'static str,
}

pub(crate) struct Blocking<T: 'static> {
    stream: &'static Stream<T>,
    state: State,
    /// Data went to std's stream since its last flush.
    need_flush: bool,
}

type State = BufState<Operation>;

enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Flush(io::Result<()>),
}

impl<T: 'static> Blocking<T> {
    pub(crate) fn new(stream: &'static Stream<T>) -> Blocking<T> {
        Blocking {
            stream,
            state: State::Idle(Buf::default()),
            need_flush: false,
        }
    }

    fn poll_in_flight(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Operation>>> {
        self.state.poll_in_flight(cx)
    }

    fn idle_buf(&mut self) -> &mut Buf {
        self.state.idle_buf()
    }
}

impl<T: Read + 'static> Blocking<T> {
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Read(result))) => {
                    result?;
                    return Poll::Ready(Ok(self.idle_buf().copy_to(dst)));
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    let buf = self.idle_buf();
                    if !buf.is_empty() || dst.remaining() == 0 {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    let mut buf = std::mem::take(buf);
                    let open = self.stream.open;
                    let len = dst.remaining().min(MAX_BUF_SIZE);
                    let operation = self.stream.read;
                    self.state = State::Busy(
                        blocking::spawn(operation, move || {
                            let result = buf.read_from(open(), len);
                            (Operation::Read(result), buf)
                        }),
                        operation,
                    );
                }
            }
        }
    }
}

impl<T: Write + 'static> Blocking<T> {
    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Write(result) | Operation::Flush(result))) => result?,
                Some(Ok(Operation::Read(_))) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    if src.is_empty() {
                        return Poll::Ready(Ok(0));
                    }
                    let mut buf = std::mem::take(self.idle_buf());
                    let written = buf.copy_from(src, MAX_BUF_SIZE);
                    let open = self.stream.open;
                    let operation = self.stream.write;
                    self.state = State::Busy(
                        blocking::spawn(operation, move || {
                            let result = buf.write_to(open());
                            (Operation::Write(result), buf)
                        }),
                        operation,
                    );
                    self.need_flush = true;
                    return Poll::Ready(Ok(written));
                }
            }
        }
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Write(result))) => result?,
                Some(Ok(Operation::Flush(result))) => return Poll::Ready(result),
                Some(Ok(Operation::Read(_))) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    if !self.need_flush {
                        return Poll::Ready(Ok(()));
                    }
                    self.need_flush = false;
                    let buf = std::mem::take(self.idle_buf());
                    let open = self.stream.open;
                    let operation = self.stream.flush;
                    self.state = State::Busy(
                        blocking::spawn(operation, move || {
                            let result = open().flush();
                            (Operation::Flush(result), buf)
                        }),
                        operation,
                    );
                }
            }
        }
    }
}
