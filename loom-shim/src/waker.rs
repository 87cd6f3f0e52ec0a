//! [`replace_waker`]: the one step of storing a waiter's waker.

use std::task::Waker;

/// Stores a clone of `waker` in `slot` unless the stored one already wakes the same
/// task, and hands back the waker it replaced.
///
/// The caller usually holds a lock around `slot`; it must drop the returned waker only
/// after releasing that lock, because a waker's destructor may run arbitrary code (the
/// last reference to a task, whose drop can reach the same lock).
#[must_use = "drop the replaced waker after releasing the lock that guards the slot"]
#[inline]
pub fn replace_waker(slot: &mut Option<Waker>, waker: &Waker) -> Option<Waker> {
    match slot {
        Some(stored) if stored.will_wake(waker) => None,
        _ => slot.replace(waker.clone()),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::replace_waker;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn stores_into_an_empty_slot() {
        let (_, w) = waker();
        let mut slot = None;
        assert!(replace_waker(&mut slot, &w).is_none());
        assert!(slot.as_ref().is_some_and(|s| s.will_wake(&w)));
    }

    #[test]
    fn keeps_a_waker_of_the_same_task() {
        let (_, w) = waker();
        let mut slot = Some(w.clone());
        assert!(replace_waker(&mut slot, &w).is_none());
        assert!(slot.as_ref().is_some_and(|s| s.will_wake(&w)));
    }

    #[test]
    fn hands_back_a_waker_of_another_task() {
        let (old_count, old) = waker();
        let (_, new) = waker();
        let mut slot = Some(old);
        let replaced = replace_waker(&mut slot, &new).expect("the old waker comes back");
        assert!(slot.as_ref().is_some_and(|s| s.will_wake(&new)));
        replaced.wake();
        assert_eq!(old_count.0.load(Ordering::SeqCst), 1);
    }
}
