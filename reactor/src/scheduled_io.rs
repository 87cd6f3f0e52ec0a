//! The readiness state of one registered source, shared by the driver and the IO
//! object: the readiness-tick protocol.
//!
//! One atomic word holds everything a poll needs without a lock:
//!
//! ```text
//! bits 0..6   Ready (READABLE, WRITABLE, READ_CLOSED, WRITE_CLOSED, ERROR, PRIORITY)
//! bit  8      SHUTDOWN: the driver shut down; every poll now fails
//! bits 16..32 tick: bumped by every event the driver dispatches to this source
//! ```
//!
//! Edge-triggered registration reports each readiness change once, so the reactor
//! must remember it until the IO object sees `WouldBlock`. The object then clears the
//! bit, but only if the tick is still the one it read the readiness at: an edge that
//! arrived between the `WouldBlock` and the clear bumped the tick, the clear is skipped,
//! and the next poll retries the syscall instead of sleeping through the edge. Closed
//! bits are never cleared: a hang-up is final.
//!
//! Wakers live in two slots, reader and writer, under a mutex. The driver publishes the
//! readiness first and takes the wakers under the lock second; a poll that finds no
//! readiness stores its waker under the lock and then re-reads the readiness before it
//! returns `Pending`. Either the driver's lock section comes first, and the re-read sees
//! its readiness, or the poll's does, and the driver finds the waker: no wake-up is
//! lost. Wakers are handed back to the caller to wake after every lock is released.
//!
//! The `poll_*` methods (`AsyncRead`, `AsyncWrite`, `poll_read_ready`) use one slot per
//! direction, so one task at a time polls to read and one to write (as with tokio's);
//! the split halves use one direction each. The `async` operations (`accept`,
//! `recv_from`, `readable`, ...) wait in a list instead ([`Readiness`]), so any number
//! of tasks can wait on one socket.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use slab::Slab;

use crate::io::{Interest, Ready};
use spindle_loom_shim::{replace_waker, AtomicUsize, Mutex, Ordering};

const READY_MASK: usize = 0b11_1111;
const SHUTDOWN: usize = 1 << 8;
const TICK_SHIFT: u32 = 16;
const TICK_MASK: usize = 0xffff << TICK_SHIFT;

/// The error every IO operation returns once the reactor its source was registered
/// with has shut down.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other(
        "the runtime that owned this socket was shut down, so its IO driver is gone: \
         keep the runtime alive while its sockets are in use, or create the socket inside \
         the runtime that uses it",
    )
}

/// A readiness snapshot: what was ready, and the tick it was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadyEvent {
    pub(crate) ready: Ready,
    pub(crate) tick: u16,
}

/// The reader and writer waker slots, and the list of `readiness` futures.
#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// Futures of [`ScheduledIo::readiness`]: each waits for its own interest, so any
    /// number of tasks can wait on one source (an accept loop per task, a shared UDP
    /// socket). A woken entry keeps its place with `None` until its future re-polls,
    /// and then resolves even if the readiness was cleared in between.
    list: Slab<(Interest, Option<Waker>)>,
}

/// Readiness bits, tick and waker slots of one source.
#[derive(Debug)]
pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl Default for ScheduledIo {
    fn default() -> Self {
        ScheduledIo::new()
    }
}

fn tick_of(word: usize) -> u16 {
    ((word & TICK_MASK) >> TICK_SHIFT) as u16
}

impl ScheduledIo {
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Driver side: records `ready` and bumps the tick, then moves the wakers that
    /// `ready` satisfies into `wakers` for the caller to wake once its locks are free.
    pub(crate) fn dispatch(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut current = self.readiness.load(Ordering::Acquire);
        loop {
            let tick = tick_of(current).wrapping_add(1);
            let next = (current & (READY_MASK | SHUTDOWN))
                | ready.as_usize()
                | ((tick as usize) << TICK_SHIFT);
            match self.readiness.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let mut waiters = self.waiters.lock();
        if !ready.intersection(Interest::READABLE.mask()).is_empty() {
            wakers.extend(waiters.reader.take());
        }
        if !ready.intersection(Interest::WRITABLE.mask()).is_empty() {
            wakers.extend(waiters.writer.take());
        }
        for (_, (interest, waker)) in waiters.list.iter_mut() {
            if !ready.intersection(interest.mask()).is_empty() {
                wakers.extend(waker.take());
            }
        }
    }

    /// Driver side, at shutdown: marks the source dead and hands back every waker.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, Ordering::AcqRel);
        let mut waiters = self.waiters.lock();
        wakers.extend(waiters.reader.take());
        wakers.extend(waiters.writer.take());
        for (_, (_, waker)) in waiters.list.iter_mut() {
            wakers.extend(waker.take());
        }
    }

    /// Object side: marks `ready` as seen without an event from the driver, for a
    /// source whose state is known at creation (an accepted socket, a fresh pair).
    /// The tick is left alone, so a `WouldBlock` clears a wrong guess as usual; after
    /// shutdown it does nothing.
    pub(crate) fn assume_ready(&self, ready: Ready) {
        let mut current = self.readiness.load(Ordering::Acquire);
        while current & SHUTDOWN == 0 {
            match self.readiness.compare_exchange_weak(
                current,
                current | ready.as_usize(),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// The readiness for `interest` right now, without registering a waker.
    pub(crate) fn ready_now(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let word = self.readiness.load(Ordering::Acquire);
        if word & SHUTDOWN != 0 {
            return Err(shutdown_error());
        }
        Ok(ReadyEvent {
            ready: Ready::from_usize(word).intersection(interest.mask()),
            tick: tick_of(word),
        })
    }

    /// Object side: ready (or shut down) now, or the task's waker is stored in the
    /// slot(s) of `interest` and `Pending` is returned.
    pub(crate) fn poll_readiness(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        let event = self.ready_now(interest)?;
        if !event.ready.is_empty() {
            return Poll::Ready(Ok(event));
        }
        let mut waiters = self.waiters.lock();
        // The wakers this poll replaces drop after the lock is released: a waker's
        // destructor may drop the last handle of a task that owns this very IO.
        let mut replaced = [None, None];
        if interest.is_readable() {
            replaced[0] = replace_waker(&mut waiters.reader, cx.waker());
        }
        if interest.is_writable() {
            replaced[1] = replace_waker(&mut waiters.writer, cx.waker());
        }
        // Re-read under the lock: a dispatch that ran before we took it is visible now.
        let event = self.ready_now(interest);
        drop(waiters);
        drop(replaced);
        let event = event?;
        if event.ready.is_empty() {
            Poll::Pending
        } else {
            Poll::Ready(Ok(event))
        }
    }

    /// The interest of the tasks currently waiting (for re-arming a oneshot source).
    pub(crate) fn waiting_interest(&self) -> Option<Interest> {
        let waiters = self.waiters.lock();
        let mut reading = waiters.reader.is_some();
        let mut writing = waiters.writer.is_some();
        for (_, (interest, waker)) in waiters.list.iter() {
            if waker.is_some() {
                reading |= interest.is_readable();
                writing |= interest.is_writable();
            }
        }
        match (reading, writing) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        }
    }

    /// Object side, after `WouldBlock`: clears the non-closed bits of `event.ready`,
    /// unless an event arrived since `event` was read (the tick moved on).
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let clear = (event.ready - Ready::ALL_CLOSED).as_usize();
        let mut current = self.readiness.load(Ordering::Acquire);
        while tick_of(current) == event.tick {
            match self.readiness.compare_exchange_weak(
                current,
                current & !clear,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }
}

/// Waits until the source is ready for `interest`, in the waiter list; any number of
/// these can wait on one source. Dropping it removes its entry.
#[derive(Debug)]
pub(crate) struct Readiness<'a> {
    io: &'a ScheduledIo,
    interest: Interest,
    key: Option<usize>,
}

impl ScheduledIo {
    /// A future that resolves once the source is ready for `interest`.
    pub(crate) fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness {
            io: self,
            interest,
            key: None,
        }
    }
}

impl Readiness<'_> {
    fn remove_entry(&mut self) {
        if let Some(key) = self.key.take() {
            let mut waiters = self.io.waiters.lock();
            if waiters.list.contains(key) {
                waiters.list.remove(key);
            }
        }
    }
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let event = this.io.ready_now(this.interest);
        if !matches!(&event, Ok(event) if event.ready.is_empty()) {
            this.remove_entry();
            return Poll::Ready(event);
        }
        let mut waiters = this.io.waiters.lock();
        // Dropped after the lock is released, as in `poll_readiness`.
        let mut replaced = None;
        match this.key.and_then(|key| waiters.list.get_mut(key)) {
            // Woken by a dispatch since the last poll: resolve now, with whatever is
            // ready (possibly nothing, if another task cleared it meanwhile), as tokio
            // does; waiting on would sleep through the event this task was woken for.
            Some((_, None)) => {
                drop(waiters);
                this.remove_entry();
                return Poll::Ready(this.io.ready_now(this.interest));
            }
            Some((_, slot)) => replaced = replace_waker(slot, cx.waker()),
            None => {
                this.key = Some(
                    waiters
                        .list
                        .insert((this.interest, Some(cx.waker().clone()))),
                )
            }
        }
        // Re-read under the lock, as in `poll_readiness`.
        let event = this.io.ready_now(this.interest);
        drop(waiters);
        drop(replaced);
        if matches!(&event, Ok(event) if event.ready.is_empty()) {
            Poll::Pending
        } else {
            this.remove_entry();
            Poll::Ready(event)
        }
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        self.remove_entry();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
    use std::sync::Arc;
    use std::task::Wake;

    struct CountingWaker(StdAtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, StdOrdering::SeqCst);
        }
    }

    #[test]
    fn clear_after_wouldblock_is_skipped_when_an_edge_arrived_meanwhile() {
        let io = ScheduledIo::new();
        let mut wakers = Vec::new();
        io.dispatch(Ready::READABLE, &mut wakers);
        let seen = io.ready_now(Interest::READABLE).expect("not shut down");
        assert!(seen.ready.is_readable());
        // An edge lands between the WouldBlock and the clear.
        io.dispatch(Ready::READABLE, &mut wakers);
        io.clear_readiness(seen);
        let after = io.ready_now(Interest::READABLE).expect("not shut down");
        assert!(after.ready.is_readable(), "the second edge was lost");
        io.clear_readiness(after);
        let cleared = io.ready_now(Interest::READABLE).expect("not shut down");
        assert!(cleared.ready.is_empty());
    }

    #[test]
    fn closed_bits_survive_a_clear() {
        let io = ScheduledIo::new();
        io.dispatch(Ready::READABLE | Ready::READ_CLOSED, &mut Vec::new());
        let seen = io.ready_now(Interest::READABLE).expect("not shut down");
        io.clear_readiness(seen);
        let after = io.ready_now(Interest::READABLE).expect("not shut down");
        assert_eq!(after.ready, Ready::READ_CLOSED);
    }

    /// A waker whose destructor records whether the IO's waiter lock was free.
    struct LockProbe {
        io: Arc<ScheduledIo>,
        lock_was_free: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Wake for LockProbe {
        fn wake(self: Arc<Self>) {}
    }

    impl Drop for LockProbe {
        fn drop(&mut self) {
            let free = self.io.waiters.try_lock().is_some();
            self.lock_was_free.store(free, StdOrdering::SeqCst);
        }
    }

    #[test]
    fn a_replaced_waker_drops_after_the_lock_is_released() {
        let io = Arc::new(ScheduledIo::new());
        let lock_was_free = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let probe = Waker::from(Arc::new(LockProbe {
            io: Arc::clone(&io),
            lock_was_free: Arc::clone(&lock_was_free),
        }));
        assert!(io
            .poll_readiness(&mut Context::from_waker(&probe), Interest::READABLE)
            .is_pending());
        drop(probe); // the slot now holds the probe's last reference
        let other = Waker::from(Arc::new(CountingWaker(StdAtomicUsize::new(0))));
        assert!(io
            .poll_readiness(&mut Context::from_waker(&other), Interest::READABLE)
            .is_pending());
        assert!(
            lock_was_free.load(StdOrdering::SeqCst),
            "the replaced waker was dropped under the waiter lock"
        );
    }

    #[test]
    fn dispatch_wakes_only_the_matching_direction() {
        let io = ScheduledIo::new();
        let reader = Arc::new(CountingWaker(StdAtomicUsize::new(0)));
        let writer = Arc::new(CountingWaker(StdAtomicUsize::new(0)));
        let reader_waker = Waker::from(Arc::clone(&reader));
        let writer_waker = Waker::from(Arc::clone(&writer));
        assert!(io
            .poll_readiness(&mut Context::from_waker(&reader_waker), Interest::READABLE)
            .is_pending());
        assert!(io
            .poll_readiness(&mut Context::from_waker(&writer_waker), Interest::WRITABLE)
            .is_pending());
        let mut wakers = Vec::new();
        io.dispatch(Ready::WRITABLE, &mut wakers);
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(reader.0.load(StdOrdering::SeqCst), 0);
        assert_eq!(writer.0.load(StdOrdering::SeqCst), 1);
    }

    #[test]
    fn shutdown_wakes_everyone_and_fails_later_polls() {
        let io = ScheduledIo::new();
        let reader = Arc::new(CountingWaker(StdAtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&reader));
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_readiness(&mut cx, Interest::READABLE).is_pending());
        let mut wakers = Vec::new();
        io.shutdown(&mut wakers);
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(reader.0.load(StdOrdering::SeqCst), 1);
        match io.poll_readiness(&mut cx, Interest::READABLE) {
            Poll::Ready(Err(err)) => assert!(err.to_string().contains("shut down")),
            other => panic!("expected the shutdown error, got {other:?}"),
        }
    }
}

/// A loom-visible wrapper around [`ScheduledIo`] (built only with `--cfg loom`): the
/// readiness-tick protocol with the poller replaced by explicit `dispatch` calls.
#[cfg(loom)]
#[derive(Debug, Default)]
pub struct ModelSource(ScheduledIo);

#[cfg(loom)]
impl ModelSource {
    /// A source with no readiness.
    pub fn new() -> ModelSource {
        ModelSource(ScheduledIo::new())
    }

    /// What the driver does for one readable event: set the bit, bump the tick, wake
    /// the waiting reader (outside the lock).
    pub fn dispatch_readable(&self) {
        let mut wakers = Vec::new();
        self.0.dispatch(Ready::READABLE, &mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Polls for readability; on `Ready` returns the tick it was read at.
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<u16> {
        match self.0.poll_readiness(cx, Interest::READABLE) {
            Poll::Ready(Ok(event)) => Poll::Ready(event.tick),
            Poll::Ready(Err(_)) => Poll::Ready(u16::MAX),
            Poll::Pending => Poll::Pending,
        }
    }

    /// What an IO object does after `WouldBlock` for the readiness read at `tick`.
    pub fn clear_readable(&self, tick: u16) {
        self.0.clear_readiness(ReadyEvent {
            ready: Ready::READABLE,
            tick,
        });
    }

    /// Whether the readable bit is set now.
    pub fn is_readable(&self) -> bool {
        self.0
            .ready_now(Interest::READABLE)
            .map(|event| event.ready.is_readable())
            .unwrap_or(false)
    }
}
