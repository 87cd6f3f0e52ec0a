//! The futures of [`read_to_end`](super::AsyncReadExt::read_to_end) and
//! [`read_to_string`](super::AsyncReadExt::read_to_string), and the loop they share.
//!
//! The loop ([`ReadToEndState`]) reads straight into the `Vec`'s spare capacity, handed
//! to the reader as an uninitialised [`ReadBuf`]: zeroing the capacity first would cost
//! as much as the copy. It remembers, across reads and polls, how much of the spare
//! capacity past `len` the reader has initialised, so a reader that zeroes its buffer
//! (`initialize_unfilled`) zeroes each byte once, not once per read; the count is reset
//! whenever the `Vec` reallocates, since a reallocation need not keep the spare bytes.
//!
//! Growth is geometric (`Vec::reserve` doubles), so a stream of `n` bytes costs
//! `O(log n)` allocations, and begins small, so a stream of four bytes does not allocate
//! kilobytes. A `Vec` with less than 32 bytes of room when the call starts (say, sized
//! exactly to a length the caller expected) is first probed with a small read into a
//! stack buffer, so a reader that is at its end does not make it double for nothing.
//!
//! `read_to_string` moves the `String`'s allocation out into a `Vec`, runs the same loop,
//! and checks only the appended bytes for UTF-8 (the old contents already are), so the
//! `String` is never observable holding invalid UTF-8 — not even if the future is
//! leaked. If the future is dropped before it finishes, its `Drop` puts the `String`
//! back as it was.

use std::future::Future;
use std::io;
use std::marker::PhantomPinned;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::assert_same_read_buf;
use crate::{AsyncRead, ReadBuf};

/// The size of the stack buffer that probes a full `Vec`, and the least a `Vec` grows by.
const PROBE_SIZE: usize = 32;

/// The state of a read-to-end loop that persists across polls.
#[derive(Debug)]
pub(crate) struct ReadToEndState {
    /// Bytes appended so far by this operation.
    read: usize,
    /// How many bytes of spare capacity past the `Vec`'s length are initialised.
    initialized: usize,
    /// Whether a `Vec` short of room may still be probed instead of grown (only before
    /// the first growth or probe that found data).
    may_probe: bool,
}

impl ReadToEndState {
    pub(crate) fn new() -> ReadToEndState {
        ReadToEndState {
            read: 0,
            initialized: 0,
            may_probe: true,
        }
    }

    /// Reads until end of stream, appending to `buf`; returns the bytes appended since
    /// `new` (and starts counting afresh).
    pub(crate) fn poll_read_to_end<R: AsyncRead + ?Sized>(
        &mut self,
        mut reader: Pin<&mut R>,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>> {
        loop {
            if buf.capacity() - buf.len() < PROBE_SIZE {
                if self.may_probe {
                    let n = match ready!(self.poll_probe(reader.as_mut(), cx, buf)) {
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        polled => polled?,
                    };
                    if n == 0 {
                        return Poll::Ready(Ok(mem::take(&mut self.read)));
                    }
                    // Probe once: the stream has more, so grow for it from now on.
                    self.may_probe = false;
                    continue;
                }
                self.reserve(buf, PROBE_SIZE);
            }

            let len = buf.len();
            let spare = buf.spare_capacity_mut();
            let mut read_buf = ReadBuf::uninit(spare);
            // SAFETY: `initialized` counts spare bytes this loop saw a reader initialise
            // (through the `ReadBuf`'s `initialized` count) since the last time the
            // `Vec` could have reallocated; only this loop touches the `Vec` while the
            // future borrows it, so those bytes are still initialised.
            unsafe { read_buf.assume_init(self.initialized) };
            let start = read_buf.filled().as_ptr();
            let polled = reader.as_mut().poll_read(cx, &mut read_buf);
            assert_same_read_buf(start, &read_buf);
            let n = read_buf.filled().len();
            let initialized = read_buf.initialized().len();
            // SAFETY: the `ReadBuf` is the one over the spare capacity (checked above),
            // so its first `n` bytes, which it says are filled and hence initialised,
            // are the `n` bytes after `len`, within the capacity.
            unsafe { buf.set_len(len + n) };
            self.initialized = initialized - n;
            self.read += n;

            match polled {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Ready(Ok(())) if n == 0 => {
                    return Poll::Ready(Ok(mem::take(&mut self.read)));
                }
                Poll::Ready(Ok(())) => {}
            }
        }
    }

    /// One read into a small stack buffer, appended to `buf` (growing it only if the
    /// bytes do not fit) if it got any.
    fn poll_probe<R: AsyncRead + ?Sized>(
        &mut self,
        reader: Pin<&mut R>,
        cx: &mut Context<'_>,
        buf: &mut Vec<u8>,
    ) -> Poll<io::Result<usize>> {
        let mut probe = [0u8; PROBE_SIZE];
        let mut read_buf = ReadBuf::new(&mut probe);
        ready!(reader.poll_read(cx, &mut read_buf))?;
        let n = read_buf.filled().len();
        if n > 0 {
            self.reserve(buf, n);
            buf.extend_from_slice(read_buf.filled());
            self.read += n;
        }
        Poll::Ready(Ok(n))
    }

    /// Makes room for at least `additional` more bytes, forgetting what was known to be
    /// initialised if the `Vec` reallocated.
    fn reserve(&mut self, buf: &mut Vec<u8>, additional: usize) {
        let capacity = buf.capacity();
        buf.reserve(additional);
        if buf.capacity() != capacity {
            self.initialized = 0;
            self.may_probe = false;
        }
    }
}

pin_project! {
    /// The future of [`AsyncReadExt::read_to_end`](super::AsyncReadExt::read_to_end):
    /// appends everything up to the end of the stream to a `Vec`.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadToEnd<'a, R: ?Sized> {
        reader: &'a mut R,
        buf: &'a mut Vec<u8>,
        state: ReadToEndState,
        #[pin]
        _pin: PhantomPinned,
    }
}

pub(super) fn read_to_end<'a, R>(reader: &'a mut R, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    ReadToEnd {
        reader,
        buf,
        state: ReadToEndState::new(),
        _pin: PhantomPinned,
    }
}

impl<R> Future for ReadToEnd<'_, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        me.state
            .poll_read_to_end(Pin::new(&mut **me.reader), cx, me.buf)
    }
}

pin_project! {
    /// The future of [`AsyncReadExt::read_to_string`](super::AsyncReadExt::read_to_string):
    /// appends everything up to the end of the stream to a `String`, if it is UTF-8.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct ReadToString<'a, R: ?Sized> {
        reader: &'a mut R,
        // The caller's string: empty while the operation runs, its allocation in `bytes`.
        output: &'a mut String,
        // The string's bytes, then what was read after them.
        bytes: Vec<u8>,
        // The length of the string when the operation started.
        original_len: usize,
        state: ReadToEndState,
        // Whether `output` has been given its bytes back.
        finished: bool,
        #[pin]
        _pin: PhantomPinned,
    }

    impl<'a, R: ?Sized> PinnedDrop for ReadToString<'a, R> {
        fn drop(this: Pin<&mut Self>) {
            let me = this.project();
            if !*me.finished {
                restore_original(me.output, mem::take(me.bytes), *me.original_len);
            }
        }
    }
}

pub(super) fn read_to_string<'a, R>(
    reader: &'a mut R,
    output: &'a mut String,
) -> ReadToString<'a, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    let bytes = mem::take(output).into_bytes();
    ReadToString {
        reader,
        output,
        original_len: bytes.len(),
        bytes,
        state: ReadToEndState::new(),
        finished: false,
        _pin: PhantomPinned,
    }
}

/// Puts the string's original contents (the first `original_len` of `bytes`) back.
fn restore_original(output: &mut String, mut bytes: Vec<u8>, original_len: usize) {
    bytes.truncate(original_len);
    // SAFETY: the first `original_len` bytes are the string's own contents from before
    // the operation, untouched since (the loop only appends), so they are UTF-8.
    *output = unsafe { String::from_utf8_unchecked(bytes) };
}

impl<R> Future for ReadToString<'_, R>
where
    R: AsyncRead + Unpin + ?Sized,
{
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.project();
        if *me.finished {
            // Polled again after completing: nothing more to read into the string.
            return Poll::Ready(Ok(0));
        }
        let polled = me
            .state
            .poll_read_to_end(Pin::new(&mut **me.reader), cx, me.bytes);
        let result = ready!(polled);
        *me.finished = true;
        let bytes = mem::take(me.bytes);
        match result {
            Ok(n) if std::str::from_utf8(&bytes[*me.original_len..]).is_ok() => {
                // SAFETY: the first `original_len` bytes are the string's own (UTF-8)
                // contents and the rest was just checked; two UTF-8 sequences
                // concatenated are UTF-8.
                **me.output = unsafe { String::from_utf8_unchecked(bytes) };
                Poll::Ready(Ok(n))
            }
            Ok(_) => {
                restore_original(me.output, bytes, *me.original_len);
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                )))
            }
            Err(error) => {
                restore_original(me.output, bytes, *me.original_len);
                Poll::Ready(Err(error))
            }
        }
    }
}
