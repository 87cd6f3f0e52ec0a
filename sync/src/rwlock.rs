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

use crate::loom::UnsafeCell;
use crate::mutex::TryLockError;
use crate::semaphore::{Acquire, Semaphore};

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
pub struct RwLock<T> {
    max_readers: u32,
    semaphore: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: readers on several threads share `&T` (needs `T: Sync`); a writer on any
// thread gets `&mut T` (needs `T: Send`).
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}
// SAFETY: moving the lock moves the `T` it owns.
unsafe impl<T: Send> Send for RwLock<T> {}

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

    /// Waits for shared read access.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.acquire(1).await;
        RwLockReadGuard {
            semaphore: &self.semaphore,
            data: self.data_ptr(),
            marker: PhantomData,
        }
    }

    /// Waits for exclusive write access.
    ///
    /// Cancel safe: dropping the future gives up its place in the queue and hands back
    /// the permits it had gathered, so readers queued behind it proceed.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.acquire(self.max_readers).await;
        RwLockWriteGuard { lock: self }
    }

    /// Like [`read`](RwLock::read), with a guard owning an `Arc` of the lock.
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.acquire(1).await;
        OwnedRwLockReadGuard { lock: self }
    }

    /// Like [`write`](RwLock::write), with a guard owning an `Arc` of the lock.
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.acquire(self.max_readers).await;
        let permits = self.max_readers as usize;
        OwnedRwLockWriteGuard {
            lock: self,
            permits,
        }
    }

    /// Takes read access if it is free now and no one is queued.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.try_acquire(1)?;
        Ok(RwLockReadGuard {
            semaphore: &self.semaphore,
            data: self.data_ptr(),
            marker: PhantomData,
        })
    }

    /// Takes write access if it is free now and no one is queued.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        Ok(RwLockWriteGuard { lock: self })
    }

    /// Like [`try_read`](RwLock::try_read), with an owned guard.
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.try_acquire(1)?;
        Ok(OwnedRwLockReadGuard { lock: self })
    }

    /// Like [`try_write`](RwLock::try_write), with an owned guard.
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        let permits = self.max_readers as usize;
        Ok(OwnedRwLockWriteGuard {
            lock: self,
            permits,
        })
    }

    /// Read access from synchronous code, parking the thread. Not for async code.
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::blocking::block_on(self.read())
    }

    /// Write access from synchronous code, parking the thread. Not for async code.
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::blocking::block_on(self.write())
    }

    /// Mutable access without locking: `&mut self` proves nobody holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
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

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => out.field("data", &&*guard),
            Err(_) => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

/// Shared access to the data of an [`RwLock`]; releases its permit on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T> {
    semaphore: &'a Semaphore,
    data: *const T,
    marker: PhantomData<&'a T>,
}

// SAFETY: the guard is a `&T` plus a read permit; it may cross or be shared between
// threads when `&T` may (`T: Sync`).
unsafe impl<T: Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T> RwLockReadGuard<'a, T> {
    /// Narrows the guard to a part of the data, keeping the read permit.
    pub fn map<U, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
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
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer (which needs every
        // permit) can hold `&mut T` while it lives.
        unsafe { &*self.data }
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to the data of an [`RwLock`]; releases its permits on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
}

// SAFETY: sharing the guard shares `&T` only.
unsafe impl<T: Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<'a, T> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in between.
    pub fn downgrade(this: Self) -> RwLockReadGuard<'a, T> {
        let lock = this.lock;
        std::mem::forget(this);
        lock.semaphore.release(lock.max_readers as usize - 1);
        RwLockReadGuard {
            semaphore: &lock.semaphore,
            data: lock.data_ptr(),
            marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the data, keeping exclusive access.
    pub fn map<U, F>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let lock = this.lock;
        // SAFETY: `this` holds every permit, so we have exclusive access; the permits
        // move into the mapped guard (`forget` keeps `this` from releasing them).
        let data = f(unsafe { &mut *lock.data_ptr() }) as *mut U;
        std::mem::forget(this);
        RwLockMappedWriteGuard {
            semaphore: &lock.semaphore,
            permits: lock.max_readers as usize,
            data,
            marker: PhantomData,
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit: no other guard exists.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit and is borrowed mutably.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(self.lock.max_readers as usize);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A write guard narrowed by [`RwLockWriteGuard::map`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockMappedWriteGuard<'a, T> {
    semaphore: &'a Semaphore,
    permits: usize,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

// SAFETY: a `&mut T` plus the permits that make it exclusive.
unsafe impl<T: Send> Send for RwLockMappedWriteGuard<'_, T> {}
// SAFETY: sharing it shares `&T` only.
unsafe impl<T: Sync> Sync for RwLockMappedWriteGuard<'_, T> {}

impl<T> Deref for RwLockMappedWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit of the lock `data` points into.
        unsafe { &*self.data }
    }
}

impl<T> DerefMut for RwLockMappedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and the guard is borrowed mutably.
        unsafe { &mut *self.data }
    }
}

impl<T> Drop for RwLockMappedWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(self.permits);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockMappedWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A read guard owning an `Arc` of its lock; see [`RwLock::read_owned`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockReadGuard<T> {
    lock: Arc<RwLock<T>>,
}

impl<T> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer exists while it lives.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A write guard owning an `Arc` of its lock; see [`RwLock::write_owned`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockWriteGuard<T> {
    lock: Arc<RwLock<T>>,
    /// Permits released on drop: all of them, or none once downgraded.
    permits: usize,
}

// SAFETY: sharing the guard shares `&T` only.
unsafe impl<T: Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}

impl<T> OwnedRwLockWriteGuard<T> {
    /// Turns write access into read access without letting a writer in between.
    pub fn downgrade(mut this: Self) -> OwnedRwLockReadGuard<T> {
        let lock = Arc::clone(&this.lock);
        // Keep one permit for the read guard; `this` releases nothing on drop.
        this.permits = 0;
        drop(this);
        lock.semaphore.release(lock.max_readers as usize - 1);
        OwnedRwLockReadGuard { lock }
    }
}

impl<T> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit: no other guard exists.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit and is borrowed mutably.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(self.permits);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
