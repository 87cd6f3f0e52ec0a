//! Where a task was spawned, and its name if it has one, in one word of its header.
//!
//! Every task records its spawn location (a `&'static Location`, which costs nothing
//! to keep); few tasks are named. So the header does not carry a name slot of its own
//! (an `Option<Arc<str>>` is two words, in every task): a named task's location and
//! name move into one small box instead, and the header's word points either at the
//! `Location` or at that box, told apart by the pointer's low bit. Both pointees are
//! at least 2-aligned, so that bit is otherwise always zero.

use std::panic::Location;
use std::ptr::NonNull;
use std::sync::Arc;

/// The low bit of [`SpawnSite::tagged`] when it points at a boxed [`Named`].
const NAMED: usize = 1;

// The tag lives in the low bit of an aligned pointer to either type.
const _: () = assert!(std::mem::align_of::<Location<'static>>() > NAMED);
const _: () = assert!(std::mem::align_of::<Named>() > NAMED);

/// A named task's name and spawn location.
struct Named {
    name: Arc<str>,
    location: &'static Location<'static>,
}

/// A task's spawn location and optional name: a `&'static Location` (low bit clear)
/// or an owned `Box<Named>` (low bit set).
pub(crate) struct SpawnSite {
    tagged: NonNull<u8>,
}

// SAFETY: the word is either a shared `&'static Location` (`Sync`, immutable) or an
// owned box of `Arc<str>` and a `&'static Location`, both `Send + Sync` and never
// mutated after construction; the box is freed only by `drop`, which has `&mut self`.
unsafe impl Send for SpawnSite {}
// SAFETY: as above: `&SpawnSite` only reads immutable data.
unsafe impl Sync for SpawnSite {}

impl SpawnSite {
    /// The site of a task spawned at `location`, named `name`.
    #[inline]
    pub(crate) fn new(location: &'static Location<'static>, name: Option<Arc<str>>) -> SpawnSite {
        let tagged = match name {
            None => NonNull::from(location).cast::<u8>(),
            Some(name) => {
                let named = NonNull::from(Box::leak(Box::new(Named { name, location })));
                named.cast::<u8>().map_addr(|addr| addr | NAMED)
            }
        };
        SpawnSite { tagged }
    }

    #[inline]
    fn named(&self) -> Option<&Named> {
        if self.tagged.addr().get() & NAMED == 0 {
            return None;
        }
        let named = self
            .tagged
            .as_ptr()
            .map_addr(|addr| addr & !NAMED)
            .cast::<Named>();
        // SAFETY: with the tag set, the word is the address of the box made in `new`
        // plus the tag; the box lives until `drop`, which cannot run while `self` is
        // borrowed.
        Some(unsafe { &*named })
    }

    /// Where the task was spawned.
    #[inline]
    pub(crate) fn location(&self) -> &'static Location<'static> {
        match self.named() {
            Some(named) => named.location,
            // SAFETY: with the tag clear, the word is a `&'static Location` as given to
            // `new`, unchanged.
            None => unsafe { self.tagged.cast::<Location<'static>>().as_ref() },
        }
    }

    /// The task's name, if it was given one.
    #[inline]
    pub(crate) fn name(&self) -> Option<&Arc<str>> {
        self.named().map(|named| &named.name)
    }
}

impl Drop for SpawnSite {
    #[inline]
    fn drop(&mut self) {
        if self.named().is_some() {
            let named = self
                .tagged
                .as_ptr()
                .map_addr(|addr| addr & !NAMED)
                .cast::<Named>();
            // SAFETY: the tag is set, so this is the pointer `Box::leak` returned in
            // `new`, and this is the one place that frees it.
            drop(unsafe { Box::from_raw(named) });
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn an_unnamed_site_keeps_its_location_and_has_no_name() {
        let here = Location::caller();
        let site = SpawnSite::new(here, None);
        assert!(std::ptr::eq(site.location(), here));
        assert!(site.name().is_none());
    }

    #[test]
    fn a_named_site_keeps_both_and_releases_the_name_when_dropped() {
        let here = Location::caller();
        let name: Arc<str> = Arc::from("fetcher");
        let site = SpawnSite::new(here, Some(name.clone()));
        assert!(std::ptr::eq(site.location(), here));
        assert_eq!(site.name().map(|name| &**name), Some("fetcher"));
        assert_eq!(Arc::strong_count(&name), 2);
        drop(site);
        assert_eq!(Arc::strong_count(&name), 1);
    }
}
