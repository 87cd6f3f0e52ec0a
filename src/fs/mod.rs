//! Asynchronous file-system access: tokio's `fs` module for spindle.
//!
//! Operating systems offer no portable readiness for regular files, so, as in tokio,
//! every operation here is the `std::fs` call of the same name run on the runtime's
//! blocking pool (see [`task::spawn_blocking`](crate::task::spawn_blocking)); the
//! calling task awaits its result and its worker thread stays free. The one-shot
//! functions ([`read`], [`write()`], [`metadata`], ...) move their arguments onto the pool
//! and return the result. [`File`] keeps one blocking operation in flight and buffers
//! between it and the caller (its module explains the state machine), and
//! [`read_dir`] fetches entries in chunks.
//!
//! Every function must run inside a runtime and panics outside one. When the blocking
//! task itself fails, the caller gets an `io::Error` of kind `Other` naming the
//! operation: "spindle::fs::read: the blocking task panicked ..." or "...: the runtime
//! shut down before the blocking task finished".
//!
//! ```
//! spindle::runtime::Runtime::new().unwrap().block_on(async {
//!     let dir = std::env::temp_dir().join(format!("spindle-doc-fs-{}", std::process::id()));
//!     spindle::fs::create_dir_all(&dir).await?;
//!     spindle::fs::write(dir.join("greeting"), "hello").await?;
//!     assert_eq!(spindle::fs::read_to_string(dir.join("greeting")).await?, "hello");
//!     spindle::fs::remove_dir_all(&dir).await
//! }).unwrap();
//! ```

pub(crate) mod blocking;
pub(crate) mod buf;
mod dir_builder;
mod file;
mod open_options;
mod ops;
mod read_dir;

pub use dir_builder::DirBuilder;
pub use file::File;
pub use open_options::OpenOptions;
#[cfg(unix)]
pub use ops::symlink;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, set_permissions,
    symlink_metadata, try_exists, write,
};
pub use read_dir::{read_dir, DirEntry, ReadDir};
pub use std::fs::FileTimes;
