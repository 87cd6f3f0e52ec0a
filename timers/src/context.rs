//! The thread-local "current timer handle".
//!
//! The executor enters its runtime's handle on every worker thread, inside `block_on`
//! and on blocking-pool threads ([`Handle::enter`]); `sleep`, `timeout`, `interval` and
//! `Instant::now` find their runtime here. Guards nest: each remembers the handle it
//! replaced and puts it back on drop, so entering a second runtime inside the first
//! and leaving it again restores the first.

use std::cell::RefCell;
use std::marker::PhantomData;

use crate::driver::Handle;
// Under loom the threads of a model share one OS thread, so the slot must be loom's.
#[cfg(not(loom))]
std::thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: RefCell<Option<Handle>> = RefCell::new(None);
}

/// Runs `f` with the current handle, without cloning it. During thread teardown, when
/// the thread-local is gone, `f` sees `None`.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Handle>) -> R) -> R {
    let mut f = Some(f);
    let ran = CURRENT.try_with(|current| f.take().map(|f| f(current.borrow().as_ref())));
    if let Ok(Some(value)) = ran {
        return value;
    }
    match f {
        Some(f) => f(None),
        None => unreachable!("the closure ran but its value was lost"),
    }
}

/// Makes `handle` current on this thread until the guard drops.
pub(crate) fn enter(handle: Handle) -> EnterGuard {
    let previous = CURRENT.with(|current| current.replace(Some(handle)));
    EnterGuard {
        previous,
        _not_send: PhantomData,
    }
}

/// Keeps a timer handle current on this thread; returned by [`Handle::enter`].
///
/// Dropping it makes the previously current handle (if any) current again. Guards
/// must be dropped in the reverse order of entering, on the thread that entered.
#[must_use = "the handle is only current while the guard lives"]
#[derive(Debug)]
pub struct EnterGuard {
    previous: Option<Handle>,
    /// The guard restores a thread-local, so it must stay on its thread.
    _not_send: PhantomData<*const ()>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // During thread teardown the thread-local may already be gone; nothing to restore.
        let _ = CURRENT.try_with(|current| {
            let replaced = current.replace(previous);
            drop(replaced);
        });
    }
}
