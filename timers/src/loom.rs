//! The crate's private synchronisation shim: every atomic, lock and `Arc` the timer
//! driver uses comes from here (the current-handle thread-local picks loom's in
//! `context` the same way).
//!
//! A normal build gets std's atomics and `Arc` and parking_lot's
//! mutex; a build with `RUSTFLAGS="--cfg loom"` gets loom's stand-ins, so a loom model
//! can explore insert, cancel and fire racing on the driver without changing a line of
//! the driver. Both halves expose one API (`lock()` returns the guard directly, as
//! parking_lot's does), and nothing outside this module names std, parking_lot or loom
//! synchronisation types.

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
    pub(crate) use std::sync::Arc;

    /// A mutual-exclusion lock whose `lock` never fails (parking_lot's does not poison).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

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
    pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
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
