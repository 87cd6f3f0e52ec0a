//! The timer driver: one wheel and one clock per runtime, shared by its handles.
//!
//! [`Driver`] is the runtime's end (process, park timeout, auto-advance, shutdown);
//! [`Handle`] is what resources hold. Both point at one [`Inner`]: the clock and the
//! wheel behind one mutex, plus two flags that let hot paths skip the lock.
//!
//! There is no timer thread. The worker that parks on the driver asks
//! [`Driver::begin_park`] (or [`Driver::park_timeout`]) how long it may sleep, and
//! calls [`Driver::fire_due_timers`] when it wakes. An insert does not notify anyone, unless
//! its deadline is earlier than the one the parked worker will wake for: then the
//! unpark hook is called once and the parked mark is cleared, so a burst of earlier
//! inserts costs one wake-up.
//!
//! Wakers are never called under the lock: firing collects `(deadline, waker)` pairs
//! into a buffer taken out of the state, sorts them by deadline, releases the lock and
//! then wakes them, so a waker that re-enters the driver (a task polled inline, a
//! `Sleep` dropped by the waker) cannot deadlock.

use std::fmt;
use std::task::{Poll, Waker};
use std::time::Duration;

use crate::clock::{Clock, ClockError};
use crate::context;
use crate::time::Instant;
use crate::wheel::{TimerKey, TimerState, Wheel};
use spindle_loom_shim::{Arc, AtomicBool, Mutex, MutexGuard, Ordering};

use crate::context::EnterGuard;

/// The callback that wakes the worker parked on the driver.
type UnparkHook = std::sync::Arc<dyn Fn() + Send + Sync>;

/// The timer driver of one runtime: the wheel, the clock and the parking protocol.
///
/// The runtime owns exactly one; resources reach it through [`Handle`]s. Dropping the
/// driver shuts it down (see [`Driver::shutdown`]).
///
/// ```
/// use std::time::Duration;
/// use spindle_timers::Driver;
///
/// let driver = Driver::new(true);
/// let _entered = driver.handle().enter();
/// let mut sleep = std::pin::pin!(spindle_timers::time::sleep(Duration::from_secs(3600)));
/// let waker = std::task::Waker::noop();
/// let mut cx = std::task::Context::from_waker(&waker);
/// assert!(sleep.as_mut().poll(&mut cx).is_pending()); // registered
/// assert_eq!(driver.pending_timers(), 1);
/// assert!(driver.auto_advance()); // the paused clock jumps an hour ahead
/// assert!(sleep.as_mut().poll(&mut cx).is_ready());
/// # use std::future::Future;
/// ```
pub struct Driver {
    handle: Handle,
}

/// A reference to a runtime's timer driver: cheap to clone, `Send` and `Sync`.
///
/// Resources find it through the thread-local current handle ([`Handle::current`]),
/// which the runtime sets with [`Handle::enter`].
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Inner>,
}

/// What a driver and its handles share.
pub(crate) struct Inner {
    /// The clock's zero: every deadline is stored as nanoseconds since this instant.
    origin: std::time::Instant,
    /// Linux: `CLOCK_MONOTONIC` (the clock `std::time::Instant` reads there) in
    /// nanoseconds, read just *after* `origin`, so real time since the origin is one
    /// `clock_gettime` and a subtraction instead of an `Instant` difference (which costs
    /// about three times as many instructions). Reading it after `origin` makes the
    /// clock run a few nanoseconds behind `Instant`, never ahead: timers can only fire
    /// that much late, never early.
    #[cfg(target_os = "linux")]
    origin_monotonic: u64,
    /// True while the clock reads real time, so `now` needs no lock.
    clock_is_real: AtomicBool,
    /// Set by shutdown; polls check it before taking the lock.
    shut_down: AtomicBool,
    state: Mutex<State>,
}

struct State {
    wheel: Wheel,
    clock: Clock,
    /// When the worker parked on the driver will wake by itself, in clock nanoseconds
    /// (`u64::MAX`: not before it is unparked); `None` when nobody is parked.
    parked_until: Option<u64>,
    unpark: Option<UnparkHook>,
    /// A reused buffer of fired wakers, taken out while they are woken.
    fired: Vec<(u64, Waker)>,
    shut_down: bool,
}

impl Driver {
    /// Creates the driver of a new runtime, its clock paused from the start when
    /// `start_paused` is true (the test clock of `Builder::start_paused`).
    pub fn new(start_paused: bool) -> Driver {
        // The primitives below the timers (`mpsc::Sender::send_timeout`) sleep through
        // this hook; it is process-wide and set once, and each sleep finds its runtime
        // by the context it is created in, like any `time::sleep`.
        let _ = spindle_sync::runtime_context::register_sleep(|duration| {
            Box::pin(crate::time::sleep(duration))
        });
        let clock = Clock::new(start_paused);
        let inner = Inner {
            origin: std::time::Instant::now(),
            #[cfg(target_os = "linux")]
            origin_monotonic: monotonic_nanos(),
            clock_is_real: AtomicBool::new(clock.is_real()),
            shut_down: AtomicBool::new(false),
            state: Mutex::new(State {
                wheel: Wheel::new(),
                clock,
                parked_until: None,
                unpark: None,
                fired: Vec::new(),
                shut_down: false,
            }),
        };
        Driver {
            handle: Handle {
                inner: Arc::new(inner),
            },
        }
    }

    /// A handle to this driver, for resources and for entering on threads.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Fires every timer whose deadline is at or before the clock's now, waking their
    /// wakers in deadline order after the lock is released; returns how many fired.
    pub fn fire_due_timers(&self) -> usize {
        self.handle.inner.fire_due_timers()
    }

    /// How long a worker about to park on the driver may sleep.
    ///
    /// `None`: no timer is pending, sleep until unparked. `Some(d)`: until the next
    /// deadline, exact to the nanosecond (so never early), or `Duration::ZERO` if one is
    /// due. While the clock is paused, waiting cannot bring a deadline closer, so this
    /// is `None` unless a timer is already due; an idle runtime calls
    /// [`auto_advance`](Driver::auto_advance) instead.
    ///
    /// Prefer [`begin_park`](Driver::begin_park), which also records the park, so an
    /// earlier insert between the two calls cannot be missed.
    pub fn park_timeout(&self) -> Option<Duration> {
        let inner = &self.handle.inner;
        let state = inner.state.lock();
        inner
            .park_timeout_locked(&state)
            .map(|(timeout, _)| timeout)
    }

    /// [`park_timeout`](Driver::park_timeout) and
    /// [`set_parked_until`](Driver::set_parked_until) in one step, under one lock: the
    /// caller is marked parked until the returned timeout (or indefinitely for `None`),
    /// so any insert of an earlier deadline calls the unpark hook. Call
    /// [`end_park`](Driver::end_park) after waking.
    pub fn begin_park(&self) -> Option<Duration> {
        let inner = &self.handle.inner;
        let mut state = inner.state.lock();
        let timeout = inner.park_timeout_locked(&state);
        state.parked_until = Some(timeout.map_or(u64::MAX, |(_, wake_at)| wake_at));
        timeout.map(|(timeout, _)| timeout)
    }

    /// Clears the parked mark; the same as `set_parked_until(None)`.
    pub fn end_park(&self) {
        self.handle.inner.state.lock().parked_until = None;
    }

    /// Tells the driver when the parked worker will wake by itself (`None`: nobody is
    /// parked, or the worker woke). While it is set, an insert of an earlier deadline
    /// calls the unpark hook once and clears it; later inserts do not notify.
    ///
    /// If a pending timer is already earlier than `deadline`, the hook is called at
    /// once, so a timer registered between [`park_timeout`](Driver::park_timeout) and
    /// this call is not missed (the hook must therefore make the next park return
    /// immediately, as an unpark token does).
    pub fn set_parked_until(&self, deadline: Option<Instant>) {
        let inner = &self.handle.inner;
        let mut state = inner.state.lock();
        let Some(deadline) = deadline else {
            state.parked_until = None;
            return;
        };
        let wake_at = inner.nanos_since_origin(deadline);
        state.parked_until = Some(wake_at);
        let hook = match state.wheel.next_wake() {
            Some(next) if next < wake_at => take_unpark_hook(&mut state),
            _ => None,
        };
        drop(state);
        if let Some(hook) = hook {
            hook();
        }
    }

    /// The test clock's auto-advance: if the clock is paused and a timer is pending,
    /// jumps the clock to the next deadline and fires what is due. Returns true if it
    /// advanced the clock or fired a timer (so woken tasks may now run), false if
    /// there was nothing to do (the clock is not paused, or no timer is pending).
    ///
    /// The executor calls this when every worker is idle.
    pub fn auto_advance(&self) -> bool {
        let inner = &self.handle.inner;
        let mut progressed = false;
        loop {
            let mut state = inner.state.lock();
            if !state.clock.is_paused() {
                return progressed;
            }
            let Some(next) = state.wheel.next_wake() else {
                return progressed;
            };
            let now = state.clock.now(inner.real_nanos());
            if next > now {
                // Paused was checked above, under the same lock.
                let _ = state.clock.advance_to(next);
                progressed = true;
            }
            drop(state);
            // The next wake time is a lower bound: reaching it may only cascade entries
            // or drop a stale hint, so go round until something fires.
            if inner.fire_due_timers() > 0 {
                return true;
            }
        }
    }

    /// Shuts the driver down: every pending timer is fired (its task woken), and from
    /// now on polling a sleep, timeout or interval of this runtime panics with "the
    /// timer's runtime was shut down". Idempotent; also run when the driver is dropped.
    pub fn shutdown(&self) {
        self.handle.inner.shutdown();
    }

    /// How many timers are registered and waiting to fire (a sleep counts from its
    /// first poll until it fires or is dropped).
    pub fn pending_timers(&self) -> usize {
        self.handle.inner.state.lock().wheel.pending()
    }

    /// Bytes the wheel holds for timer entries (capacity, not just live entries), for
    /// metrics and the memory budget.
    pub fn allocated_bytes(&self) -> usize {
        self.handle.inner.state.lock().wheel.allocated_bytes()
    }

    /// Whether the clock is paused (see [`crate::time::pause`]).
    pub fn is_paused(&self) -> bool {
        self.handle.inner.state.lock().clock.is_paused()
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
            .field("pending_timers", &self.pending_timers())
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// Sets the callback that wakes the worker parked on the driver (replacing any
    /// earlier one). It is called, outside the driver's lock, when a timer is inserted
    /// with a deadline earlier than the parked worker's wake time.
    pub fn new_unpark_hook(&self, unpark: std::sync::Arc<dyn Fn() + Send + Sync>) {
        self.inner.state.lock().unpark = Some(unpark);
    }

    /// The handle of the runtime entered on this thread.
    ///
    /// # Panics
    ///
    /// When no runtime with time enabled is entered on this thread.
    pub fn current() -> Handle {
        Handle::current_for("Handle::current")
    }

    /// The handle of the runtime entered on this thread, if there is one.
    pub fn try_current() -> Option<Handle> {
        context::with_current(|handle| handle.cloned())
    }

    /// The current handle, or a panic that names `call` and says how to fix it.
    #[track_caller]
    pub(crate) fn current_for(call: &str) -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            // tokio's words first (code ported from tokio matches on them), then ours.
            None if spindle_sync::runtime_context::is_driving_tasks() => panic!(
                "A Tokio 1.x context was found, but timers are disabled. Call `enable_time` \
                 on the runtime builder to enable timers. (spindle::time::{call} called \
                 outside a runtime with time enabled: build the runtime with enable_time() \
                 or enable_all())"
            ),
            None => panic!(
                "there is no reactor running, must be called from the context of a Tokio \
                 1.x runtime: spindle::time::{call} called outside a runtime with time \
                 enabled: call it from inside Runtime::block_on or a spawned task, and \
                 build the runtime with enable_time() or enable_all()"
            ),
        }
    }

    /// Makes this handle current on this thread until the guard drops; the previous
    /// one is restored then. Guards nest.
    pub fn enter(&self) -> EnterGuard {
        context::enter(self.clone())
    }

    /// The clock's now (frozen while the clock is paused).
    pub fn now(&self) -> Instant {
        self.inner.instant_at(self.inner.now_nanos())
    }

    /// Whether two handles belong to the same driver.
    pub fn ptr_eq(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

fn take_unpark_hook(state: &mut State) -> Option<UnparkHook> {
    state.parked_until = None;
    state.unpark.clone()
}

impl Inner {
    /// Real monotonic time since the origin, saturating after 584 years.
    fn real_nanos(&self) -> u64 {
        #[cfg(target_os = "linux")]
        return monotonic_nanos().saturating_sub(self.origin_monotonic);
        #[cfg(not(target_os = "linux"))]
        saturating_nanos(self.origin.elapsed())
    }

    /// The clock's now in nanoseconds since the origin; lock-free unless the test
    /// clock has been used.
    pub(crate) fn now_nanos(&self) -> u64 {
        if self.clock_is_real.load(Ordering::Acquire) {
            return self.real_nanos();
        }
        let state = self.state.lock();
        state.clock.now(self.real_nanos())
    }

    pub(crate) fn nanos_since_origin(&self, instant: Instant) -> u64 {
        saturating_nanos(instant.into_std().saturating_duration_since(self.origin))
    }

    pub(crate) fn instant_at(&self, nanos: u64) -> Instant {
        Instant::from_std(self.origin).saturating_add(Duration::from_nanos(nanos))
    }

    fn park_timeout_locked(&self, state: &State) -> Option<(Duration, u64)> {
        let next = state.wheel.next_wake()?;
        let now = state.clock.now(self.real_nanos());
        if next <= now {
            return Some((Duration::ZERO, now));
        }
        if state.clock.is_paused() {
            return None;
        }
        Some((Duration::from_nanos(next - now), next))
    }

    fn assert_running(&self) {
        if self.shut_down.load(Ordering::Acquire) {
            panic_shut_down();
        }
    }

    /// A `Sleep`'s poll: ready once the clock reaches `deadline`; otherwise registers
    /// (first poll) or refreshes the waker.
    pub(crate) fn poll_timer(
        &self,
        key: &mut Option<TimerKey>,
        deadline: u64,
        waker: &Waker,
    ) -> Poll<()> {
        self.assert_running();
        if deadline <= self.now_nanos() {
            if let Some(key) = key.take() {
                let stale_waker = self.state.lock().wheel.remove(key);
                drop(stale_waker);
            }
            return Poll::Ready(());
        }
        let mut state = self.state.lock();
        if state.shut_down {
            drop(state);
            panic_shut_down();
        }
        let (outcome, stale_waker) = match *key {
            Some(registered) => match state.wheel.state(registered) {
                TimerState::Fired => {
                    *key = None;
                    (Poll::Ready(()), state.wheel.remove(registered))
                }
                TimerState::Pending => (Poll::Pending, state.wheel.set_waker(registered, waker)),
            },
            None => {
                *key = Some(state.wheel.insert(deadline, Some(waker.clone())));
                let hook = unpark_if_earlier(&mut state, deadline);
                drop(state);
                if let Some(hook) = hook {
                    hook();
                }
                return Poll::Pending;
            }
        };
        // The old waker drops after the lock is released: its destructor may drop
        // another `Sleep` of this driver.
        drop(state);
        drop(stale_waker);
        outcome
    }

    /// A `Sleep`'s reset: moves a registered timer to `deadline`, firing it at once if
    /// the deadline has already passed.
    pub(crate) fn reset_timer(&self, key: TimerKey, deadline: u64) {
        let mut state = self.state.lock();
        if state.shut_down {
            return;
        }
        let now = state.clock.now(self.real_nanos());
        if deadline <= now {
            let waker = state.wheel.fire(key);
            drop(state);
            if let Some(waker) = waker {
                waker.wake();
            }
            return;
        }
        state.wheel.reschedule(key, deadline);
        let hook = unpark_if_earlier(&mut state, deadline);
        drop(state);
        if let Some(hook) = hook {
            hook();
        }
    }

    /// A `Sleep`'s drop: unregisters the timer and frees its entry. The entry's waker
    /// is dropped after the lock is released, since its destructor may drop another
    /// `Sleep` of this driver.
    pub(crate) fn remove_timer(&self, key: TimerKey) {
        let stale_waker = self.state.lock().wheel.remove(key);
        drop(stale_waker);
    }

    /// Whether the driver has fired the registered timer `key` (its task may not have
    /// polled it since).
    pub(crate) fn timer_fired(&self, key: TimerKey) -> bool {
        matches!(self.state.lock().wheel.state(key), TimerState::Fired)
    }

    pub(crate) fn fire_due_timers(&self) -> usize {
        let mut state = self.state.lock();
        let now = state.clock.now(self.real_nanos());
        let mut fired = std::mem::take(&mut state.fired);
        let count = state.wheel.fire_expired(now, &mut fired);
        if fired.is_empty() {
            state.fired = fired;
            return count;
        }
        drop(state);
        wake_in_deadline_order(&mut fired);
        self.state.lock().fired = fired;
        count
    }

    fn shutdown(&self) {
        self.shut_down.store(true, Ordering::Release);
        let mut state = self.state.lock();
        state.shut_down = true;
        let mut fired = std::mem::take(&mut state.fired);
        state.wheel.fire_all(&mut fired);
        drop(state);
        wake_in_deadline_order(&mut fired);
    }

    /// Runs a clock operation under the lock, keeping the lock-free flag in step.
    pub(crate) fn with_clock(
        &self,
        operation: impl FnOnce(&mut Clock, u64) -> Result<(), ClockError>,
    ) -> Result<(), ClockError> {
        let mut state = self.state.lock();
        let real = self.real_nanos();
        operation(&mut state.clock, real)?;
        self.clock_is_real
            .store(state.clock.is_real(), Ordering::Release);
        Ok(())
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.state.lock().clock.is_paused()
    }
}

/// Claims the unpark hook if `deadline` is earlier than the parked worker's wake time.
fn unpark_if_earlier(state: &mut MutexGuard<'_, State>, deadline: u64) -> Option<UnparkHook> {
    match state.parked_until {
        Some(wake_at) if deadline < wake_at => take_unpark_hook(state),
        _ => None,
    }
}

fn wake_in_deadline_order(fired: &mut Vec<(u64, Waker)>) {
    fired.sort_unstable_by_key(|&(deadline, _)| deadline);
    for (_, waker) in fired.drain(..) {
        waker.wake();
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds (saturating after 584 years of uptime).
#[cfg(target_os = "linux")]
fn monotonic_nanos() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a pointer to a live one.
    // CLOCK_MONOTONIC is always available on Linux, so it cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    (now.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(now.tv_nsec as u64)
}

fn saturating_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cold]
fn panic_shut_down() -> ! {
    panic!(
        "the timer's runtime was shut down: a spindle::time sleep, timeout or interval \
         was polled after its runtime shut down; keep the runtime alive while its timers \
         are in use"
    )
}
