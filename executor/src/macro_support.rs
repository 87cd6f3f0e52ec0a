//! Types the expansions of the facade's macros use; reached through
//! `spindle::__private`, not part of the public API.
//!
//! `select!` keeps its branches' futures in one pinned [`SelectFutures`] list, nested
//! one branch per level and ending in `()`: pinned once as a whole, projected to a
//! branch with `tail` and `head` (safe projections through `pin-project-lite`), so the
//! expansion needs no `unsafe` and holds one pointer across its `.await` rather than
//! one per branch.

use std::pin::Pin;

pin_project_lite::pin_project! {
    /// One branch's future (`head`) and the futures of the branches after it (`tail`).
    #[derive(Debug)]
    pub struct SelectFutures<Head, Tail> {
        #[pin]
        head: Head,
        #[pin]
        tail: Tail,
    }
}

impl<Head, Tail> SelectFutures<Head, Tail> {
    /// `head` in front of the list `tail`.
    pub fn new(head: Head, tail: Tail) -> Self {
        SelectFutures { head, tail }
    }

    /// The first branch's future.
    pub fn head(self: Pin<&mut Self>) -> Pin<&mut Head> {
        self.project().head
    }

    /// The futures of the branches after the first.
    pub fn tail(self: Pin<&mut Self>) -> Pin<&mut Tail> {
        self.project().tail
    }
}
