//! The errors of the time API.

use std::fmt;

/// Returned by [`timeout`](super::timeout) and [`timeout_at`](super::timeout_at) when
/// the deadline passed before the future completed.
///
/// ```
/// use spindle_timers::time::error::Elapsed;
///
/// fn describe(result: Result<u32, Elapsed>) -> String {
///     match result {
///         Ok(value) => format!("got {value}"),
///         Err(elapsed) => elapsed.to_string(),
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(pub(crate) ());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}
