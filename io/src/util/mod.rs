//! io-util: the extension traits, buffered adapters, in-memory pipes and copy loops,
//! each built on the four traits alone.
//!
//! One file (or folder) per concept; every future here documents whether it is
//! cancellation-safe, as tokio's do, and the answers are tokio's.

mod buf_read_ext;
mod buffered;
mod copy;
mod join;
mod mem;
mod pipe;
mod read_ext;
mod seek_ext;
mod split;
mod write_ext;

pub use buf_read_ext::{AsyncBufReadExt, Lines, Split};
pub use buffered::{BufReader, BufStream, BufWriter};
pub use copy::{copy, copy_bidirectional, copy_bidirectional_with_sizes, copy_buf};
pub use join::{join, Join};
pub use mem::{empty, repeat, sink, Empty, Repeat, Sink};
pub use pipe::{duplex, simplex, DuplexStream, SimplexStream};
pub use read_ext::{AsyncReadExt, Chain, Take};
pub use seek_ext::AsyncSeekExt;
pub use split::{split, ReadHalf, WriteHalf};
pub use write_ext::AsyncWriteExt;
