//! `OnceCell`: a value initialised at most once, possibly by an async function.
//!
//! The value lives in an `UnsafeCell<MaybeUninit<T>>` published by an atomic flag.
//! Initialisers are serialised by a one-permit [`Semaphore`]: the task holding the
//! permit runs its init function; the others queue (FIFO) behind it. On success the
//! value is written, the flag set with `Release`, and the semaphore *closed*, which
//! releases every queued initialiser with an error that means "look, it is set". If
//! the init function fails or its future is dropped, the permit goes back and the next
//! queued initialiser tries. Invariant: the flag is set exactly once, after the value
//! is fully written, and the value is never written again while the cell is shared.

use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;

use crate::semaphore::{Acquire, Semaphore, TryAcquireError};
use spindle_loom_shim::{AtomicBool, Ordering, UnsafeCell};

/// A thread-safe cell written at most once; readers get `&T` without locking.
///
/// ```
/// use spindle_sync::OnceCell;
///
/// futures::executor::block_on(async {
///     let config = OnceCell::new();
///     let value = config.get_or_init(|| async { 42 }).await;
///     assert_eq!(*value, 42);
///     assert!(config.set(7).is_err());
/// });
/// ```
pub struct OnceCell<T> {
    initialized: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
    initializing: Semaphore,
}

// SAFETY: `&OnceCell<T>` hands out `&T` to any thread (needs `T: Sync`) and lets any
// thread write the value that another thread later drops or takes (needs `T: Send`).
unsafe impl<T: Sync + Send> Sync for OnceCell<T> {}
// SAFETY: moving the cell moves the `T` it may own.
unsafe impl<T: Send> Send for OnceCell<T> {}

/// Error returned by [`OnceCell::set`]; the value is given back.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initialising the cell right now.
    InitializingError(T),
}

impl<T> SetError<T> {
    /// Whether the cell was already initialised.
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// Whether another task was initialising the cell.
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("cell already initialized"),
            SetError::InitializingError(_) => f.write_str("cell is being initialized"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

/// Holds the initialisation permit; gives it back on drop unless the value was set.
struct InitPermit<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for InitPermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl<T> OnceCell<T> {
    /// Creates an empty cell.
    pub fn new() -> Self {
        OnceCell {
            initialized: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            initializing: Semaphore::new(1),
        }
    }

    /// Creates an empty cell in a `const` context, so it can live in a `static`.
    ///
    /// ```
    /// use spindle_sync::OnceCell;
    ///
    /// static CONFIG: OnceCell<u32> = OnceCell::const_new();
    ///
    /// futures::executor::block_on(async {
    ///     assert_eq!(*CONFIG.get_or_init(|| async { 3 }).await, 3);
    /// });
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        OnceCell {
            initialized: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            initializing: Semaphore::const_new(1),
        }
    }

    /// Creates a cell already holding `value`, in a `const` context.
    ///
    /// ```
    /// use spindle_sync::OnceCell;
    ///
    /// static ANSWER: OnceCell<u32> = OnceCell::const_new_with(42);
    /// assert_eq!(ANSWER.get(), Some(&42));
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> Self {
        OnceCell {
            initialized: AtomicBool::new(true),
            value: UnsafeCell::new(MaybeUninit::new(value)),
            initializing: Semaphore::const_closed(),
        }
    }

    /// Creates a cell holding `value` if it is `Some`.
    pub fn new_with(value: Option<T>) -> Self {
        match value {
            Some(value) => OnceCell::from(value),
            None => OnceCell::new(),
        }
    }

    /// Whether the cell holds a value.
    pub fn initialized(&self) -> bool {
        self.initialized.load(Ordering::Acquire)
    }

    /// The value, if the cell has been initialised.
    pub fn get(&self) -> Option<&T> {
        if self.initialized() {
            // SAFETY: the flag was set with `Release` after the value was fully written
            // and our `Acquire` load saw it; the value is never written again while
            // the cell is shared.
            Some(unsafe { self.value_unchecked() })
        } else {
            None
        }
    }

    /// Mutable access to the value: `&mut self` proves nobody else reads it.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        if self.initialized() {
            // SAFETY: initialised (flag set), and `&mut self` gives exclusive access.
            Some(unsafe { self.value.get_mut().assume_init_mut() })
        } else {
            None
        }
    }

    /// Sets the value if the cell is empty and nobody is initialising it.
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        match self.initializing.try_take(1) {
            Ok(()) => {
                let permit = InitPermit {
                    semaphore: &self.initializing,
                };
                Ok(self.publish(permit, value))
            }
            Err(TryAcquireError::Closed) => Err(SetError::AlreadyInitializedError(value)),
            Err(TryAcquireError::NoPermits) => {
                if self.initialized() {
                    Err(SetError::AlreadyInitializedError(value))
                } else {
                    Err(SetError::InitializingError(value))
                }
            }
        }
        .map(|_| ())
    }

    /// Returns the value, first running `init` to produce it if the cell is empty.
    /// Concurrent callers wait (FIFO) for the one running `init`.
    ///
    /// Cancel safe: if the initialising future is dropped, the next waiter runs its
    /// own `init`; the cell never ends up half-initialised.
    pub async fn get_or_init<F, Fut>(&self, init: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(init().await) })
            .await
        {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](OnceCell::get_or_init), but `init` may fail; on error the
    /// cell stays empty and the next waiter gets its turn.
    pub async fn get_or_try_init<E, F, Fut>(&self, init: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.get() {
            return Ok(value);
        }
        if Acquire::new(&self.initializing, 1).await.is_err() {
            // Closed: someone else set the value.
            return Ok(self.initialized_value());
        }
        let permit = InitPermit {
            semaphore: &self.initializing,
        };
        if self.initialized() {
            return Ok(self.initialized_value());
        }
        let value = init().await?;
        Ok(self.publish(permit, value))
    }

    /// Takes the value out, leaving the cell empty.
    pub fn take(&mut self) -> Option<T> {
        std::mem::take(self).into_inner()
    }

    /// Consumes the cell and returns its value, if any.
    pub fn into_inner(mut self) -> Option<T> {
        if !self.initialized() {
            return None;
        }
        self.initialized.store(false, Ordering::Relaxed);
        // SAFETY: the value was initialised, and clearing the flag above keeps our
        // `Drop` from dropping it a second time.
        Some(unsafe { self.value.get_mut().assume_init_read() })
    }

    /// Writes the value while holding the init permit, publishes it, and closes the
    /// semaphore so queued initialisers see it.
    fn publish(&self, permit: InitPermit<'_>, value: T) -> &T {
        // SAFETY: we hold the only init permit and the flag is unset, so no reader
        // looks at the value and no other writer exists.
        self.value.with_mut(|slot| unsafe { (*slot).write(value) });
        self.initialized.store(true, Ordering::Release);
        std::mem::forget(permit);
        self.initializing.close();
        // SAFETY: just initialised and published above.
        unsafe { self.value_unchecked() }
    }

    fn initialized_value(&self) -> &T {
        match self.get() {
            Some(value) => value,
            None => unreachable!("the init semaphore closes only after the value is set"),
        }
    }

    /// # Safety
    ///
    /// The value must be initialised (flag observed set with `Acquire`).
    unsafe fn value_unchecked(&self) -> &T {
        // SAFETY: the caller guarantees the value is initialised; it is never written
        // again while `&self` lives.
        self.value.with(|slot| unsafe { (*slot).assume_init_ref() })
    }
}

impl<T> Drop for OnceCell<T> {
    fn drop(&mut self) {
        if self.initialized() {
            // SAFETY: initialised, and `&mut self` in drop means nobody else can reach it.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        let cell = OnceCell::new();
        if cell.set(value).is_err() {
            unreachable!("a fresh cell accepts its first value");
        }
        cell
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    fn clone(&self) -> Self {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    /// Two cells are equal when both are empty or both hold equal values.
    fn eq(&self, other: &OnceCell<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}
