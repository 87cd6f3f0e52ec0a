//! [`Mutex`], [`RwLock`] and [`Condvar`]: parking_lot's non-poisoning API, backed by
//! loom's locks (poisoning stripped) under `cfg(loom)`.

/// A mutual-exclusion lock whose `lock` never fails (parking_lot's does not poison).
#[derive(Debug, Default)]
pub struct Mutex<T>(
    #[cfg(not(loom))] parking_lot::Mutex<T>,
    #[cfg(loom)] loom::sync::Mutex<T>,
);

// As std's Mutex (and tokio's types): the runtime's lock sections that can panic leave
// only wakers moved in or out of slots, which a later poll reads correctly, so types
// built on this lock (sockets, sync primitives) may be RefUnwindSafe, as tokio's are.
#[cfg(not(loom))]
impl<T> std::panic::RefUnwindSafe for Mutex<T> {}

/// The guard [`Mutex::lock`] returns.
#[cfg(not(loom))]
pub type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
/// The guard [`Mutex::lock`] returns.
#[cfg(loom)]
pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    #[cfg(not(loom))]
    #[inline]
    pub const fn new(value: T) -> Self {
        Mutex(parking_lot::Mutex::new(value))
    }

    /// An unlocked mutex holding `value`.
    #[cfg(loom)]
    #[inline]
    pub fn new(value: T) -> Self {
        Mutex(loom::sync::Mutex::new(value))
    }

    /// Blocks until the lock is held.
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(not(loom))]
        return self.0.lock();
        #[cfg(loom)]
        return self.0.lock().unwrap_or_else(|poison| poison.into_inner());
    }

    /// Takes the lock if no one holds it.
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        #[cfg(not(loom))]
        return self.0.try_lock();
        #[cfg(loom)]
        return self.0.try_lock().ok();
    }

    /// The contents, through exclusive access to the mutex.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        #[cfg(not(loom))]
        return self.0.get_mut();
        #[cfg(loom)]
        return self
            .0
            .get_mut()
            .unwrap_or_else(|poison| poison.into_inner());
    }
}

/// A reader-writer lock whose `read`/`write` never fail.
#[derive(Debug, Default)]
pub struct RwLock<T>(
    #[cfg(not(loom))] parking_lot::RwLock<T>,
    #[cfg(loom)] loom::sync::RwLock<T>,
);

/// The guard [`RwLock::read`] returns.
#[cfg(not(loom))]
pub type RwLockReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
/// The guard [`RwLock::write`] returns.
#[cfg(not(loom))]
pub type RwLockWriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;
/// The guard [`RwLock::read`] returns.
#[cfg(loom)]
pub type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
/// The guard [`RwLock::write`] returns.
#[cfg(loom)]
pub type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    #[inline]
    pub fn new(value: T) -> Self {
        #[cfg(not(loom))]
        return RwLock(parking_lot::RwLock::new(value));
        #[cfg(loom)]
        return RwLock(loom::sync::RwLock::new(value));
    }

    /// Blocks until a shared hold is taken.
    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        #[cfg(not(loom))]
        return self.0.read();
        #[cfg(loom)]
        return self.0.read().unwrap_or_else(|poison| poison.into_inner());
    }

    /// Blocks until the exclusive hold is taken.
    #[inline]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        #[cfg(not(loom))]
        return self.0.write();
        #[cfg(loom)]
        return self.0.write().unwrap_or_else(|poison| poison.into_inner());
    }

    /// The contents, through exclusive access to the lock.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        #[cfg(not(loom))]
        return self.0.get_mut();
        #[cfg(loom)]
        return self
            .0
            .get_mut()
            .unwrap_or_else(|poison| poison.into_inner());
    }

    /// The contents, consuming the lock.
    #[inline]
    pub fn into_inner(self) -> T {
        #[cfg(not(loom))]
        return self.0.into_inner();
        #[cfg(loom)]
        return self
            .0
            .into_inner()
            .unwrap_or_else(|poison| poison.into_inner());
    }
}

/// A condition variable paired with [`Mutex`].
#[derive(Debug, Default)]
pub struct Condvar(
    #[cfg(not(loom))] parking_lot::Condvar,
    #[cfg(loom)] loom::sync::Condvar,
);

impl Condvar {
    /// A condvar no one waits on.
    #[inline]
    pub fn new() -> Self {
        #[cfg(not(loom))]
        return Condvar(parking_lot::Condvar::new());
        #[cfg(loom)]
        return Condvar(loom::sync::Condvar::new());
    }

    /// Releases `guard`'s lock, waits for a notification and takes the lock again.
    #[cfg(not(loom))]
    #[inline]
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0.wait(&mut guard);
        guard
    }

    /// Releases `guard`'s lock, waits for a notification and takes the lock again.
    #[cfg(loom)]
    #[inline]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0
            .wait(guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for a notification or until `timeout` passes. Under loom, time does not
    /// exist, so this is a plain wait.
    #[cfg(not(loom))]
    #[inline]
    pub fn wait_timeout<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: std::time::Duration,
    ) -> MutexGuard<'a, T> {
        self.0.wait_for(&mut guard, timeout);
        guard
    }

    /// Waits for a notification or until `timeout` passes. Under loom, time does not
    /// exist, so this is a plain wait.
    #[cfg(loom)]
    #[inline]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        _timeout: std::time::Duration,
    ) -> MutexGuard<'a, T> {
        self.wait(guard)
    }

    /// Wakes one waiter.
    #[inline]
    pub fn notify_one(&self) {
        self.0.notify_one();
    }

    /// Wakes every waiter.
    #[inline]
    pub fn notify_all(&self) {
        self.0.notify_all();
    }
}
