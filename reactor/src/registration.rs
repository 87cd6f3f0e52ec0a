//! A source's registration with a reactor, and the IO loop every socket type shares.
//!
//! [`Registration`] holds the reactor handle, the poller key and the shared readiness
//! state. Its owners ([`PollEvented`] for the socket types, `AsyncFd`) keep the fd and
//! call [`Registration::deregister`] before the fd is closed; that ordering is what
//! makes registering with the poller sound, and it is kept in this module and its two
//! owners only.
//!
//! [`Registration::poll_io`] is the hot path: wait for readiness, run the syscall, and
//! only on `WouldBlock` clear the readiness (by tick) and wait again. A socket that
//! stays ready is read and written with no reactor involvement at all. Every IO
//! operation spends one unit of the task's cooperative budget; waiting for readiness
//! alone (`ready`, `readable`, `writable`) spends none, as with tokio.

use std::future::{poll_fn, Future};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::pin;
use std::task::{ready, Context, Poll};

use spindle_sync::coop;

use crate::driver::Handle;
use crate::io::{Interest, ReadBuf};
use crate::scheduled_io::{ReadyEvent, ScheduledIo};
use spindle_loom_shim::Arc;

/// One fd registered with one reactor.
#[derive(Debug)]
pub(crate) struct Registration {
    handle: Handle,
    key: usize,
    fd: RawFd,
    shared: Arc<ScheduledIo>,
    registered: bool,
}

impl Registration {
    /// Registers `fd` with `handle`'s reactor.
    ///
    /// # Safety
    ///
    /// The caller must call [`Registration::deregister`] (or drop the registration)
    /// while `fd` is still open.
    pub(crate) unsafe fn new(fd: RawFd, interest: Interest, handle: Handle) -> io::Result<Self> {
        // SAFETY: forwarded from this function's contract.
        let (key, shared) = unsafe { handle.register(fd, interest)? };
        Ok(Registration {
            handle,
            key,
            fd,
            shared,
            registered: true,
        })
    }

    /// The reactor this source is registered with.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Ready for `interest`, or the task's waker is stored; no budget is spent.
    pub(crate) fn poll_ready_unbudgeted(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        let polled = self.shared.poll_readiness(cx, interest);
        if polled.is_pending() {
            if let Some(waiting) = self.shared.waiting_interest() {
                if let Err(err) = self.handle.rearm(self.key, self.fd, waiting) {
                    return Poll::Ready(Err(err));
                }
            }
        }
        polled
    }

    /// Ready for `interest`, spending one budget unit when it is.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        let budget = ready!(coop::poll_proceed(cx));
        let event = ready!(self.poll_ready_unbudgeted(cx, interest));
        budget.made_progress();
        Poll::Ready(event)
    }

    /// The readiness for `interest` right now, without waiting.
    pub(crate) fn ready_now(&self, interest: Interest) -> io::Result<ReadyEvent> {
        self.shared.ready_now(interest)
    }

    /// Marks the source ready for `ready` without waiting for the driver's first event:
    /// for sockets whose state is known when they are made (an accepted stream is
    /// writable and usually holds the peer's first bytes; both ends of a fresh pair
    /// are writable). A wrong guess costs one `WouldBlock`, which clears it again.
    pub(crate) fn assume_ready(&self, ready: crate::io::Ready) {
        self.shared.assume_ready(ready);
    }

    /// Forgets the readiness in `event` (after `WouldBlock`), unless newer events came.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.shared.clear_readiness(event);
    }

    /// Runs `op` once the source is ready for `interest`, until it does not say
    /// `WouldBlock`; spends one budget unit.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let budget = ready!(coop::poll_proceed(cx));
        loop {
            let event = ready!(self.poll_ready_unbudgeted(cx, interest))?;
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event);
                }
                result => {
                    budget.made_progress();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// [`poll_io`](Self::poll_io) for a stream read into a buffer of `len` bytes: a read
    /// that returns fewer (but some) bytes drained the socket, so on Linux, where the
    /// peer's FIN has an edge of its own (`EPOLLRDHUP`, recorded as `READ_CLOSED`,
    /// which is never cleared), the readable bit is cleared at once and the next read
    /// waits for an edge instead of making a `read` that can only say `EAGAIN`.
    pub(crate) fn poll_read_io(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let budget = ready!(coop::poll_proceed(cx));
        loop {
            let event = ready!(self.poll_ready_unbudgeted(cx, Interest::READABLE))?;
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event);
                }
                result => {
                    if cfg!(target_os = "linux") {
                        if let Ok(read) = result {
                            if read > 0 && read < len {
                                self.clear_readiness(event);
                            }
                        }
                    }
                    budget.made_progress();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Runs `op` if the source looks ready for `interest`; `WouldBlock` otherwise (and
    /// clears the readiness if `op` itself says `WouldBlock`).
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let event = self.ready_now(interest)?;
        if event.ready.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = op();
        if matches!(&result, Err(err) if err.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(event);
        }
        result
    }

    /// Waits until the source is ready for `interest`, in the waiter list (any number
    /// of tasks may wait at once). Waiting spends no budget (as with tokio, `ready`,
    /// `readable` and `writable` do not); [`async_io`](Self::async_io) spends one unit
    /// per operation.
    pub(crate) async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let mut waiting = pin!(self.shared.readiness(interest));
        poll_fn(|cx| {
            let polled = waiting.as_mut().poll(cx);
            if polled.is_pending() {
                if let Some(waiting) = self.shared.waiting_interest() {
                    if let Err(err) = self.handle.rearm(self.key, self.fd, waiting) {
                        return Poll::Ready(Err(err));
                    }
                }
            }
            polled
        })
        .await
    }

    /// Waits for readiness and runs `op` until it does not say `WouldBlock`; spends one
    /// budget unit once ready, so a task that always finds its socket ready still
    /// yields.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            let budget = poll_fn(coop::poll_proceed).await;
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event);
                }
                result => {
                    budget.made_progress();
                    return result;
                }
            }
        }
    }

    /// Removes the fd from the reactor. Must run while the fd is open; idempotent.
    pub(crate) fn deregister(&mut self) {
        if std::mem::take(&mut self.registered) {
            // SAFETY: owners call this before closing the fd (the contract of `new`),
            // so `self.fd` is still the open fd registered under `self.key`.
            unsafe { self.handle.deregister(self.key, self.fd) };
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.deregister();
    }
}

/// A socket registered with a reactor: the IO object and its [`Registration`].
///
/// Dropping it deregisters first and closes the socket second.
#[derive(Debug)]
pub(crate) struct PollEvented<E: AsRawFd> {
    io: Option<E>,
    registration: Registration,
}

impl<E: AsRawFd> PollEvented<E> {
    /// Registers `io` (which must already be non-blocking) with `handle`'s reactor.
    pub(crate) fn new_with_handle(io: E, interest: Interest, handle: Handle) -> io::Result<Self> {
        // SAFETY: `io` owns the fd and lives in `self.io`; `Drop` and `into_inner`
        // deregister before `io` is dropped or handed out, so the fd stays open until
        // deregistration.
        let registration = unsafe { Registration::new(io.as_raw_fd(), interest, handle)? };
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// The IO object.
    pub(crate) fn io(&self) -> &E {
        match &self.io {
            Some(io) => io,
            None => unreachable!("the IO object is only taken in drop and into_inner"),
        }
    }

    /// The registration.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    /// Deregisters and returns the IO object (still non-blocking).
    pub(crate) fn into_inner(mut self) -> E {
        self.registration.deregister();
        match self.io.take() {
            Some(io) => io,
            None => unreachable!("the IO object is only taken in drop and into_inner"),
        }
    }
}

impl<E: AsRawFd> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            self.registration.deregister();
            drop(io);
        }
    }
}

/// Read/write on a registered stream whose `&E` implements `Read`/`Write`.
impl<E: AsRawFd> PollEvented<E>
where
    for<'a> &'a E: io::Read + io::Write,
{
    /// Reads into `buf`'s unfilled part once readable, straight into memory that may
    /// be uninitialised (no zeroing first). A short read counts as a drained socket
    /// (see [`Registration::poll_read_io`]).
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: `read_uninit` only writes bytes into the slice, never de-initialises
        // one, and reports how many it wrote.
        let unfilled = unsafe { buf.unfilled_mut() };
        let read = ready!(self.poll_read_uninit(cx, unfilled))?;
        // SAFETY: read(2) initialised the first `read` bytes of the unfilled part.
        unsafe { buf.assume_init(read) };
        buf.advance(read);
        Poll::Ready(Ok(()))
    }

    /// Reads into memory that may be uninitialised once readable: a plain `read(2)` on
    /// the descriptor. Returns how many bytes were written at the start of `buf`.
    pub(crate) fn poll_read_uninit(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [std::mem::MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let fd = self.io().as_raw_fd();
        self.registration
            .poll_read_io(cx, len, || read_uninit(fd, buf))
    }

    /// Writes `buf` once writable.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        use std::io::Write;
        self.registration
            .poll_io(cx, Interest::WRITABLE, || (&mut self.io()).write(buf))
    }

    /// Writes the buffers in `bufs` once writable.
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        use std::io::Write;
        self.registration.poll_io(cx, Interest::WRITABLE, || {
            (&mut self.io()).write_vectored(bufs)
        })
    }
}

/// `read(2)` into memory that may be uninitialised; returns how many bytes it wrote at
/// the start of `buf`.
pub(crate) fn read_uninit(fd: RawFd, buf: &mut [std::mem::MaybeUninit<u8>]) -> io::Result<usize> {
    // SAFETY: pointer and length describe `buf`, which we borrow mutably for the call, so
    // nothing else reads or writes it; read(2) only writes into it (at most `buf.len()`
    // bytes) and never reads it, so uninitialised bytes are fine.
    let read = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if read < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(read as usize)
    }
}

/// Sets or clears `O_NONBLOCK` on `fd` (one `fcntl` to read the flags, and one to write
/// them only if they change).
pub(crate) fn set_fd_nonblocking(
    fd: std::os::fd::BorrowedFd<'_>,
    nonblocking: bool,
) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: F_GETFL on an fd the caller borrows, so it is open; no memory is passed.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let wanted = if nonblocking {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    // SAFETY: F_SETFL with an int argument on the same open fd.
    if wanted != flags && unsafe { libc::fcntl(raw, libc::F_SETFL, wanted) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
