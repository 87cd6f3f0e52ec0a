//! The async `Mutex`: a one-permit [`Semaphore`] guarding an `UnsafeCell`.
//!
//! Holding the single permit *is* holding the lock, so the mutex inherits the
//! semaphore's guarantees: lockers are served first-in, first-out, `try_lock` fails
//! while anyone is queued, and a dropped `lock()` future gives its place (and the lock,
//! if it had just been handed over) to the next in line. The only `unsafe` here turns
//! the permit into access to the data; each guard holds the permit for exactly as long
//! as it can reach the data.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::semaphore::{Acquire, Semaphore};
use spindle_loom_shim::UnsafeCell;

/// An asynchronous mutual-exclusion lock, fair (FIFO) among waiting tasks.
///
/// Unlike `std::sync::Mutex`, its guard may be held across an `.await`.
///
/// ```
/// use spindle_sync::Mutex;
///
/// futures::executor::block_on(async {
///     let counter = Mutex::new(0);
///     *counter.lock().await += 1;
///     assert_eq!(*counter.lock().await, 1);
///     assert_eq!(counter.into_inner(), 1);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    semaphore: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through a guard, and only one guard exists at a time
// (it holds the single permit), so sharing the mutex between threads hands `T` from one
// thread to another but never shares it: `T: Send` suffices, as for std's Mutex.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: moving the mutex moves the `T` it owns.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

/// Error returned by [`Mutex::try_lock`], [`RwLock::try_read`](crate::RwLock::try_read)
/// and [`RwLock::try_write`](crate::RwLock::try_write) when the lock is held or contended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Mutex {
            semaphore: Semaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked mutex in a `const` context, so it can live in a `static`.
    ///
    /// ```
    /// use spindle_sync::Mutex;
    ///
    /// static COUNTER: Mutex<u32> = Mutex::const_new(0);
    ///
    /// futures::executor::block_on(async {
    ///     *COUNTER.lock().await += 1;
    ///     assert_eq!(*COUNTER.lock().await, 1);
    /// });
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Self {
        Mutex {
            semaphore: Semaphore::const_new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue; if the lock
    /// had already been handed to it, the lock passes on to the next waiter.
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        MutexGuard { lock: self }
    }

    /// Like [`lock`](Mutex::lock), but the guard owns an `Arc` of the mutex, so it can
    /// outlive the borrow (move it into a spawned task, for example).
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        OwnedMutexGuard { lock: self }
    }

    /// Locks from synchronous code, parking the thread until the lock is free.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks (inside
    /// `Runtime::block_on` or an async task): parking it could deadlock the runtime.
    /// From async code, `.await` [`lock`](Mutex::lock) instead.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use spindle_sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let worker = {
    ///     let mutex = Arc::clone(&mutex);
    ///     std::thread::spawn(move || *mutex.blocking_lock() += 1)
    /// };
    /// worker.join().expect("worker thread");
    /// assert_eq!(*mutex.blocking_lock(), 2);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::block_on::block_on(self.lock())
    }

    /// Like [`blocking_lock`](Mutex::blocking_lock), with an owned guard.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks.
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        crate::block_on::block_on(self.lock_owned())
    }

    /// Takes the lock if it is free and nobody is waiting for it.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(MutexGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_lock`](Mutex::try_lock), with an owned guard.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(OwnedMutexGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Mutable access without locking: `&mut self` proves nobody else holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    async fn acquire(&self) {
        if Acquire::new(&self.semaphore, 1).await.is_err() {
            unreachable!("a Mutex's semaphore is never closed");
        }
    }

    fn data_ptr(&self) -> *mut T {
        self.data.with_mut(|ptr| ptr)
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => out.field("data", &&*guard),
            Err(_) => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

/// Debug and Display of every guard show the guarded value.
macro_rules! guard_formatting {
    ($guard:ident $(<$life:lifetime>)?, $($param:ident),+) => {
        impl<$($life,)? $($param: ?Sized),+> fmt::Debug for $guard<$($life,)? $($param),+>
        where
            guard_formatting!(@last $($param),+): fmt::Debug,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($life,)? $($param: ?Sized),+> fmt::Display for $guard<$($life,)? $($param),+>
        where
            guard_formatting!(@last $($param),+): fmt::Display,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    };
    (@last $only:ident) => { $only };
    (@last $first:ident, $second:ident) => { $second };
}
pub(crate) use guard_formatting;

/// Access to the data of a locked [`Mutex`]; unlocks on drop.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
}

// SAFETY: sharing the guard shares `&T` (needs `T: Sync`), and the guard reaches the
// data only through the mutex (whose sharing needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the data, keeping the lock held.
    ///
    /// ```
    /// use spindle_sync::{Mutex, MutexGuard};
    ///
    /// futures::executor::block_on(async {
    ///     let pair = Mutex::new((1, 2));
    ///     let mut second = MutexGuard::map(pair.lock().await, |pair| &mut pair.1);
    ///     *second = 20;
    ///     drop(second);
    ///     assert_eq!(*pair.lock().await, (1, 20));
    /// });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let semaphore = &this.lock.semaphore;
        // SAFETY: `this` holds the lock's permit, so we have exclusive access to the data
        // for as long as the permit is held; the permit moves into the mapped guard
        // (`forget` below keeps `this` from releasing it).
        let data = f(unsafe { &mut *this.lock.data_ptr() }) as *mut U;
        std::mem::forget(this);
        MappedMutexGuard {
            semaphore,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](MutexGuard::map), but `f` may decline, giving the guard back.
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        // SAFETY: as in `map`: the permit held by `this` gives exclusive access.
        let Some(data) = f(unsafe { &mut *this.lock.data_ptr() }) else {
            return Err(this);
        };
        let data = data as *mut U;
        let semaphore = &this.lock.semaphore;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            semaphore,
            data,
            marker: PhantomData,
        })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut` to the data
        // exists elsewhere while this borrow of the guard lives.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and is borrowed mutably, so
        // this is the only reference to the data.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

guard_formatting!(MutexGuard<'a>, T);

/// A [`MutexGuard`] that owns an `Arc` of its mutex; see [`Mutex::lock_owned`].
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
}

// SAFETY: sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// Narrows the guard to a part of the data, keeping the lock (and the `Arc`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use spindle_sync::{Mutex, OwnedMutexGuard};
    ///
    /// futures::executor::block_on(async {
    ///     let pair = Arc::new(Mutex::new((1, 2)));
    ///     let mut first = OwnedMutexGuard::map(pair.clone().lock_owned().await, |p| &mut p.0);
    ///     *first = 10;
    ///     drop(first);
    ///     assert_eq!(*pair.lock().await, (10, 2));
    /// });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        // SAFETY: `this` holds the lock's permit: exclusive access until it is released,
        // and the permit moves into the mapped guard with the `Arc`.
        let data = f(unsafe { &mut *this.lock.data_ptr() }) as *mut U;
        let lock = Self::into_lock(this);
        OwnedMappedMutexGuard { lock, data }
    }

    /// Like [`map`](OwnedMutexGuard::map), but `f` may decline, giving the guard back.
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        // SAFETY: as in `map`.
        let Some(data) = f(unsafe { &mut *this.lock.data_ptr() }) else {
            return Err(this);
        };
        let data = data as *mut U;
        let lock = Self::into_lock(this);
        Ok(OwnedMappedMutexGuard { lock, data })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Takes the `Arc` out without releasing the permit it stands for.
    fn into_lock(this: Self) -> Arc<Mutex<T>> {
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is moved out
        // exactly once.
        unsafe { std::ptr::read(&this.lock) }
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit (see `MutexGuard::deref`).
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the only permit and is borrowed mutably.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

guard_formatting!(OwnedMutexGuard, T);

/// A guard narrowed to part of the locked data by [`MutexGuard::map`].
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    semaphore: &'a Semaphore,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a `&mut T` plus the permit that makes it exclusive; it may move
// to another thread when `&mut T` may (`T: Send`) and be shared when `&T` may and the
// value may be handed over (`T: Send + Sync`).
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        // SAFETY: `this` holds the permit, so `data` is exclusively ours; the permit moves
        // into the new guard.
        let data = f(unsafe { &mut *this.data }) as *mut U;
        let semaphore = this.semaphore;
        std::mem::forget(this);
        MappedMutexGuard {
            semaphore,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](MappedMutexGuard::map), but `f` may decline, giving the guard back.
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        // SAFETY: as in `map`.
        let Some(data) = f(unsafe { &mut *this.data }) else {
            return Err(this);
        };
        let data = data as *mut U;
        let semaphore = this.semaphore;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            semaphore,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `data` points into the locked value and the guard holds the permit.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and the guard is borrowed mutably.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

guard_formatting!(MappedMutexGuard<'a>, T);

/// An [`OwnedMutexGuard`] narrowed to a part `U` of the locked `T` by
/// [`OwnedMutexGuard::map`]; it keeps the `Arc` of the mutex and the lock.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<Mutex<T>>,
    data: *mut U,
}

// SAFETY: the guard owns an `Arc` of the mutex (movable when `T: Send`) and a `&mut U`
// made exclusive by the permit (movable when `U: Send`).
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: sharing it shares `&U` and the mutex.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// Narrows the guard further.
    pub fn map<S: ?Sized, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, S>
    where
        F: FnOnce(&mut U) -> &mut S,
    {
        // SAFETY: `this` holds the permit, so `data` is exclusively ours; the permit and
        // the `Arc` move into the new guard.
        let data = f(unsafe { &mut *this.data }) as *mut S;
        let lock = Self::into_lock(this);
        OwnedMappedMutexGuard { lock, data }
    }

    /// Like [`map`](OwnedMappedMutexGuard::map), but `f` may decline, giving the guard
    /// back.
    pub fn try_map<S: ?Sized, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, S>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut S>,
    {
        // SAFETY: as in `map`.
        let Some(data) = f(unsafe { &mut *this.data }) else {
            return Err(this);
        };
        let data = data as *mut S;
        let lock = Self::into_lock(this);
        Ok(OwnedMappedMutexGuard { lock, data })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Takes the `Arc` out without releasing the permit it stands for.
    fn into_lock(this: Self) -> Arc<Mutex<T>> {
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is moved out
        // exactly once.
        unsafe { std::ptr::read(&this.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: `data` points into the locked value and the guard holds the permit.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`, and the guard is borrowed mutably.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

guard_formatting!(OwnedMappedMutexGuard, T, U);
