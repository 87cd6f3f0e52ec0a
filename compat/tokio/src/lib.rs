//! `tokio`'s API, served by spindle: the package a `[patch.crates-io]` entry points at.
//!
//! Every module of tokio's public API lives at the same path here: `tokio::net`,
//! `tokio::io`, `tokio::sync`, `tokio::time`, `tokio::runtime`, `tokio::task`,
//! `tokio::fs`, `tokio::process`, `tokio::signal`, and the macros `main`, `test`,
//! `select!`, `join!`, `try_join!`, `pin!` and `task_local!`. They are spindle's own
//! items re-exported, so a crate compiled against this package and one compiled against
//! `spindle` share one runtime, one set of IO traits and one set of types.
//!
//! The attribute macros are the one difference from a plain re-export: spindle's
//! `#[spindle::main]` names the runtime by the path `::spindle`, which a crate that
//! depends only on `tokio` cannot resolve, so `#[tokio::main]` and `#[tokio::test]` here
//! are the same macros with `::tokio` as their default path.
//!
//! ```
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let handle = tokio::spawn(async { 6 * 7 });
//!     assert_eq!(handle.await.unwrap(), 42);
//!     // The runtime underneath is spindle's.
//!     let _ = spindle::runtime::Handle::current();
//! }
//! ```

#![deny(missing_docs)]

pub use spindle::*;

#[doc(inline)]
pub use spindle::__private::compat_entry::{tokio_main as main, tokio_test as test};
