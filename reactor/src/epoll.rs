//! Linux only: waiting on the poller's epoll instance in one syscall.
//!
//! `polling::Poller::wait` on epoll costs five syscalls per call: it arms its timerfd
//! (`timerfd_settime` and an `epoll_ctl`), waits, then drains and re-arms its own
//! notifier (`read` and another `epoll_ctl`), whether or not a notify came. A runtime
//! parks in the reactor once per wake-up, so that is most of the syscalls of a
//! request/response over loopback. Here the driver keeps `polling` for registration
//! (`add`/`modify`/`delete` are one `epoll_ctl` each, as they should be) and waits on
//! the same epoll instance itself:
//!
//! - the wait is one `epoll_pwait2`, whose timeout is a `timespec` (nanoseconds, so
//!   sub-millisecond timers still fire on time, as with polling's timerfd). Kernels
//!   before 5.11 (or a seccomp filter that refuses it) get `epoll_wait` with the
//!   timeout rounded *up* to whole milliseconds: a timer may fire late, never early;
//! - a thread's first timed wait sets its timer slack to 1 ns (`PR_SET_TIMERSLACK`,
//!   once per thread): by default the kernel may end a timed wait up to 50 µs late to
//!   batch wake-ups (a timerfd is exempt, which is how `polling` stays exact). This
//!   also tightens the thread's other timed sleeps; the threads that park in the
//!   reactor are the runtime's workers and `block_on` callers;
//! - an unpark is one `write` to an eventfd of our own, registered edge-triggered: every
//!   write raises a new edge, so it never needs draining (its counter would need 2^64
//!   unparks to fill; a full counter is drained and written again).
//!
//! `polling`'s own notifier and timerfd stay registered but never fire: nothing calls
//! `Poller::notify`, and its timerfd is only armed by `Poller::wait`, which is not used.
//!
//! Sources are added here too ([`add`], one `epoll_ctl` as with `polling`), with one
//! flag `polling` cannot set: `EPOLLRDHUP` on readable interest. With it, the peer's
//! FIN raises an edge of its own and decodes as `READ_CLOSED`, which is never cleared;
//! so a read that returns less than the buffer may take the socket as drained and
//! clear `READABLE` without another `read` to see `EAGAIN` (tokio does the same): a FIN
//! that came with that data is still on record as `READ_CLOSED`, and one that comes
//! later raises a new edge. `polling` still modifies and deletes.

use std::cell::Cell;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use polling::{Event, PollMode, Poller};

/// The poller key of the unpark eventfd. Sources use slab keys (small integers);
/// `polling` keeps `usize::MAX` for its own notifier.
pub(crate) const WAKE_KEY: usize = usize::MAX - 1;

/// Set once `epoll_pwait2` was refused; later waits go straight to `epoll_wait`.
static NO_PWAIT2: AtomicBool = AtomicBool::new(false);

/// The eventfd that ends a wait.
#[derive(Debug)]
pub(crate) struct Wake {
    fd: OwnedFd,
}

impl Wake {
    /// Creates the eventfd and registers it with `poller`, edge-triggered.
    ///
    /// The owner must drop `poller` before this `Wake` (so the epoll instance, and with
    /// it the registration, is gone before the eventfd is closed).
    pub(crate) fn new(poller: &Poller) -> io::Result<Wake> {
        // SAFETY: eventfd takes no pointers; a negative return is an error.
        let raw = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: the fd stays open for as long as the poller lives: the owner drops
        // the poller (closing the epoll instance, which removes the registration)
        // before this `Wake` closes the fd.
        unsafe { poller.add_with_mode(raw, Event::readable(WAKE_KEY), PollMode::Edge)? };
        Ok(Wake { fd })
    }

    /// Ends the current (or next) wait on the poller.
    pub(crate) fn wake(&self) {
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a live u64 to an fd we own.
            let written = unsafe {
                libc::write(
                    self.fd.as_raw_fd(),
                    (&one as *const u64).cast(),
                    std::mem::size_of::<u64>(),
                )
            };
            if written >= 0 {
                return;
            }
            match io::Error::last_os_error().kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => {
                    // The counter is full (2^64 - 2 unparks): drain it and write again.
                    let mut drained: u64 = 0;
                    // SAFETY: reads 8 bytes into a live u64 from an fd we own.
                    unsafe {
                        libc::read(
                            self.fd.as_raw_fd(),
                            (&mut drained as *mut u64).cast(),
                            std::mem::size_of::<u64>(),
                        )
                    };
                }
                // A broken eventfd: the unpark is lost and the waiter wakes at its next
                // timeout or event instead; there is no caller to report to.
                _ => return,
            }
        }
    }
}

/// Waits on `poller`'s epoll instance for at most `timeout` (`None`: no limit), filling
/// `events` (its capacity is the most taken at once). An interrupted wait returns with
/// no events.
pub(crate) fn wait(
    poller: &Poller,
    events: &mut Vec<libc::epoll_event>,
    timeout: Option<Duration>,
) -> io::Result<()> {
    events.clear();
    let epfd = poller.as_raw_fd();
    let max = i32::try_from(events.capacity()).unwrap_or(i32::MAX).max(1);
    let mut returned = -1;
    if timeout.is_some_and(|timeout| !timeout.is_zero()) {
        exact_timer_slack();
    }
    if !NO_PWAIT2.load(Ordering::Relaxed) {
        returned = pwait2(epfd, events, max, timeout);
        if returned < 0 {
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::ENOSYS) | Some(libc::EPERM) => {
                    NO_PWAIT2.store(true, Ordering::Relaxed);
                }
                Some(libc::EINTR) => return Ok(()),
                _ => return Err(err),
            }
        }
    }
    if returned < 0 {
        let millis = timeout.map_or(-1, round_up_millis);
        // SAFETY: `events` has room for `max` entries, which the kernel fills from the
        // start; the length is set below to what it reported.
        returned = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), max, millis) };
        if returned < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                return Ok(());
            }
            return Err(err);
        }
    }
    // SAFETY: the kernel initialised the first `returned` (<= max <= capacity) entries.
    unsafe { events.set_len(returned as usize) };
    Ok(())
}

/// Sets this thread's timer slack to 1 ns, once per thread (see the module docs).
fn exact_timer_slack() {
    thread_local! {
        static DONE: Cell<bool> = const { Cell::new(false) };
    }
    DONE.with(|done| {
        if !done.replace(true) {
            // SAFETY: PR_SET_TIMERSLACK takes an integer and touches no memory. A
            // failure leaves the default slack: timers fire up to 50 µs later.
            unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
        }
    });
}

fn pwait2(
    epfd: RawFd,
    events: &mut Vec<libc::epoll_event>,
    max: i32,
    timeout: Option<Duration>,
) -> i32 {
    let spec = timeout.map(|timeout| libc::timespec {
        tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: timeout.subsec_nanos().into(),
    });
    let spec_ptr = spec
        .as_ref()
        .map_or(std::ptr::null(), |spec| spec as *const libc::timespec);
    // SAFETY: `events` has room for `max` entries; `spec_ptr` is null or points at a
    // live timespec; a null sigmask with size 0 leaves the signal mask alone.
    let returned = unsafe {
        libc::syscall(
            libc::SYS_epoll_pwait2,
            epfd,
            events.as_mut_ptr(),
            max,
            spec_ptr,
            std::ptr::null::<libc::sigset_t>(),
            0usize,
        )
    };
    returned as i32
}

/// `timeout` in whole milliseconds, rounded up (a sleep must not end early), capped at
/// `i32::MAX`.
fn round_up_millis(timeout: Duration) -> i32 {
    let nanos = timeout.as_nanos();
    let millis = nanos.div_ceil(1_000_000);
    i32::try_from(millis).unwrap_or(i32::MAX)
}

/// Adds `fd` to `poller`'s epoll instance under `key`, edge-triggered, with the flags
/// `polling` would use plus `EPOLLRDHUP` on readable interest (see the module docs), and
/// `EPOLLPRI` for priority interest (errors are always reported).
///
/// # Safety
///
/// `fd` must stay open until it is deleted from the poller.
pub(crate) unsafe fn add(
    poller: &Poller,
    fd: RawFd,
    key: usize,
    interest: crate::io::Interest,
) -> io::Result<()> {
    let mut flags = libc::EPOLLET | libc::EPOLLERR;
    if interest.is_readable() {
        flags |=
            libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI;
    }
    if interest.is_writable() {
        flags |= libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR;
    }
    if interest.is_priority() {
        flags |= libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLHUP;
    }
    let mut event = libc::epoll_event {
        events: flags as u32,
        u64: key as u64,
    };
    // SAFETY: the poller's epoll fd is open while `poller` is borrowed; `event` is a
    // valid epoll_event for the call; the caller keeps `fd` open until it is deleted.
    let added = unsafe { libc::epoll_ctl(poller.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) };
    if added < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// What one epoll event says about its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub(crate) key: usize,
    /// `IN | HUP | ERR | PRI`, as `polling` decodes readable, or `RDHUP`.
    pub(crate) readable: bool,
    /// `OUT | HUP | ERR`.
    pub(crate) writable: bool,
    /// `HUP`: both directions are closed.
    pub(crate) interrupted: bool,
    /// `RDHUP`: the peer shut down its writing side; reads end at EOF.
    pub(crate) read_closed: bool,
    /// `ERR`: an error is pending on the source.
    pub(crate) error: bool,
    /// `PRI`: priority (out-of-band) data can be read.
    pub(crate) priority: bool,
}

/// Decodes one epoll event.
pub(crate) fn decode(event: &libc::epoll_event) -> Decoded {
    // Copies out of the (on x86_64 packed) struct; no reference to a field is taken.
    let flags = event.events as libc::c_int;
    let key = event.u64 as usize;
    let read_closed = flags & libc::EPOLLRDHUP != 0;
    Decoded {
        key,
        readable: read_closed
            || flags & (libc::EPOLLIN | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI) != 0,
        writable: flags & (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) != 0,
        interrupted: flags & libc::EPOLLHUP != 0,
        read_closed,
        error: flags & libc::EPOLLERR != 0,
        priority: flags & libc::EPOLLPRI != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_whole_milliseconds() {
        assert_eq!(round_up_millis(Duration::ZERO), 0);
        assert_eq!(round_up_millis(Duration::from_nanos(1)), 1);
        assert_eq!(round_up_millis(Duration::from_micros(1_000)), 1);
        assert_eq!(round_up_millis(Duration::from_micros(1_001)), 2);
        assert_eq!(round_up_millis(Duration::from_secs(u64::MAX)), i32::MAX);
    }

    #[test]
    fn a_wake_ends_a_wait_and_needs_no_draining() {
        let poller = Poller::new().unwrap();
        let wake = Wake::new(&poller).unwrap();
        let mut events = Vec::with_capacity(8);
        for _ in 0..3 {
            wake.wake();
            wait(&poller, &mut events, None).unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(decode(&events[0]).key, WAKE_KEY);
            // Edge-triggered: no new write, no new event.
            wait(&poller, &mut events, Some(Duration::ZERO)).unwrap();
            assert!(events.is_empty());
        }
    }

    #[test]
    fn a_timed_wait_does_not_end_early() {
        let poller = Poller::new().unwrap();
        let mut events = Vec::with_capacity(8);
        let start = std::time::Instant::now();
        wait(&poller, &mut events, Some(Duration::from_micros(1_500))).unwrap();
        assert!(start.elapsed() >= Duration::from_micros(1_500));
        assert!(events.is_empty());
    }
}
