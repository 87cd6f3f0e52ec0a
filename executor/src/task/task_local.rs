//! Task-local storage: a value that belongs to one task (or one scope within it) and
//! follows it across workers.
//!
//! A `LocalKey` is a thread-local slot. `scope` wraps a future so that, for the
//! duration of each of its polls (and of its drop), the slot holds the scope's value;
//! after the poll the value is swapped back out into the wrapper. So the value moves
//! with the task from worker to worker, and two tasks polled on one thread never see
//! each other's values.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Declares task-local keys, like `std::thread_local!`:
///
/// ```
/// spindle_executor::task_local! {
///     static REQUEST_ID: u64;
/// }
///
/// let rt = spindle_executor::runtime::Runtime::new().unwrap();
/// rt.block_on(REQUEST_ID.scope(7, async {
///     assert_eq!(REQUEST_ID.get(), 7);
/// }));
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __SPINDLE_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey { inner: &__SPINDLE_TASK_LOCAL }
        };
    };
}

/// A key for task-local data, declared with [`task_local!`](crate::task_local).
pub struct LocalKey<T: 'static> {
    #[doc(hidden)]
    pub inner: &'static std::thread::LocalKey<RefCell<Option<T>>>,
}

/// Why a task-local value could not be read: no scope set it on this task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessError(());

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "task-local value read outside its scope: wrap the future in KEY.scope(value, \
             future) or the code in KEY.sync_scope(value, || ...)",
        )
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> LocalKey<T> {
    /// Runs `future` with the key set to `value` during every poll.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs `work` with the key set to `value`.
    pub fn sync_scope<R>(&'static self, value: T, work: impl FnOnce() -> R) -> R {
        let mut slot = Some(value);
        self.enter_scope(&mut slot, work)
    }

    /// Swaps `slot` into the thread-local for the duration of `work`, and back out
    /// after, also when `work` unwinds.
    fn enter_scope<R>(&'static self, slot: &mut Option<T>, work: impl FnOnce() -> R) -> R {
        struct SwapBack<'a, T: 'static> {
            key: &'static LocalKey<T>,
            slot: &'a mut Option<T>,
        }
        impl<T: 'static> Drop for SwapBack<'_, T> {
            fn drop(&mut self) {
                let _ = self
                    .key
                    .inner
                    .try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.slot));
            }
        }
        self.inner
            .with(|cell| std::mem::swap(&mut *cell.borrow_mut(), slot));
        let _swap_back = SwapBack { key: self, slot };
        work()
    }

    /// Calls `read` with a reference to the value.
    ///
    /// # Panics
    ///
    /// Panics outside a scope of this key; use [`try_with`](LocalKey::try_with) to
    /// get an error instead.
    #[track_caller]
    pub fn with<R>(&'static self, read: impl FnOnce(&T) -> R) -> R {
        match self.try_with(read) {
            Ok(result) => result,
            Err(error) => panic!("{error}"),
        }
    }

    /// Calls `read` with a reference to the value, or fails outside a scope.
    pub fn try_with<R>(&'static self, read: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        self.inner
            .try_with(|cell| {
                let value = cell.borrow();
                value.as_ref().map(read).ok_or(AccessError(()))
            })
            .map_err(|_| AccessError(()))?
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the value in scope, or an error outside every scope of this key.
    ///
    /// ```
    /// spindle_executor::task_local! {
    ///     static USER: String;
    /// }
    ///
    /// assert!(USER.try_get().is_err());
    /// USER.sync_scope("ada".to_string(), || assert_eq!(USER.try_get().unwrap(), "ada"));
    /// ```
    pub fn try_get(&'static self) -> Result<T, AccessError> {
        self.try_with(T::clone)
    }

    /// A copy of the value.
    ///
    /// # Panics
    ///
    /// Panics outside a scope of this key.
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKey { .. }")
    }
}

pin_project! {
    /// A future with a task-local value in scope; made by [`LocalKey::scope`].
    pub struct TaskLocalFuture<T: 'static, F> {
        key: &'static LocalKey<T>,
        slot: Option<T>,
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.future.is_some() {
                // The future's destructor sees the value too, as its polls did.
                let key = *this.key;
                let future = this.future;
                key.enter_scope(this.slot, || {
                    let mut future = future;
                    future.set(None);
                });
            }
        }
    }
}

impl<T: 'static, F> TaskLocalFuture<T, F> {
    /// Takes the scope's value out of the future: `Some` the first time, `None` once
    /// it was taken. The future may still be polled (or was already completed);
    /// from then on the key has no value inside it.
    ///
    /// ```
    /// spindle_executor::task_local! {
    ///     static REQUEST_ID: u32;
    /// }
    ///
    /// # spindle_executor::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut scoped = Box::pin(REQUEST_ID.scope(7, async {}));
    /// scoped.as_mut().await;
    /// assert_eq!(scoped.as_mut().take_value(), Some(7));
    /// assert_eq!(scoped.as_mut().take_value(), None);
    /// # });
    /// ```
    pub fn take_value(self: Pin<&mut Self>) -> Option<T> {
        self.project().slot.take()
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let key = *this.key;
        let mut future = this.future;
        let polled = key.enter_scope(this.slot, || {
            future.as_mut().as_pin_mut().map(|inner| inner.poll(cx))
        });
        match polled {
            Some(Poll::Ready(output)) => {
                let slot = this.slot;
                key.enter_scope(slot, || future.set(None));
                Poll::Ready(output)
            }
            Some(Poll::Pending) => Poll::Pending,
            None => panic!("TaskLocalFuture polled after it completed"),
        }
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TaskLocalFuture { .. }")
    }
}
