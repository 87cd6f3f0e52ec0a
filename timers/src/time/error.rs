//! The errors of the time API: [`Elapsed`] from `timeout`, and tokio's timer [`Error`].

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

/// A timer error, as tokio's `time::error::Error`: the timer was shut down, is at
/// capacity, or was given a deadline it cannot represent.
///
/// spindle's timers report these conditions by panicking where tokio does (a sleep
/// polled on a shut-down runtime), so the runtime itself never returns this type; it
/// exists so that code written against tokio's error API (matching on `is_shutdown`,
/// building one with [`Error::shutdown`] in a test double) compiles and behaves alike.
///
/// ```
/// use spindle_timers::time::error::Error;
///
/// let error = Error::shutdown();
/// assert!(error.is_shutdown() && !error.is_at_capacity() && !error.is_invalid());
/// assert_eq!(error, Error::shutdown());
/// println!("{error}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error(ErrorKind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Shutdown,
    AtCapacity,
    Invalid,
}

impl Error {
    /// The error of a timer whose runtime was shut down.
    pub fn shutdown() -> Error {
        Error(ErrorKind::Shutdown)
    }

    /// Whether the timer's runtime was shut down.
    pub fn is_shutdown(&self) -> bool {
        self.0 == ErrorKind::Shutdown
    }

    /// The error of a timer that could not be registered because the timer is full.
    pub fn at_capacity() -> Error {
        Error(ErrorKind::AtCapacity)
    }

    /// Whether the timer was at capacity.
    pub fn is_at_capacity(&self) -> bool {
        self.0 == ErrorKind::AtCapacity
    }

    /// The error of a timer given a deadline it cannot represent.
    pub fn invalid() -> Error {
        Error(ErrorKind::Invalid)
    }

    /// Whether the timer's deadline was invalid.
    pub fn is_invalid(&self) -> bool {
        self.0 == ErrorKind::Invalid
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            ErrorKind::Shutdown => "the timer's runtime was shut down",
            ErrorKind::AtCapacity => "the timer is at capacity and cannot register another entry",
            ErrorKind::Invalid => "the timer's deadline is beyond what it can represent",
        })
    }
}

impl std::error::Error for Error {}
