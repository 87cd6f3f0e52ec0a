//! The driver's clock: nanoseconds since the driver's origin, which tests can pause,
//! advance and resume.
//!
//! Running, the clock reads `base + (real - resumed_at_real)`, where `real` is the
//! monotonic time since the origin; paused, it reads `paused_at`. Pausing freezes the
//! current reading and resuming continues from it, so the clock never goes backwards
//! and only [`Clock::advance`] (or auto-advance) can move a paused clock. Until the
//! first pause the clock is exactly real time, which lets the driver read it without
//! taking its lock (see `Inner::now_nanos`).

use std::time::Duration;

/// The clock's state; lives behind the driver's lock.
#[derive(Debug)]
pub(crate) struct Clock {
    paused_at: Option<u64>,
    base: u64,
    resumed_at_real: u64,
}

/// Why a clock operation was refused; the caller turns it into a panic that names the
/// call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClockError {
    AlreadyPaused,
    NotPaused,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Self {
        Clock {
            paused_at: start_paused.then_some(0),
            base: 0,
            resumed_at_real: 0,
        }
    }

    /// The clock's reading, given the real time since the origin.
    pub(crate) fn now(&self, real: u64) -> u64 {
        match self.paused_at {
            Some(frozen) => frozen,
            None => self
                .base
                .saturating_add(real.saturating_sub(self.resumed_at_real)),
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// True while the clock reads exactly the real time since the origin (it was never
    /// moved away from it by a pause or an advance).
    pub(crate) fn is_real(&self) -> bool {
        self.paused_at.is_none() && self.base == self.resumed_at_real
    }

    pub(crate) fn pause(&mut self, real: u64) -> Result<(), ClockError> {
        if self.is_paused() {
            return Err(ClockError::AlreadyPaused);
        }
        self.paused_at = Some(self.now(real));
        Ok(())
    }

    pub(crate) fn resume(&mut self, real: u64) -> Result<(), ClockError> {
        let frozen = self.paused_at.take().ok_or(ClockError::NotPaused)?;
        self.base = frozen;
        self.resumed_at_real = real;
        Ok(())
    }

    /// Moves a paused clock forward by `by`.
    pub(crate) fn advance(&mut self, by: Duration) -> Result<(), ClockError> {
        let frozen = self.paused_at.as_mut().ok_or(ClockError::NotPaused)?;
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        *frozen = frozen.saturating_add(nanos);
        Ok(())
    }

    /// Moves a paused clock forward to `target`, if it is behind it.
    pub(crate) fn advance_to(&mut self, target: u64) -> Result<(), ClockError> {
        let frozen = self.paused_at.as_mut().ok_or(ClockError::NotPaused)?;
        *frozen = (*frozen).max(target);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumed_clock_continues_from_the_paused_reading() {
        let mut clock = Clock::new(false);
        assert_eq!(clock.now(500), 500);
        clock.pause(500).expect("running");
        clock.advance(Duration::from_nanos(1_000)).expect("paused");
        assert_eq!(clock.now(900), 1_500);
        clock.resume(900).expect("paused");
        assert_eq!(clock.now(900), 1_500);
        assert_eq!(clock.now(1_000), 1_600);
        assert!(!clock.is_real());
    }

    #[test]
    fn clock_paused_and_resumed_without_advance_reads_real_time_again() {
        let mut clock = Clock::new(false);
        clock.pause(100).expect("running");
        assert_eq!(clock.now(700), 100);
        clock.resume(700).expect("paused");
        assert!(!clock.is_real());
        let mut fresh = Clock::new(true);
        fresh.resume(0).expect("paused");
        assert!(fresh.is_real());
        assert_eq!(fresh.now(10), 10);
    }

    #[test]
    fn clock_operations_refuse_the_wrong_state() {
        let mut clock = Clock::new(false);
        assert_eq!(clock.resume(1), Err(ClockError::NotPaused));
        assert_eq!(
            clock.advance(Duration::from_secs(1)),
            Err(ClockError::NotPaused)
        );
        clock.pause(1).expect("running");
        assert_eq!(clock.pause(2), Err(ClockError::AlreadyPaused));
    }
}
