//! spindle's IO traits and io-util: tokio's design, written for spindle, usable on any
//! executor.
//!
//! The four traits ([`AsyncRead`] with its [`ReadBuf`], [`AsyncWrite`] with
//! `poll_shutdown`, [`AsyncBufRead`], [`AsyncSeek`] with `start_seek`/`poll_complete`)
//! have tokio's method names, signatures, blanket impls and semantics, so code written
//! against `tokio::io` compiles against them unchanged. The extension traits and
//! adapters (`AsyncReadExt`, `BufReader`, `copy`, `duplex`, ...) are built only on the
//! traits, never on a runtime: they work on a `Cursor` under
//! `futures::executor::block_on` as well as on a socket inside a spindle runtime.
//!
//! This crate sits just above `spindle-sync` (whose cooperative budget the in-memory
//! sources spend, so a task reading `repeat` forever still yields) and below the
//! reactor, whose sockets, pipes and `AsyncFd` implement the traits. The `spindle`
//! facade re-exports it all as `spindle::io`.
//!
//! ```
//! use spindle_io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
//!
//! futures::executor::block_on(async {
//!     let mut out = Vec::new();
//!     out.write_u32(7).await?;
//!     out.write_all(b"hello\r\nworld\n").await?;
//!
//!     let mut input = &out[..];
//!     assert_eq!(input.read_u32().await?, 7);
//!     let mut lines = BufReader::new(input).lines();
//!     assert_eq!(lines.next_line().await?.as_deref(), Some("hello"));
//!     assert_eq!(lines.next_line().await?.as_deref(), Some("world"));
//!     assert_eq!(lines.next_line().await?, None);
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]

mod async_buf_read;
mod async_read;
mod async_seek;
mod async_write;
mod bridge;
mod read_buf;
mod util;

pub use async_buf_read::AsyncBufRead;
pub use async_read::AsyncRead;
pub use async_seek::AsyncSeek;
pub use async_write::AsyncWrite;
pub use read_buf::ReadBuf;
pub use std::io::{Error, ErrorKind, Result, SeekFrom};
pub use util::*;

/// The helpers of the hidden bridge macros (`bridge_futures_io!`, `bridge_tokio_io!`);
/// not part of the public API.
#[doc(hidden)]
pub mod __bridge {
    pub use crate::bridge::poll_read_into_uninit;
}
