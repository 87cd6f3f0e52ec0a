//! `SetOnce`: a cell written at most once, through a shared reference, that tasks can
//! wait on until it is.
//!
//! One word says where the cell is: `EMPTY`, `WRITING` (a `set` won the race and is
//! moving its value in) or `SET`. The winner of the `EMPTY -> WRITING` compare-exchange
//! is the only writer; it publishes with a release store of `SET` and then wakes every
//! waiter with `Notify::notify_waiters`. Readers look only at the word (acquire), so
//! `get` never waits and never sees a half-written value.
//!
//! A waiter enables its `Notified` before it checks the word: the enable and the
//! setter's `notify_waiters` are both read-modify-writes of the `Notify`'s one word
//! (or meet on its lock), so either the waiter is queued when the setter notifies, or
//! it sees the setter's generation and completes; no wake-up is lost.

use std::fmt;
use std::mem::MaybeUninit;
use std::pin::pin;

use crate::notify::Notify;
use spindle_loom_shim::{AtomicUsize, Ordering, UnsafeCell};

const EMPTY: usize = 0;
const WRITING: usize = 1;
const SET: usize = 2;

/// A thread-safe cell that can be written only once, and awaited until it is.
///
/// Unlike [`OnceCell`](crate::OnceCell), nothing here runs an initialiser: one party
/// [`set`](SetOnce::set)s the value, any number [`wait`](SetOnce::wait) for it.
///
/// ```
/// use std::sync::Arc;
/// use spindle_sync::SetOnce;
///
/// let cell = Arc::new(SetOnce::new());
/// let setter = {
///     let cell = Arc::clone(&cell);
///     std::thread::spawn(move || cell.set(7).expect("the only setter"))
/// };
/// let value = futures::executor::block_on(cell.wait());
/// assert_eq!(*value, 7);
/// setter.join().expect("setter thread");
/// assert!(cell.set(8).is_err(), "set only once");
/// ```
pub struct SetOnce<T> {
    /// `EMPTY`, `WRITING` or `SET`; see the module docs.
    state: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
    /// Woken (all waiters) once the value is set.
    value_set: Notify,
}

// SAFETY: `&SetOnce` hands out `&T` (needs `T: Sync`) and lets any thread move a `T`
// in with `set` (needs `T: Send`); the state word orders the one write before every
// read.
unsafe impl<T: Send + Sync> Sync for SetOnce<T> {}
// SAFETY: moving the cell moves the `T` it owns.
unsafe impl<T: Send> Send for SetOnce<T> {}

/// Error returned by [`SetOnce::set`] when the cell was already set (or being set);
/// the rejected value is given back.
#[derive(Debug, PartialEq, Eq)]
pub struct SetOnceError<T>(pub T);

impl<T> fmt::Display for SetOnceError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetOnceError")
    }
}

impl<T: fmt::Debug> std::error::Error for SetOnceError<T> {}

impl<T> SetOnce<T> {
    /// Creates an empty cell.
    pub fn new() -> Self {
        SetOnce {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            value_set: Notify::new(),
        }
    }

    /// Creates an empty cell in a `const` context, so it can live in a `static`.
    ///
    /// ```
    /// use spindle_sync::SetOnce;
    ///
    /// static READY: SetOnce<&str> = SetOnce::const_new();
    /// READY.set("yes").expect("first set");
    /// assert_eq!(READY.get(), Some(&"yes"));
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        SetOnce {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            value_set: Notify::const_new(),
        }
    }

    /// Creates a cell already holding `value`, in a `const` context.
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> Self {
        SetOnce {
            state: AtomicUsize::new(SET),
            value: UnsafeCell::new(MaybeUninit::new(value)),
            value_set: Notify::const_new(),
        }
    }

    /// Creates a cell holding `value` if it is `Some`.
    pub fn new_with(value: Option<T>) -> Self {
        match value {
            Some(value) => SetOnce::from(value),
            None => SetOnce::new(),
        }
    }

    /// Whether the value has been set.
    pub fn initialized(&self) -> bool {
        self.state.load(Ordering::Acquire) == SET
    }

    /// The value, if it has been set; never waits.
    pub fn get(&self) -> Option<&T> {
        if self.initialized() {
            // SAFETY: `SET` was read with acquire ordering, pairing with the setter's
            // release store after its write; the value is never written again.
            Some(self.value.with(|slot| unsafe { (*slot).assume_init_ref() }))
        } else {
            None
        }
    }

    /// Sets the value and wakes every task in [`wait`](SetOnce::wait). Fails, giving
    /// `value` back, if the cell is already set or another `set` is under way.
    pub fn set(&self, value: T) -> Result<(), SetOnceError<T>> {
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Acquire)
            .is_err()
        {
            return Err(SetOnceError(value));
        }
        // SAFETY: winning `EMPTY -> WRITING` makes us the only writer, and no reader
        // looks at the value before it sees `SET`.
        self.value.with_mut(|slot| unsafe { (*slot).write(value) });
        self.state.store(SET, Ordering::Release);
        self.value_set.notify_waiters();
        Ok(())
    }

    /// Waits until the value is set and returns it.
    ///
    /// Cancel safe: dropping the future has no effect on the cell.
    pub async fn wait(&self) -> &T {
        loop {
            if let Some(value) = self.get() {
                return value;
            }
            let mut notified = pin!(self.value_set.notified());
            // Queue before the check, so a `set` after it cannot be missed.
            notified.as_mut().enable();
            if let Some(value) = self.get() {
                return value;
            }
            notified.await;
        }
    }

    /// Consumes the cell and returns its value, if it was set.
    pub fn into_inner(mut self) -> Option<T> {
        if !self.initialized() {
            return None;
        }
        self.state.store(EMPTY, Ordering::Relaxed);
        // SAFETY: the value was set, and resetting the state above keeps our `Drop`
        // from dropping it a second time.
        Some(unsafe { self.value.get_mut().assume_init_read() })
    }
}

impl<T> Drop for SetOnce<T> {
    fn drop(&mut self) {
        if self.initialized() {
            // SAFETY: set, and `&mut self` in drop means nobody else can reach it.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

impl<T> Default for SetOnce<T> {
    fn default() -> Self {
        SetOnce::new()
    }
}

impl<T> From<T> for SetOnce<T> {
    fn from(value: T) -> Self {
        SetOnce {
            state: AtomicUsize::new(SET),
            value: UnsafeCell::new(MaybeUninit::new(value)),
            value_set: Notify::new(),
        }
    }
}

impl<T: Clone> Clone for SetOnce<T> {
    fn clone(&self) -> Self {
        SetOnce::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for SetOnce<T> {
    /// Two cells are equal when both are unset or both hold equal values.
    fn eq(&self, other: &SetOnce<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for SetOnce<T> {}

impl<T: fmt::Debug> fmt::Debug for SetOnce<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetOnce")
            .field("value", &self.get())
            .finish()
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::SetOnce;
    use spindle_loom_shim::Arc;

    /// A waiter racing the setter always ends with the value, never hangs.
    #[test]
    fn wait_racing_set_sees_the_value() {
        loom::model(|| {
            let cell = Arc::new(SetOnce::new());
            let setter = {
                let cell = Arc::clone(&cell);
                loom::thread::spawn(move || cell.set(1).is_ok())
            };
            let value = loom::future::block_on(cell.wait());
            assert_eq!(*value, 1);
            assert!(setter.join().expect("setter"));
        });
    }

    /// Two racing setters: exactly one wins, and the value is the winner's.
    #[test]
    fn racing_sets_have_one_winner() {
        loom::model(|| {
            let cell = Arc::new(SetOnce::new());
            let other = {
                let cell = Arc::clone(&cell);
                loom::thread::spawn(move || cell.set(2).is_ok())
            };
            let ours = cell.set(1).is_ok();
            let theirs = other.join().expect("other setter");
            assert!(ours != theirs, "exactly one set wins");
            let expected = if ours { 1 } else { 2 };
            assert_eq!(cell.get(), Some(&expected));
        });
    }
}
