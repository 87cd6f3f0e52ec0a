//! The thread-local "current reactor handle".
//!
//! The executor enters its runtime's handle on every worker thread, inside `block_on`
//! and on blocking-pool threads ([`Handle::enter`]); sockets created there register with
//! that runtime's reactor. Guards nest: each remembers the handle it replaced and puts
//! it back on drop.

use std::cell::RefCell;
use std::marker::PhantomData;

use crate::driver::Handle;

std::thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// A clone of the current handle; `None` outside a runtime (or during thread teardown).
pub(crate) fn current() -> Option<Handle> {
    CURRENT
        .try_with(|current| current.borrow().clone())
        .ok()
        .flatten()
}

/// The current handle, or a panic that names `call` and says how to enter a runtime.
///
/// The panic opens with tokio's words for the same mistake (programs and tests ported
/// from tokio match on them), then says what spindle expects instead.
#[track_caller]
pub(crate) fn current_for(call: &str) -> Handle {
    match current() {
        Some(handle) => handle,
        None if spindle_sync::runtime_context::is_driving_tasks() => panic!(
            "A Tokio 1.x context was found, but IO is disabled. Call `enable_io` on the \
             runtime builder to enable IO. ({call} called outside a runtime with IO \
             enabled: build the runtime with enable_io() or enable_all())"
        ),
        None => panic!(
            "there is no reactor running, must be called from the context of a Tokio 1.x \
             runtime: {call} called outside a runtime with IO enabled: call it from \
             inside Runtime::block_on() or a spawned task of a runtime built with \
             enable_io() or enable_all() (or #[spindle::main]), or enter one with \
             Runtime::enter()"
        ),
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

/// Keeps a reactor handle current on this thread; returned by [`Handle::enter`].
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
