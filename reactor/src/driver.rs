//! The IO driver: one `polling::Poller` per runtime, the table of registered sources,
//! and the park call that turns OS events into task wake-ups.
//!
//! Sources live in a slab of `Arc<ScheduledIo>`; the slab key is the poller key, so an
//! event finds its source with one index. A source registers in edge-triggered mode
//! where the backend has it (epoll, kqueue): the kernel reports each readiness change
//! once, the source keeps it in its readiness bits until a syscall says `WouldBlock`,
//! and the hot path never calls `epoll_ctl`. Elsewhere it registers oneshot and the
//! registration re-arms it before a task waits (see `registration`).
//!
//! On Linux, `park` waits on the poller's epoll instance itself, in one syscall, and
//! unparks through an eventfd of its own (see `epoll`): `Poller::wait` would cost five.
//!
//! `park` holds the slab lock while it records a batch of events (it only sets bits
//! and takes wakers, each source's waiter lock nested inside), releases it, and only
//! then wakes the tasks: a woken task that immediately drops its socket cannot deadlock
//! on the slab. A key freed and reused between an event's arrival and its dispatch can
//! give the new source one spurious readiness; the `WouldBlock` path clears it.
//!
//! Shutdown marks every source dead under the slab lock, and registration checks the
//! flag under the same lock, so no source escapes being marked.

use std::fmt;
use std::io;
#[cfg(not(target_os = "linux"))]
use std::num::NonZeroUsize;
use std::os::fd::RawFd;
use std::task::Waker;
use std::time::Duration;

#[cfg(not(target_os = "linux"))]
use polling::Events;
use polling::{Event, PollMode, Poller};
use slab::Slab;

use crate::context::{self, EnterGuard};
use crate::io::{Interest, Ready};
use crate::scheduled_io::{shutdown_error, ScheduledIo};
use spindle_loom_shim::{Arc, AtomicBool, Mutex, Ordering};

/// Events one `park` handles when `set_max_events` was not called (tokio's default).
const DEFAULT_MAX_EVENTS: usize = 1024;

/// State shared by the driver and every handle.
pub(crate) struct Inner {
    /// Declared before `wake`, so the epoll instance closes before the eventfd does.
    poller: Poller,
    /// Linux: the eventfd that ends a wait (see `epoll`); elsewhere `Poller::notify`.
    #[cfg(target_os = "linux")]
    wake: crate::epoll::Wake,
    sources: Mutex<Slab<Arc<ScheduledIo>>>,
    is_shutdown: AtomicBool,
    /// Whether sources register edge-triggered (else oneshot, re-armed before a wait).
    edge_triggered: bool,
}

/// The IO driver of one runtime: owns the poller side and parks in it.
///
/// The executor makes one per runtime, gives [`Handle`]s to its threads, and has the
/// worker that parks call [`Driver::park`]. Dropping the driver shuts it down.
pub struct Driver {
    inner: Arc<Inner>,
    #[cfg(target_os = "linux")]
    events: Vec<libc::epoll_event>,
    #[cfg(not(target_os = "linux"))]
    events: Events,
    wakers: Vec<Waker>,
}

/// A cheap, clonable reference to a runtime's IO driver; sockets register through it.
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Inner>,
}

impl Driver {
    /// Creates a driver with its own poller (an epoll or kqueue instance).
    ///
    /// Fails when the OS refuses a new poller (for example the fd table is full).
    pub fn new() -> io::Result<Driver> {
        let poller = Poller::new()?;
        let edge_triggered = poller.supports_edge();
        #[cfg(target_os = "linux")]
        let wake = crate::epoll::Wake::new(&poller)?;
        Ok(Driver {
            inner: Arc::new(Inner {
                poller,
                #[cfg(target_os = "linux")]
                wake,
                sources: Mutex::new(Slab::new()),
                is_shutdown: AtomicBool::new(false),
                edge_triggered,
            }),
            events: new_events(DEFAULT_MAX_EVENTS),
            wakers: Vec::new(),
        })
    }

    /// A handle to this driver, for registering sockets and unparking.
    pub fn handle(&self) -> Handle {
        Handle {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Sets how many events one [`park`](Driver::park) takes from the OS at most
    /// (`Builder::max_io_events_per_tick`). Events beyond it stay queued in the kernel
    /// for the next park. Zero is treated as one.
    pub fn set_max_events(&mut self, n: usize) {
        self.events = new_events(n);
    }

    /// Blocks in the poller for at most `timeout` (`None`: until an event or
    /// [`Handle::unpark`]; `Some(Duration::ZERO)`: just look), records the readiness of
    /// the sources that had events, and wakes their tasks after releasing every lock.
    ///
    /// Returns the number of IO events dispatched (unparks are not counted). An error
    /// from the poller (other than an interrupted wait) is treated as zero events: the
    /// caller's loop retries on its next park.
    pub fn park(&mut self, timeout: Option<Duration>) -> usize {
        let mut dispatched = 0;
        #[cfg(target_os = "linux")]
        {
            if crate::epoll::wait(&self.inner.poller, &mut self.events, timeout).is_err() {
                return 0;
            }
            let sources = self.inner.sources.lock();
            for event in &self.events {
                let event = crate::epoll::decode(event);
                if let Some(source) = sources.get(event.key) {
                    let mut ready = ready_of(event.readable, event.writable, event.interrupted);
                    if event.read_closed {
                        ready |= Ready::READ_CLOSED;
                    }
                    if event.error {
                        ready |= Ready::ERROR;
                    }
                    if event.priority {
                        ready |= Ready::PRIORITY;
                    }
                    source.dispatch(ready, &mut self.wakers);
                    dispatched += 1;
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.events.clear();
            if self.inner.poller.wait(&mut self.events, timeout).is_err() {
                return 0;
            }
            let sources = self.inner.sources.lock();
            for event in self.events.iter() {
                if let Some(source) = sources.get(event.key) {
                    let ready = ready_of(event.readable, event.writable, event.is_interrupt());
                    source.dispatch(ready, &mut self.wakers);
                    dispatched += 1;
                }
            }
        }
        for waker in self.wakers.drain(..) {
            waker.wake();
        }
        dispatched
    }

    /// Shuts the reactor down: marks every registration dead and wakes all their tasks.
    /// Afterwards every IO operation on a socket of this reactor, and every new
    /// registration, returns an `io::Error` saying the runtime was shut down.
    /// Idempotent; dropping the driver calls it.
    pub fn shutdown(&self) {
        self.inner.shutdown();
        // A thread parked in the poller (another driver user) should notice promptly.
        self.inner.notify();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("max_events", &self.events.capacity())
            .field("edge_triggered", &self.inner.edge_triggered)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// Ends the current or next wait on the poller.
    fn notify(&self) {
        #[cfg(target_os = "linux")]
        self.wake.wake();
        // notify only fails if the poller's wake-up fd is broken; a lost unpark then
        // costs a delayed wake-up, not correctness, and there is no caller to tell.
        #[cfg(not(target_os = "linux"))]
        let _ = self.poller.notify();
    }

    fn shutdown(&self) {
        let mut wakers = Vec::new();
        {
            let sources = self.sources.lock();
            self.is_shutdown.store(true, Ordering::Release);
            for (_, source) in sources.iter() {
                source.shutdown(&mut wakers);
            }
        }
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl Handle {
    /// Wakes the thread parked in [`Driver::park`] (or makes its next park return at
    /// once if none is parked).
    pub fn unpark(&self) {
        self.inner.notify();
    }

    /// The handle of the runtime this thread is in.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled, with a message saying how to enter one. Use
    /// [`Handle::try_current`] to test instead.
    #[track_caller]
    pub fn current() -> Handle {
        context::current_for("spindle IO (a socket or AsyncFd)")
    }

    /// The handle of the runtime this thread is in, or `None` outside one.
    pub fn try_current() -> Option<Handle> {
        context::current()
    }

    /// Makes this handle current on this thread until the guard drops; nestable.
    pub fn enter(&self) -> EnterGuard {
        context::enter(self.clone())
    }

    /// Whether both handles belong to the same driver.
    pub fn ptr_eq(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Whether the driver has shut down.
    pub fn is_shutdown(&self) -> bool {
        self.inner.is_shutdown.load(Ordering::Acquire)
    }

    /// The number of sources registered right now (for metrics and leak tests).
    pub fn registered_sources(&self) -> usize {
        self.inner.sources.lock().len()
    }

    /// Registers `fd` for `interest`; returns its key and shared readiness state.
    ///
    /// # Safety
    ///
    /// `fd` must stay open until [`Handle::deregister`] has been called with the key.
    pub(crate) unsafe fn register(
        &self,
        fd: RawFd,
        interest: Interest,
    ) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let source = Arc::new(ScheduledIo::new());
        let key = {
            let mut sources = self.inner.sources.lock();
            if self.is_shutdown() {
                return Err(shutdown_error());
            }
            sources.insert(Arc::clone(&source))
        };
        // SAFETY (both): the caller promises `fd` stays open until `deregister(key, fd)`,
        // which deletes it from the poller first.
        #[cfg(target_os = "linux")]
        let added = unsafe { crate::epoll::add(&self.inner.poller, fd, key, interest) };
        #[cfg(not(target_os = "linux"))]
        let added = unsafe {
            self.inner
                .poller
                .add_with_mode(fd, event_for(key, interest), self.mode())
        };
        if let Err(err) = added {
            self.inner.sources.lock().remove(key);
            return Err(err);
        }
        Ok((key, source))
    }

    /// Oneshot backends only: arms `fd` again for `interest` before a task waits.
    pub(crate) fn rearm(&self, key: usize, fd: RawFd, interest: Interest) -> io::Result<()> {
        if self.inner.edge_triggered {
            return Ok(());
        }
        // SAFETY: a registration only re-arms the fd it registered, which its owner
        // keeps open until it deregisters.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        self.inner
            .poller
            .modify_with_mode(fd, event_for(key, interest), PollMode::Oneshot)
    }

    /// Removes `fd` from the poller and its state from the table.
    ///
    /// # Safety
    ///
    /// `fd` must still be open (it is the fd registered under `key`).
    pub(crate) unsafe fn deregister(&self, key: usize, fd: RawFd) {
        // SAFETY: the caller promises `fd` is the still-open fd registered under `key`.
        let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        // Fails only if the fd was never added or the poller is gone: nothing to undo.
        let _ = self.inner.poller.delete(borrowed);
        let mut sources = self.inner.sources.lock();
        if sources.contains(key) {
            sources.remove(key);
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn mode(&self) -> PollMode {
        if self.inner.edge_triggered {
            PollMode::Edge
        } else {
            PollMode::Oneshot
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("is_shutdown", &self.is_shutdown())
            .finish_non_exhaustive()
    }
}

fn event_for(key: usize, interest: Interest) -> Event {
    Event::new(key, interest.is_readable(), interest.is_writable())
}

fn ready_of(readable: bool, writable: bool, interrupted: bool) -> Ready {
    let mut ready = Ready::EMPTY;
    if readable {
        ready |= Ready::READABLE;
    }
    if writable {
        ready |= Ready::WRITABLE;
    }
    if interrupted {
        ready |= Ready::READ_CLOSED | Ready::WRITE_CLOSED;
    }
    ready
}

/// Room for `n` events a park (at least one).
#[cfg(target_os = "linux")]
fn new_events(n: usize) -> Vec<libc::epoll_event> {
    Vec::with_capacity(n.max(1))
}

/// Room for `n` events a park (at least one).
#[cfg(not(target_os = "linux"))]
fn new_events(n: usize) -> Events {
    Events::with_capacity(non_zero(n))
}

#[cfg(not(target_os = "linux"))]
fn non_zero(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}
