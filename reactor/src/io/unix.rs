//! [`AsyncFd`]: readiness for any file descriptor, for IO types this crate does not
//! wrap (pipes, terminals, eventfds, sockets from other libraries).
//!
//! The fd is registered with the reactor (edge-triggered where available) and the
//! caller does the IO itself: wait for a ready guard, try the non-blocking syscall,
//! and on `WouldBlock` clear the guard's readiness so the next wait sleeps until a new
//! event. The guard's [`try_io`](AsyncFdReadyGuard::try_io) does that clearing for you.
//! The fd must be in non-blocking mode; `AsyncFd` never changes it.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{ready, Context, Poll};

use crate::context;
use crate::io::{Interest, Ready};
use crate::registration::Registration;
use crate::scheduled_io::ReadyEvent;

/// An fd registered with the reactor: wait for readiness, then do non-blocking IO on it.
///
/// Dropping the `AsyncFd` deregisters the fd and then drops the inner value (which
/// usually closes the fd); [`into_inner`](AsyncFd::into_inner) deregisters and hands the
/// value back.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use spindle_reactor::io::unix::AsyncFd;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let (reader, mut writer) = UnixStream::pair()?;
/// reader.set_nonblocking(true)?;
/// let reader = AsyncFd::new(reader)?;
/// writer.write_all(b"ping")?;
///
/// let mut buf = [0; 4];
/// let len = loop {
///     let mut guard = reader.readable().await?;
///     match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///         Ok(result) => break result?,
///         Err(_would_block) => continue, // readiness cleared; wait again
///     }
/// };
/// assert_eq!(&buf[..len], b"ping");
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct AsyncFd<T: AsRawFd> {
    inner: Option<T>,
    registration: Registration,
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner`'s fd for both readability and writability.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner`'s fd for `interest` only.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        AsyncFd::register_for(inner, interest, "spindle::io::unix::AsyncFd::with_interest")
            .map_err(io::Error::from)
    }

    /// Like [`new`](AsyncFd::new), but a failed registration hands `inner` back in the
    /// error ([`AsyncFdTryNewError::into_parts`]).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn try_new(inner: T) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        AsyncFd::register_for(
            inner,
            Interest::READABLE | Interest::WRITABLE,
            "spindle::io::unix::AsyncFd::try_new",
        )
    }

    /// Like [`with_interest`](AsyncFd::with_interest), but a failed registration hands
    /// `inner` back in the error.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn try_with_interest(
        inner: T,
        interest: Interest,
    ) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        AsyncFd::register_for(
            inner,
            interest,
            "spindle::io::unix::AsyncFd::try_with_interest",
        )
    }

    /// Registers `inner`'s fd for readability and writability; a failed registration
    /// hands `inner` back in the error.
    ///
    /// # Safety
    ///
    /// `inner.as_raw_fd()` must return an open fd, the same one every time, and the fd
    /// must stay open for as long as the `AsyncFd` lives (tokio's I/O-safety contract).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub unsafe fn register(inner: T) -> Result<AsyncFd<T>, AsyncFdRegisterError<T>> {
        AsyncFd::register_for(
            inner,
            Interest::READABLE | Interest::WRITABLE,
            "spindle::io::unix::AsyncFd::register",
        )
    }

    /// Like [`register`](AsyncFd::register), for `interest` only.
    ///
    /// # Safety
    ///
    /// As for [`register`](AsyncFd::register).
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub unsafe fn register_with_interest(
        inner: T,
        interest: Interest,
    ) -> Result<AsyncFd<T>, AsyncFdRegisterError<T>> {
        AsyncFd::register_for(
            inner,
            interest,
            "spindle::io::unix::AsyncFd::register_with_interest",
        )
    }

    #[track_caller]
    fn register_for(
        inner: T,
        interest: Interest,
        call: &'static str,
    ) -> Result<AsyncFd<T>, AsyncFdRegisterError<T>> {
        let handle = context::current_for(call);
        // SAFETY: `inner` owns (or at least keeps open) the fd and is stored in
        // `self.inner`; `Drop` and `into_inner` deregister before `inner` is dropped or
        // handed out, so the fd is open for as long as it is registered.
        match unsafe { Registration::new(inner.as_raw_fd(), interest, handle) } {
            Ok(registration) => Ok(AsyncFd {
                inner: Some(inner),
                registration,
            }),
            Err(cause) => Err(AsyncFdRegisterError { inner, cause }),
        }
    }

    /// The inner value.
    pub fn get_ref(&self) -> &T {
        match &self.inner {
            Some(inner) => inner,
            None => unreachable!("the inner value is only taken in drop and into_inner"),
        }
    }

    /// The inner value, mutably. Do not replace its fd: the registration is for the
    /// fd it had when it was registered.
    pub fn get_mut(&mut self) -> &mut T {
        match &mut self.inner {
            Some(inner) => inner,
            None => unreachable!("the inner value is only taken in drop and into_inner"),
        }
    }

    /// Deregisters the fd and returns the inner value.
    pub fn into_inner(mut self) -> T {
        self.registration.deregister();
        match self.inner.take() {
            Some(inner) => inner,
            None => unreachable!("the inner value is only taken in drop and into_inner"),
        }
    }

    /// Waits until the fd is readable; the guard says what is ready and clears it.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until the fd is writable.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until the fd is ready for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// Like [`readable`](AsyncFd::readable), with a guard that gives `&mut T`.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Like [`writable`](AsyncFd::writable), with a guard that gives `&mut T`.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Like [`ready`](AsyncFd::ready), with a guard that gives `&mut T`.
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// Polls for read readiness; only the last task to poll is woken.
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::READABLE))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Polls for write readiness; only the last task to poll is woken.
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::WRITABLE))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Like [`poll_read_ready`](AsyncFd::poll_read_ready), with a guard that gives
    /// `&mut T`.
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::READABLE))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Like [`poll_write_ready`](AsyncFd::poll_write_ready), with a guard that gives
    /// `&mut T`.
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::WRITABLE))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Like [`async_io`](AsyncFd::async_io), with `&mut T` for `op`.
    pub async fn async_io_mut<R>(
        &mut self,
        interest: Interest,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let AsyncFd {
            inner,
            registration,
        } = self;
        let inner = match inner {
            Some(inner) => inner,
            None => unreachable!("the inner value is only taken in drop and into_inner"),
        };
        registration.async_io(interest, || op(inner)).await
    }

    /// Like [`try_io`](AsyncFd::try_io), with `&mut T` for `op`.
    pub fn try_io_mut<R>(
        &mut self,
        interest: Interest,
        op: impl FnOnce(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let AsyncFd {
            inner,
            registration,
        } = self;
        let inner = match inner {
            Some(inner) => inner,
            None => unreachable!("the inner value is only taken in drop and into_inner"),
        };
        registration.try_io(interest, || op(inner))
    }

    /// Waits for `interest` and runs the non-blocking `op` on the inner value until it
    /// does not return `WouldBlock`.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let inner = self.get_ref();
        self.registration.async_io(interest, || op(inner)).await
    }

    /// Runs `op` if the fd looks ready for `interest` (else `WouldBlock`), clearing the
    /// readiness if `op` returns `WouldBlock`.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let inner = self.get_ref();
        self.registration.try_io(interest, || op(inner))
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd> std::os::fd::AsFd for AsyncFd<T> {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        // SAFETY: the fd is registered, and the registration contract (safe
        // constructors: `inner` keeps it open; `register`: the caller promised it) keeps
        // it open for as long as `self` lives, which bounds the borrow.
        unsafe { std::os::fd::BorrowedFd::borrow_raw(self.as_raw_fd()) }
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<T: AsRawFd> Drop for AsyncFd<T> {
    fn drop(&mut self) {
        // Deregister while the fd is still open; `inner` drops after this body.
        self.registration.deregister();
    }
}

/// The error of [`AsyncFd::register`] (and `try_new`, `try_with_interest`): the value
/// that could not be registered, and why.
pub struct AsyncFdRegisterError<T> {
    inner: T,
    cause: io::Error,
}

/// The error of [`AsyncFd::try_new`] and [`AsyncFd::try_with_interest`] (tokio's older
/// name for [`AsyncFdRegisterError`]).
pub type AsyncFdTryNewError<T> = AsyncFdRegisterError<T>;

impl<T> AsyncFdRegisterError<T> {
    /// The value that was not registered, and the registration error.
    pub fn into_parts(self) -> (T, io::Error) {
        (self.inner, self.cause)
    }
}

impl<T> fmt::Display for AsyncFdRegisterError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not register the fd with the reactor: {}",
            self.cause
        )
    }
}

impl<T> fmt::Debug for AsyncFdRegisterError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdRegisterError")
            .field("cause", &self.cause)
            .finish_non_exhaustive()
    }
}

impl<T> std::error::Error for AsyncFdRegisterError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

impl<T> From<AsyncFdRegisterError<T>> for io::Error {
    fn from(error: AsyncFdRegisterError<T>) -> io::Error {
        error.cause
    }
}

/// The error of [`AsyncFdReadyGuard::try_io`] when the operation would block: the
/// readiness was cleared, wait for it again.
#[derive(Debug)]
pub struct TryIoError(());

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation would block; wait for readiness again")
    }
}

impl std::error::Error for TryIoError {}

/// Readiness of an [`AsyncFd`], returned by `readable`/`writable`/`ready`.
///
/// Dropping the guard keeps the readiness (the next wait returns at once); after a
/// syscall returned `WouldBlock`, call [`clear_ready`](Self::clear_ready) (or use
/// [`try_io`](Self::try_io), which does) so the next wait sleeps until a new event.
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    async_fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    /// What was ready when the guard was made.
    pub fn ready(&self) -> Ready {
        self.event.map_or(Ready::EMPTY, |event| event.ready)
    }

    /// Forgets the readiness, unless an event arrived since the guard was made.
    pub fn clear_ready(&mut self) {
        if let Some(event) = self.event.take() {
            self.async_fd.registration.clear_readiness(event);
        }
    }

    /// Forgets only the readiness in `ready` (for example only `Ready::WRITABLE`); the
    /// guard's [`ready`](Self::ready) no longer reports it.
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        if let Some(event) = &mut self.event {
            let mut cleared = *event;
            cleared.ready = event.ready.intersection(ready);
            self.async_fd.registration.clear_readiness(cleared);
            event.ready = event.ready - ready;
        }
    }

    /// Keeps the readiness (what dropping the guard does anyway).
    pub fn retain_ready(&mut self) {
        self.event = None;
    }

    /// Runs `op`; if it returns `WouldBlock`, clears the readiness and returns
    /// `Err(TryIoError)`, otherwise returns `Ok` with its result.
    pub fn try_io<R>(
        &mut self,
        op: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match op(self.async_fd) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// The `AsyncFd`.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.async_fd
    }

    /// The inner value.
    pub fn get_inner(&self) -> &'a T {
        self.async_fd.get_ref()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("ready", &self.ready())
            .finish_non_exhaustive()
    }
}

/// Like [`AsyncFdReadyGuard`], with mutable access to the inner value.
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    async_fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
}

impl<T: AsRawFd> AsyncFdReadyMutGuard<'_, T> {
    /// What was ready when the guard was made.
    pub fn ready(&self) -> Ready {
        self.event.map_or(Ready::EMPTY, |event| event.ready)
    }

    /// Forgets the readiness, unless an event arrived since the guard was made.
    pub fn clear_ready(&mut self) {
        if let Some(event) = self.event.take() {
            self.async_fd.registration.clear_readiness(event);
        }
    }

    /// Forgets only the readiness in `ready`.
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        if let Some(event) = &mut self.event {
            let mut cleared = *event;
            cleared.ready = event.ready.intersection(ready);
            self.async_fd.registration.clear_readiness(cleared);
            event.ready = event.ready - ready;
        }
    }

    /// Keeps the readiness (what dropping the guard does anyway).
    pub fn retain_ready(&mut self) {
        self.event = None;
    }

    /// Runs `op` with `&mut AsyncFd`; on `WouldBlock` clears the readiness and returns
    /// `Err(TryIoError)`.
    pub fn try_io<R>(
        &mut self,
        op: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match op(self.async_fd) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// The `AsyncFd`.
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.async_fd
    }

    /// The `AsyncFd`, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.async_fd
    }

    /// The inner value.
    pub fn get_inner(&self) -> &T {
        self.async_fd.get_ref()
    }

    /// The inner value, mutably.
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.async_fd.get_mut()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("ready", &self.ready())
            .finish_non_exhaustive()
    }
}
