//! The buffered adapters: [`BufReader`], [`BufWriter`] and [`BufStream`] (the two
//! nested, one per direction).
//!
//! Each wraps one IO object and keeps one fixed-size buffer for it, so many small
//! reads or writes become few large ones on the object underneath; an operation at
//! least as large as the buffer skips it, since copying would only add work. Every
//! adapter passes the traits it does not buffer straight through to the wrapped
//! object, which is what lets the two be nested into a `BufStream`. The three share a
//! folder because `BufStream`'s `From` impls rebuild one nesting into the other from
//! the parts, which only code in this folder can see.

mod buf_reader;
mod buf_stream;
mod buf_writer;

pub use buf_reader::BufReader;
pub use buf_stream::BufStream;
pub use buf_writer::BufWriter;

/// The capacity of [`BufReader::new`] and [`BufWriter::new`]: 8 KiB, as in tokio and
/// std.
const DEFAULT_BUF_SIZE: usize = 8 * 1024;
