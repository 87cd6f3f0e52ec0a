//! [`Interest`] (what a task waits for) and [`Ready`] (what the reactor saw).
//!
//! `Ready` is a small bit set that the reactor stores in the low bits of a source's
//! readiness word (see `scheduled_io`); the closed bits are final: once the reactor
//! has seen a hang-up they are never cleared, so a reader parked on a closed socket
//! always wakes and reads the end of stream or the error.

use std::fmt;
use std::ops;

/// The readiness a task waits for: readable, writable, priority data, errors, or a
/// combination.
///
/// ```
/// use spindle_reactor::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE_BIT: u8 = 0b0001;
const WRITABLE_BIT: u8 = 0b0010;
const PRIORITY_BIT: u8 = 0b0100;
const ERROR_BIT: u8 = 0b1000;

impl Interest {
    /// Interest in the source becoming readable (or its read side closing).
    pub const READABLE: Interest = Interest(READABLE_BIT);
    /// Interest in the source becoming writable (or its write side closing).
    pub const WRITABLE: Interest = Interest(WRITABLE_BIT);

    /// Interest in priority data (out-of-band TCP data, `EPOLLPRI`); Linux and
    /// Android only.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Interest = Interest(PRIORITY_BIT);
    /// Interest in error readiness: the source has an error queued (for example on
    /// the socket's error queue, `MSG_ERRQUEUE`). Errors are always reported by the
    /// OS, so this adds nothing to the registration; it selects what `ready` waits for.
    pub const ERROR: Interest = Interest(ERROR_BIT);

    /// Whether this interest includes readability.
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE_BIT != 0
    }

    /// Whether this interest includes writability.
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE_BIT != 0
    }

    /// Whether this interest includes priority data.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY_BIT != 0
    }

    /// Whether this interest includes errors.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR_BIT != 0
    }

    /// Both interests together; the `const` form of `|`.
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This interest without `other`, or `None` if nothing is left.
    #[must_use]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        (left != 0).then_some(Interest(left))
    }

    /// The readiness bits that satisfy this interest: readable or read-closed for
    /// [`Interest::READABLE`], writable or write-closed for [`Interest::WRITABLE`],
    /// priority or read-closed for `PRIORITY`, error for [`Interest::ERROR`].
    pub(crate) fn mask(self) -> Ready {
        let mut mask = Ready::EMPTY;
        if self.is_readable() {
            mask = mask | Ready::READABLE | Ready::READ_CLOSED;
        }
        if self.is_writable() {
            mask = mask | Ready::WRITABLE | Ready::WRITE_CLOSED;
        }
        if self.is_priority() {
            mask = mask | Ready::PRIORITY_BITS | Ready::READ_CLOSED;
        }
        if self.is_error() {
            mask |= Ready::ERROR;
        }
        mask
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.is_readable(), "READABLE"),
            (self.is_writable(), "WRITABLE"),
            (self.is_priority(), "PRIORITY"),
            (self.is_error(), "ERROR"),
        ];
        let mut first = true;
        for (_, name) in names.iter().filter(|(set, _)| *set) {
            if !first {
                f.write_str(" | ")?;
            }
            f.write_str(name)?;
            first = false;
        }
        if first {
            f.write_str("(empty)")?;
        }
        Ok(())
    }
}

/// The readiness the reactor reported for a source.
///
/// ```
/// use spindle_reactor::io::Ready;
///
/// let ready = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(ready.is_readable() && ready.is_read_closed());
/// assert!(!ready.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ready(u8);

impl Ready {
    /// No readiness.
    pub const EMPTY: Ready = Ready(0);
    /// The source can be read without blocking (or has an error to report).
    pub const READABLE: Ready = Ready(0b0001);
    /// The source can be written without blocking (or has an error to report).
    pub const WRITABLE: Ready = Ready(0b0010);
    /// The read side is closed: reads return end of stream or an error.
    pub const READ_CLOSED: Ready = Ready(0b0100);
    /// The write side is closed: writes fail.
    pub const WRITE_CLOSED: Ready = Ready(0b1000);
    /// The source has an error to report (`EPOLLERR`: for example a queued error on
    /// the socket's error queue).
    pub const ERROR: Ready = Ready(0b1_0000);
    /// Priority data can be read (`EPOLLPRI`: for example out-of-band TCP data); Linux
    /// and Android only.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Ready = Ready::PRIORITY_BITS;
    /// Every readiness bit.
    pub const ALL: Ready = Ready(0b11_1111);

    pub(crate) const PRIORITY_BITS: Ready = Ready(0b10_0000);

    pub(crate) const ALL_CLOSED: Ready = Ready(0b1100);

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the readable bit is set.
    pub const fn is_readable(self) -> bool {
        self.0 & Self::READABLE.0 != 0
    }

    /// Whether the writable bit is set.
    pub const fn is_writable(self) -> bool {
        self.0 & Self::WRITABLE.0 != 0
    }

    /// Whether the read side was seen closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & Self::READ_CLOSED.0 != 0
    }

    /// Whether the write side was seen closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & Self::WRITE_CLOSED.0 != 0
    }

    /// Whether the error bit is set.
    pub const fn is_error(self) -> bool {
        self.0 & Self::ERROR.0 != 0
    }

    /// Whether the priority bit is set.
    pub const fn is_priority(self) -> bool {
        self.0 & Self::PRIORITY_BITS.0 != 0
    }

    pub(crate) const fn as_usize(self) -> usize {
        self.0 as usize
    }

    pub(crate) const fn from_usize(bits: usize) -> Ready {
        Ready((bits & Self::ALL.0 as usize) as u8)
    }

    pub(crate) fn intersection(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl ops::Sub for Ready {
    type Output = Ready;

    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("readable", &self.is_readable())
            .field("writable", &self.is_writable())
            .field("read_closed", &self.is_read_closed())
            .field("write_closed", &self.is_write_closed())
            .field("error", &self.is_error())
            .field("priority", &self.is_priority())
            .finish()
    }
}
