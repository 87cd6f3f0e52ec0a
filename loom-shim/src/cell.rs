//! [`UnsafeCell`]: std's cell behind loom's closure-based access API, or loom's tracked
//! cell under `cfg(loom)`.

/// A cell whose accesses loom checks under `cfg(loom)`; a plain `std::cell::UnsafeCell`
/// otherwise. Only closure-based access is offered, so both builds share one API.
#[derive(Debug)]
pub struct UnsafeCell<T: ?Sized>(
    #[cfg(not(loom))] std::cell::UnsafeCell<T>,
    #[cfg(loom)] loom::cell::UnsafeCell<T>,
);

impl<T> UnsafeCell<T> {
    /// A cell holding `value`.
    #[cfg(not(loom))]
    #[inline]
    pub const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// A cell holding `value`.
    #[cfg(loom)]
    #[inline]
    pub fn new(value: T) -> Self {
        UnsafeCell(loom::cell::UnsafeCell::new(value))
    }

    /// The contents, consuming the cell.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Reads through a shared pointer to the contents.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with(f);
    }

    /// Writes through a mutable pointer to the contents.
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with_mut(f);
    }

    /// The contents, through exclusive access to the cell.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        #[cfg(not(loom))]
        return self.0.get_mut();
        // SAFETY: `&mut self` proves no other access to the cell exists.
        #[cfg(loom)]
        return self.0.with_mut(|ptr| unsafe { &mut *ptr });
    }
}
