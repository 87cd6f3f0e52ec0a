//! # spindle
//!
//! A multi-threaded, work-stealing async runtime for Rust, with tokio's API and
//! asyncio's extras.
//!
//! Every worker thread runs its own event loop with a local run queue; idle workers
//! steal from busy ones. The public API mirrors tokio's paths and names, so a tokio
//! program ports by renaming the crate:
//!
//! ```
//! #[derive(Debug, PartialEq)]
//! struct Page(&'static str);
//!
//! async fn fetch(name: &'static str) -> Page {
//!     spindle::task::yield_now().await;
//!     Page(name)
//! }
//!
//! let rt = spindle::runtime::Runtime::new().unwrap();
//! let pages = rt.block_on(async {
//!     let a = spindle::spawn(fetch("a"));
//!     let b = spindle::spawn(fetch("b"));
//!     (a.await.unwrap(), b.await.unwrap())
//! });
//! assert_eq!(pages, (Page("a"), Page("b")));
//! ```
//!
//! - [`runtime`]: `Runtime`, `Builder`, `Handle`.
//! - [`task`]: spawning, `JoinHandle`, `JoinError`, `AbortHandle`, `yield_now`,
//!   `spawn_blocking`, the cooperative budget.
//! - [`net`]: TCP, UDP and Unix sockets; [`io`]: the IO traits, `AsyncFd`, stdio;
//!   [`fs`]: files and directories on the blocking pool.
//! - [`time`]: `sleep`, `timeout`, `interval`, `Instant`, and the test clock.
//! - [`sync`]: runtime-agnostic locks, semaphores and channels, and asyncio's `Queue`
//!   and `Event`.
//! - [`process`] and [`signal`]: child processes and Unix signals.
//! - [`debug`]: the live task list on a signal.
//! - `hyper` (feature `hyper`): hyper 1.x's executor and timer on spindle; with it
//!   hyper's HTTP/1 and HTTP/2 servers and clients run with no tokio runtime.
//! - `#[spindle::main]`, `#[spindle::test]`, [`join!`], [`try_join!`], [`select!`].
//!
//! ## Graceful shutdown
//!
//! Every runtime has a shutdown token ([`runtime::Handle::shutdown_token`]), and
//! [`runtime::Runtime::shutdown_graceful`] cancels it, lets tasks finish their async
//! cleanup for a bounded time, drops what is left and reports it by name.
//! `#[spindle::main(graceful_shutdown = "10s")]` wires that to ctrl-c and SIGTERM; the
//! `graceful_server` example shows a server that drains its open requests.
//!
//! ## loom in your own tests
//!
//! Build with `RUSTFLAGS="--cfg loom"` and [`sync`]'s primitives are built on loom's
//! atomics and locks, so a loom model of your code explores the interleavings inside
//! spindle's `Mutex`, `Semaphore`, `Notify`, channels and the rest too. The parts that
//! talk to the OS (`net`, `process`, `signal`, `debug`) are left out of such a build.
//! `loom-tests/worker-pool` in the repository is a worked example that finds a planted
//! bug an ordinary test run misses.
//!
//! ## Features
//!
//! - `tokio-io`: tokio's `AsyncRead`/`AsyncWrite` on spindle's streams and files, for
//!   crates written against tokio's IO traits.
//! - `hyper`: `hyper::rt::{Read, Write}` on `TcpStream` and `UnixStream`, and the
//!   `spindle::hyper` module.
//!
//! The `examples/` folder of the repository redoes asyncio's classic demos on spindle;
//! `cargo run --release --example tour` runs them one after another.

#![deny(missing_docs)]

pub use spindle_executor::{runtime, spawn, task, task_local};

#[cfg(not(loom))]
pub mod debug;
#[cfg(not(loom))]
mod graceful;

/// The README's code sample, compiled and run as a doc test so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
#[cfg(not(loom))]
pub use spindle_reactor::net;
pub use spindle_timers::time;

/// Async IO: the `futures-io` traits and their extension traits, `copy`, `split`,
/// buffered readers and writers, readiness (`Interest`, `Ready`), `unix::AsyncFd`, and
/// the async stdio handles.
pub mod io {
    pub use crate::stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
    pub use spindle_reactor::io::*;
}

/// Synchronisation primitives that work on any executor.
pub mod sync {
    pub use spindle_sync::*;
}

// --- macros (spindle-macros) ---
pub use spindle_macros::{main, test};

mod macros;

/// Support for the expansions of spindle's macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(not(loom))]
    pub use crate::graceful::block_on_with_graceful_shutdown;
    pub use crate::macros::support::*;
}
// --- end macros ---

// --- fs and stdio ---
pub mod fs;
mod stdio;
// --- end fs and stdio ---

// --- hyper ---
#[cfg(all(feature = "hyper", not(loom)))]
pub mod hyper;
// --- end hyper ---

// --- process and signal ---
#[cfg(not(loom))]
pub use spindle_reactor::{process, signal};
// --- end process and signal ---
