//! `runtime::Id`: a process-unique number for each runtime built.
//!
//! Ids come from one process-wide counter, so two runtimes alive at the same time
//! never share one; an id is not reused after its runtime is dropped either (the
//! counter is 64 bits wide and only grows).

use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opaque, process-unique identifier of a runtime, from
/// [`Handle::id`](super::Handle::id).
///
/// ```
/// use spindle_executor::runtime::Runtime;
///
/// let first = Runtime::new().unwrap();
/// let second = Runtime::new().unwrap();
/// assert_ne!(first.handle().id(), second.handle().id());
/// assert_eq!(first.handle().id(), first.handle().clone().id());
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq)]
pub struct Id(NonZeroU64);

impl Id {
    /// The next unused id.
    pub(crate) fn next() -> Id {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let value = NEXT.fetch_add(1, Ordering::Relaxed);
        match NonZeroU64::new(value) {
            Some(value) => Id(value),
            None => unreachable!("the runtime id counter starts at 1 and cannot wrap in 64 bits"),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
