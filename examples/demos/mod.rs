//! The asyncio demos, one module each, shared by the examples that run one of them
//! (`examples/gather.rs`, ...) and by the tour that runs them all, so each demo is
//! written once.
//!
//! Every demo prints what shows its concurrency: which task finished first and how long
//! the whole took against the sum of its parts. The durations come from asyncio's
//! originals and are multiplied by `SPINDLE_DEMO_SCALE` (default 1): `0.1` runs ten
//! times faster, and `0` runs the timer demos on virtual time (a paused clock that
//! jumps to the next timer whenever every task waits) at their full durations, which
//! finishes at once with the same order of events and the same printed durations; the
//! integration test `tests/examples.rs` uses that.

// Each example uses one demo, the tour uses them all.
#![allow(dead_code)]

pub mod blocking;
pub mod chained;
pub mod chess;
pub mod count;
pub mod echo;
pub mod gather;
#[cfg(feature = "hyper")]
pub mod http;
pub mod queue;
pub mod subprocess;

use std::time::Duration;

use spindle::runtime::{Builder, Runtime};

/// The environment variable that scales every demo's durations.
pub const SCALE_VARIABLE: &str = "SPINDLE_DEMO_SCALE";

/// `SPINDLE_DEMO_SCALE`, or 1 when it is unset.
///
/// # Panics
///
/// When the variable is not a number at least 0.
pub fn scale() -> f64 {
    match std::env::var(SCALE_VARIABLE) {
        Err(_) => 1.0,
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(scale) if scale >= 0.0 && scale.is_finite() => scale,
            _ => panic!("{SCALE_VARIABLE}={text:?}: expected a number at least 0, such as 0.1"),
        },
    }
}

/// Whether the timer demos run on virtual time (scale 0).
pub fn virtual_time() -> bool {
    scale() == 0.0
}

/// What a demo's second lasts: the scale, or a full second on virtual time, where
/// waiting costs nothing.
pub fn time_factor() -> f64 {
    if virtual_time() {
        1.0
    } else {
        scale()
    }
}

/// A demo's duration of `seconds`, scaled by [`time_factor`].
pub fn seconds(seconds: f64) -> Duration {
    Duration::from_secs_f64(seconds * time_factor())
}

/// A duration as the demos print it: `1.00 s`, `12 ms`.
pub fn show(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        format!("{:.2} s", duration.as_secs_f64())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// The runtime of the demos that wait on timers: multi-threaded, on virtual time when
/// the scale is 0.
pub fn timer_runtime() -> Runtime {
    Builder::new_multi_thread()
        .enable_all()
        .start_paused(virtual_time())
        .build()
        .expect("a runtime: threads and an event poller could not be created")
}

/// The runtime of the demos that wait on sockets and processes: always real time, so a
/// connection that waits for its peer is never mistaken for an idle program.
pub fn io_runtime() -> Runtime {
    Runtime::new().expect("a runtime: threads and an event poller could not be created")
}

/// A small seeded pseudo-random generator (xorshift64*), so the "random" sleeps of the
/// demos are the same on every run, as asyncio's `random.seed(444)` makes them.
pub struct SeededRandom {
    state: u64,
}

impl SeededRandom {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// A whole number in `low..=high`, like Python's `random.randint`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let next = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        low + next % (high - low + 1)
    }
}
