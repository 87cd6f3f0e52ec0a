//! The crate's private synchronisation shim: every atomic and lock of the readiness
//! protocol comes from here.
//!
//! A normal build gets std's atomics and `Arc` and parking_lot's mutex; a build with
//! `RUSTFLAGS="--cfg loom"` gets loom's stand-ins, so a loom model can race readiness
//! dispatch against `WouldBlock`-and-clear and waker registration without changing a
//! line of [`ScheduledIo`](crate::scheduled_io::ScheduledIo). Both halves expose one
//! API (`lock()` returns the guard directly, as parking_lot's does).

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    pub(crate) use std::sync::Arc;

    /// A mutual-exclusion lock whose `lock` never fails (parking_lot's does not poison).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    // As std's Mutex (and tokio's): a lock section that panics leaves only wakers moved
    // in or out of slots, which a later poll reads correctly, so sockets are RefUnwindSafe.
    impl<T> std::panic::RefUnwindSafe for Mutex<T> {}

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(parking_lot::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    pub(crate) use loom::sync::Arc;

    /// loom's mutex with poisoning stripped, matching the parking_lot API.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|poison| poison.into_inner())
        }
    }
}

pub(crate) use imp::*;
