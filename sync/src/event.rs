//! `Event`: asyncio's latched flag, beyond tokio.
//!
//! A flag plus a [`Notify`]. `set` raises the flag and then wakes every waiter with
//! `notify_waiters`; `wait` creates its `Notified` *before* checking the flag, and a
//! `Notified` counts every `notify_waiters` after its creation, so a `set` racing with
//! `wait` is never missed. As in asyncio, a task woken by `set` returns even if the
//! flag was cleared again before it ran.

use std::fmt;

use crate::notify::Notify;
use spindle_loom_shim::{AtomicBool, Ordering};

/// A latched flag tasks can wait on: asyncio's `Event`.
///
/// ```
/// use std::sync::Arc;
/// use spindle_sync::Event;
///
/// let ready = Arc::new(Event::new());
/// let setter = {
///     let ready = Arc::clone(&ready);
///     std::thread::spawn(move || ready.set())
/// };
/// futures::executor::block_on(ready.wait());
/// assert!(ready.is_set());
/// setter.join().expect("setter panicked");
/// ```
pub struct Event {
    flag: AtomicBool,
    notify: Notify,
}

impl Event {
    /// Creates an event whose flag is clear.
    pub fn new() -> Self {
        Event {
            flag: AtomicBool::new(false),
            notify: Notify::new(),
        }
    }

    /// Raises the flag and wakes every waiting task. Later `wait`s return at once
    /// until [`clear`](Event::clear) is called.
    pub fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Lowers the flag; later `wait`s block until the next [`set`](Event::set).
    pub fn clear(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }

    /// Whether the flag is raised.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Waits until the flag is raised; returns at once if it already is.
    ///
    /// Cancel safe: dropping the future only leaves the queue of waiters.
    pub async fn wait(&self) {
        let notified = self.notify.notified();
        if self.is_set() {
            return;
        }
        notified.await;
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}
