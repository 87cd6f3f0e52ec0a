//! Task wakers: a `Waker` is a counted reference to the task cell, so cloning one is
//! an atomic increment and waking one is a state transition plus, at most, one queue
//! push. Nothing here allocates.

use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::cell::Header;
use super::state::TransitionToNotifiedByVal;

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_waker, wake_by_val, wake_by_ref, drop_waker);

/// A waker for the task that does not own a reference: the caller wraps it in
/// `ManuallyDrop` and keeps the task alive while it is in use (the runner's reference).
pub(crate) fn borrowed(header: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's functions uphold `RawWaker`'s contract for a header pointer
    // of a live cell; the caller keeps the cell alive and never drops this waker.
    unsafe {
        Waker::from_raw(RawWaker::new(
            header.as_ptr().cast_const().cast(),
            &WAKER_VTABLE,
        ))
    }
}

/// # Safety
/// `data` is the header pointer of a live task cell.
unsafe fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: per the contract; each waker owns a reference that keeps the cell alive.
    unsafe { &*data.cast::<Header>() }
}

unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: `data` came from a waker of a live cell.
    unsafe { header(data) }.state.ref_inc();
    RawWaker::new(data, &WAKER_VTABLE)
}

unsafe fn wake_by_val(data: *const ()) {
    // SAFETY: `data` came from a waker of a live cell, whose reference we consume.
    let header_ref = unsafe { header(data) };
    let ptr = NonNull::from(header_ref);
    match header_ref.state.transition_to_notified_by_val() {
        TransitionToNotifiedByVal::DoNothing => {}
        // SAFETY: our reference becomes the task's `Notified`.
        TransitionToNotifiedByVal::Submit => unsafe { (header_ref.vtable.schedule)(ptr) },
        // SAFETY: ours was the last reference.
        TransitionToNotifiedByVal::Dealloc => unsafe { (header_ref.vtable.dealloc)(ptr) },
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: `data` came from a waker of a live cell.
    let header_ref = unsafe { header(data) };
    if header_ref.state.transition_to_notified_by_ref() {
        // SAFETY: the transition added the reference that the `Notified` carries.
        unsafe { (header_ref.vtable.schedule)(NonNull::from(header_ref)) };
    }
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: `data` came from a waker of a live cell, whose reference we drop.
    let header_ref = unsafe { header(data) };
    if header_ref.state.ref_dec() {
        // SAFETY: ours was the last reference.
        unsafe { (header_ref.vtable.dealloc)(NonNull::from(header_ref)) };
    }
}
