//! The async `RwLock`: a [`Semaphore`] of `max_readers` permits guarding an
//! `UnsafeCell`.
//!
//! A reader takes one permit, a writer takes all of them. Because the semaphore is
//! strictly FIFO and assigns permits to the front waiter even partially, a queued
//! writer collects permits as readers leave and new readers queue behind it: writers
//! are never starved, and readers that arrive after a writer wait for it. The `unsafe`
//! here only turns held permits into access: one permit gives `&T` (others may hold
//! permits too, but none holds all), all permits give `&mut T`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::mutex::{guard_formatting, TryLockError};
use crate::semaphore::{Acquire, Semaphore};
use spindle_loom_shim::UnsafeCell;

/// An asynchronous reader-writer lock, fair (FIFO) between readers and writers.
///
/// ```
/// use spindle_sync::RwLock;
///
/// futures::executor::block_on(async {
///     let lock = RwLock::new(5);
///     {
///         let first = lock.read().await;
///         let second = lock.read().await;
///         assert_eq!(*first + *second, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    semaphore: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: readers on several threads share `&T` (needs `T: Sync`); a writer on any
// thread gets `&mut T` (needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: moving the lock moves the `T` it owns.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

/// The most concurrent readers a lock allows.
const MAX_READS: u32 = u32::MAX >> 3;

impl<T> RwLock<T> {
    /// Creates an unlocked lock allowing up to `u32::MAX >> 3` concurrent readers.
    pub fn new(value: T) -> Self {
        Self::with_max_readers(value, MAX_READS)
    }

    /// Creates an unlocked lock allowing at most `max_reads` concurrent readers.
    ///
    /// # Panics
    ///
    /// Panics if `max_reads` is 0 or more than `u32::MAX >> 3`.
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> Self {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "RwLock::with_max_readers: max_reads must be between 1 and {MAX_READS}, got {max_reads}"
        );
        RwLock {
            max_readers: max_reads,
            semaphore: Semaphore::new(max_reads as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked lock in a `const` context, so it can live in a `static`.
    ///
    /// ```
    /// use spindle_sync::RwLock;
    ///
    /// static CONFIG: RwLock<u32> = RwLock::const_new(7);
    ///
    /// futures::executor::block_on(async {
    ///     assert_eq!(*CONFIG.read().await, 7);
    /// });
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Self {
        Self::const_with_max_readers(value, MAX_READS)
    }

    /// Like [`with_max_readers`](RwLock::with_max_readers), in a `const` context.
    ///
    /// # Panics
    ///
    /// Panics (at compile time in a `const`) if `max_reads` is 0 or more than
    /// `u32::MAX >> 3`.
    #[cfg(not(loom))]
    #[track_caller]
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> Self {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "RwLock::const_with_max_readers: max_reads must be between 1 and u32::MAX >> 3"
        );
        RwLock {
            max_readers: max_reads,
            semaphore: Semaphore::const_new(max_reads as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.acquire(1).await;
        self.read_guard()
    }

    /// Waits for exclusive write access.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue and hands back
    /// the permits it had gathered, so readers queued behind it proceed.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.acquire(self.max_readers).await;
        self.write_guard()
    }

    /// Like [`read`](RwLock::read), with a guard owning an `Arc` of the lock.
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.acquire(1).await;
        OwnedRwLockReadGuard::new(self)
    }

    /// Like [`write`](RwLock::write), with a guard owning an `Arc` of the lock.
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.acquire(self.max_readers).await;
        OwnedRwLockWriteGuard::new(self)
    }

    /// Takes read access if it is free now and no one is queued.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.try_acquire(1)?;
        Ok(self.read_guard())
    }

    /// Takes write access if it is free now and no one is queued.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        Ok(self.write_guard())
    }

    /// Like [`try_read`](RwLock::try_read), with an owned guard.
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.try_acquire(1)?;
        Ok(OwnedRwLockReadGuard::new(self))
    }

    /// Like [`try_write`](RwLock::try_write), with an owned guard.
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        Ok(OwnedRwLockWriteGuard::new(self))
    }

    /// Read access from synchronous code, parking the thread.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks (inside
    /// `Runtime::block_on` or an async task); `.await` [`read`](RwLock::read) there.
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::block_on::block_on(self.read())
    }

    /// Write access from synchronous code, parking the thread.
    ///
    /// # Panics
    ///
    /// Panics if called on a thread that drives async tasks (inside
    /// `Runtime::block_on` or an async task); `.await` [`write`](RwLock::write) there.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::block_on::block_on(self.write())
    }

    /// Mutable access without locking: `&mut self` proves nobody holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    async fn acquire(&self, permits: u32) {
        if Acquire::new(&self.semaphore, permits as usize)
            .await
            .is_err()
        {
            unreachable!("an RwLock's semaphore is never closed");
        }
    }

    fn try_acquire(&self, permits: u32) -> Result<(), TryLockError> {
        self.semaphore
            .try_take(permits as usize)
            .map_err(|_| TryLockError(()))
    }

    fn data_ptr(&self) -> *mut T {
        self.data.with_mut(|ptr| ptr)
    }

    /// The guard for one read permit just taken.
    fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        RwLockReadGuard {
            semaphore: &self.semaphore,
            data: self.data_ptr(),
            marker: PhantomData,
        }
    }

    /// The guard for every permit, just taken.
    fn write_guard(&self) -> RwLockWriteGuard<'_, T> {
        RwLockWriteGuard {
            semaphore: &self.semaphore,
            permits: self.max_readers,
            data: self.data_ptr(),
            marker: PhantomData,
        }
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => out.field("data", &&*guard),
            Err(_) => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

/// Moves the `Arc` out of an owned guard without running its `Drop` (which would
/// release the permits the caller is handing on).
fn take_arc<G, T: ?Sized>(guard: G, arc: impl FnOnce(&G) -> &Arc<RwLock<T>>) -> Arc<RwLock<T>> {
    let guard = std::mem::ManuallyDrop::new(guard);
    // SAFETY: `guard` is never used or dropped again, so the `Arc` is moved out exactly
    // once.
    unsafe { std::ptr::read(arc(&guard)) }
}

/// Shared access to the data of an [`RwLock`]; releases its permit on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    semaphore: &'a Semaphore,
    data: *const T,
    marker: PhantomData<&'a T>,
}

// SAFETY: the guard is a `&T` plus a read permit; it may cross or be shared between
// threads when `&T` may (`T: Sync`).
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// Narrows the guard to a part of the data, keeping the read permit.
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let data = f(&*this) as *const U;
        let semaphore = this.semaphore;
        std::mem::forget(this);
        RwLockReadGuard {
            semaphore,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](RwLockReadGuard::map), but `f` may decline, giving the guard back.
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let Some(data) = f(&*this) else {
            return Err(this);
        };
        let data = data as *const U;
        let semaphore = this.semaphore;
        std::mem::forget(this);
        Ok(RwLockReadGuard {
            semaphore,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer (which needs every
        // permit) can hold `&mut T` while it lives.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

guard_formatting!(RwLockReadGuard<'a>, T);

/// The methods shared by [`RwLockWriteGuard`] and [`RwLockMappedWriteGuard`], which
/// have the same fields: the semaphore, every permit, and the (narrowed) data.
macro_rules! borrowed_write_guard_methods {
    ($guard:ident) => {
        impl<'a, T: ?Sized> $guard<'a, T> {
            /// Narrows the guard to a part of the data, keeping exclusive access.
            pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
            where
                F: FnOnce(&mut T) -> &mut U,
            {
                let data = f(&mut *this) as *mut U;
                let (semaphore, permits) = this.disarm();
                RwLockMappedWriteGuard {
                    semaphore,
                    permits,
                    data,
                    marker: PhantomData,
                }
            }

            /// Like `map`, but `f` may decline, giving the guard back.
            pub fn try_map<U: ?Sized, F>(
                mut this: Self,
                f: F,
            ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
            where
                F: FnOnce(&mut T) -> Option<&mut U>,
            {
                let Some(data) = f(&mut *this) else {
                    return Err(this);
                };
                let data = data as *mut U;
                let (semaphore, permits) = this.disarm();
                Ok(RwLockMappedWriteGuard {
                    semaphore,
                    permits,
                    data,
                    marker: PhantomData,
                })
            }

            /// Narrows the guard to a part of the data and turns it into read access,
            /// without letting a writer in between.
            pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
            where
                F: FnOnce(&T) -> &U,
            {
                let data = f(&*this) as *const U;
                let (semaphore, permits) = this.disarm();
                // Keep one permit for the read guard; queued readers may take the rest.
                semaphore.release(permits as usize - 1);
                RwLockReadGuard {
                    semaphore,
                    data,
                    marker: PhantomData,
                }
            }

            /// Like `downgrade_map`, but `f` may decline, giving the write guard back.
            pub fn try_downgrade_map<U: ?Sized, F>(
                this: Self,
                f: F,
            ) -> Result<RwLockReadGuard<'a, U>, Self>
            where
                F: FnOnce(&T) -> Option<&U>,
            {
                let Some(data) = f(&*this) else {
                    return Err(this);
                };
                let data = data as *const U;
                let (semaphore, permits) = this.disarm();
                semaphore.release(permits as usize - 1);
                Ok(RwLockReadGuard {
                    semaphore,
                    data,
                    marker: PhantomData,
                })
            }

            /// Gives up the guard without releasing its permits, which the caller takes
            /// over.
            fn disarm(self) -> (&'a Semaphore, u32) {
                let parts = (self.semaphore, self.permits);
                std::mem::forget(self);
                parts
            }
        }

        impl<T: ?Sized> Deref for $guard<'_, T> {
            type Target = T;

            fn deref(&self) -> &T {
                // SAFETY: the guard holds every permit of the lock `data` points into:
                // no other guard exists.
                unsafe { &*self.data }
            }
        }

        impl<T: ?Sized> DerefMut for $guard<'_, T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: as in `deref`, and the guard is borrowed mutably.
                unsafe { &mut *self.data }
            }
        }

        impl<T: ?Sized> Drop for $guard<'_, T> {
            fn drop(&mut self) {
                self.semaphore.release(self.permits as usize);
            }
        }

        guard_formatting!($guard<'a>, T);

        // SAFETY: the guard gives `&mut T` on whichever thread holds it and `&T` to
        // every thread it is shared with, as `RwLock<T>` itself does.
        unsafe impl<T: ?Sized + Send + Sync> Send for $guard<'_, T> {}
        // SAFETY: as above.
        unsafe impl<T: ?Sized + Send + Sync> Sync for $guard<'_, T> {}
    };
}

/// Exclusive access to the data of an [`RwLock`]; releases its permits on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    semaphore: &'a Semaphore,
    permits: u32,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

borrowed_write_guard_methods!(RwLockWriteGuard);

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in between.
    ///
    /// ```
    /// use spindle_sync::RwLock;
    ///
    /// futures::executor::block_on(async {
    ///     let lock = RwLock::new(1);
    ///     let mut writer = lock.write().await;
    ///     *writer = 2;
    ///     let reader = writer.downgrade();
    ///     assert_eq!(*reader, 2);
    ///     assert!(lock.try_read().is_ok(), "other readers may join");
    ///     assert!(lock.try_write().is_err(), "writers may not");
    /// });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        RwLockWriteGuard::downgrade_map(self, |data| data)
    }

    /// Keeps exclusive access as an [`RwLockMappedWriteGuard`] of the whole value.
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        RwLockWriteGuard::map(this, |data| data)
    }
}

/// A write guard narrowed by [`RwLockWriteGuard::map`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    semaphore: &'a Semaphore,
    permits: u32,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

borrowed_write_guard_methods!(RwLockMappedWriteGuard);

/// A read guard owning an `Arc` of its lock (see [`RwLock::read_owned`]), possibly
/// narrowed to a part `U` of the locked `T` by [`map`](OwnedRwLockReadGuard::map).
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    data: *const U,
}

// SAFETY: the guard owns an `Arc` of the lock (movable and shareable when the lock is,
// `T: Send + Sync`) and gives `&U` only (`U: Sync`).
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockReadGuard<T, U> {}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    fn new(lock: Arc<RwLock<T>>) -> Self {
        let data = lock.data_ptr();
        OwnedRwLockReadGuard { lock, data }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// Narrows the guard to a part of the data, keeping the read permit and the `Arc`.
    pub fn map<V: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V>
    where
        F: FnOnce(&U) -> &V,
    {
        let data = f(&*this) as *const V;
        let lock = take_arc(this, |guard| &guard.lock);
        OwnedRwLockReadGuard { lock, data }
    }

    /// Like [`map`](OwnedRwLockReadGuard::map), but `f` may decline, giving the guard
    /// back.
    pub fn try_map<V: ?Sized, F>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        let Some(data) = f(&*this) else {
            return Err(this);
        };
        let data = data as *const V;
        let lock = take_arc(this, |guard| &guard.lock);
        Ok(OwnedRwLockReadGuard { lock, data })
    }

    /// The lock this guard reads.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: the guard holds a read permit, so no writer exists while it lives.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

guard_formatting!(OwnedRwLockReadGuard, T, U);

/// The methods shared by [`OwnedRwLockWriteGuard`] and [`OwnedRwLockMappedWriteGuard`]:
/// both own the `Arc`, every permit, and a pointer to (a part of) the data.
macro_rules! owned_write_guard_methods {
    ($guard:ty, [$($generics:tt)*], $t:ident, $u:ident) => {
        impl<$($generics)*> $guard {
            /// Narrows the guard to a part of the data, keeping exclusive access.
            pub fn map<V: ?Sized, F>(mut this: Self, f: F) -> OwnedRwLockMappedWriteGuard<$t, V>
            where
                F: FnOnce(&mut $u) -> &mut V,
            {
                let data = f(&mut *this) as *mut V;
                let lock = take_arc(this, |guard| &guard.lock);
                OwnedRwLockMappedWriteGuard { lock, data }
            }

            /// Like `map`, but `f` may decline, giving the guard back.
            pub fn try_map<V: ?Sized, F>(
                mut this: Self,
                f: F,
            ) -> Result<OwnedRwLockMappedWriteGuard<$t, V>, Self>
            where
                F: FnOnce(&mut $u) -> Option<&mut V>,
            {
                let Some(data) = f(&mut *this) else {
                    return Err(this);
                };
                let data = data as *mut V;
                let lock = take_arc(this, |guard| &guard.lock);
                Ok(OwnedRwLockMappedWriteGuard { lock, data })
            }

            /// Narrows the guard to a part of the data and turns it into read access,
            /// without letting a writer in between.
            pub fn downgrade_map<V: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<$t, V>
            where
                F: FnOnce(&$u) -> &V,
            {
                let data = f(&*this) as *const V;
                let lock = take_arc(this, |guard| &guard.lock);
                // Keep one permit for the read guard; queued readers may take the rest.
                lock.semaphore.release(lock.max_readers as usize - 1);
                OwnedRwLockReadGuard { lock, data }
            }

            /// Like `downgrade_map`, but `f` may decline, giving the write guard back.
            pub fn try_downgrade_map<V: ?Sized, F>(
                this: Self,
                f: F,
            ) -> Result<OwnedRwLockReadGuard<$t, V>, Self>
            where
                F: FnOnce(&$u) -> Option<&V>,
            {
                let Some(data) = f(&*this) else {
                    return Err(this);
                };
                let data = data as *const V;
                let lock = take_arc(this, |guard| &guard.lock);
                lock.semaphore.release(lock.max_readers as usize - 1);
                Ok(OwnedRwLockReadGuard { lock, data })
            }

            /// The lock this guard writes.
            pub fn rwlock(this: &Self) -> &Arc<RwLock<$t>> {
                &this.lock
            }
        }

        impl<$($generics)*> Deref for $guard {
            type Target = $u;

            fn deref(&self) -> &$u {
                // SAFETY: the guard holds every permit: no other guard exists.
                unsafe { &*self.data }
            }
        }

        impl<$($generics)*> DerefMut for $guard {
            fn deref_mut(&mut self) -> &mut $u {
                // SAFETY: the guard holds every permit and is borrowed mutably.
                unsafe { &mut *self.data }
            }
        }

        impl<$($generics)*> Drop for $guard {
            fn drop(&mut self) {
                self.lock.semaphore.release(self.lock.max_readers as usize);
            }
        }
    };
}

/// A write guard owning an `Arc` of its lock; see [`RwLock::write_owned`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    data: *mut T,
}

owned_write_guard_methods!(OwnedRwLockWriteGuard<T>, [T: ?Sized], T, T);
guard_formatting!(OwnedRwLockWriteGuard, T);

// SAFETY: the guard owns an `Arc` of the lock and gives `&mut T` to its holder and `&T`
// to those it is shared with, as `RwLock<T>` itself does.
unsafe impl<T: ?Sized + Send + Sync> Send for OwnedRwLockWriteGuard<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    fn new(lock: Arc<RwLock<T>>) -> Self {
        let data = lock.data_ptr();
        OwnedRwLockWriteGuard { lock, data }
    }

    /// Turns write access into read access without letting a writer in between.
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        OwnedRwLockWriteGuard::downgrade_map(self, |data| data)
    }

    /// Keeps exclusive access as an [`OwnedRwLockMappedWriteGuard`] of the whole value.
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        OwnedRwLockWriteGuard::map(this, |data| data)
    }
}

/// An owned write guard narrowed to a part `U` of the locked `T` by
/// [`OwnedRwLockWriteGuard::map`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    data: *mut U,
}

owned_write_guard_methods!(OwnedRwLockMappedWriteGuard<T, U>, [T: ?Sized, U: ?Sized], T, U);
guard_formatting!(OwnedRwLockMappedWriteGuard, T, U);

// SAFETY: the guard owns an `Arc` of the lock and gives `&mut U` to its holder and `&U`
// to those it is shared with.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Send
    for OwnedRwLockMappedWriteGuard<T, U>
{
}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync
    for OwnedRwLockMappedWriteGuard<T, U>
{
}
