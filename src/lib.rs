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
//! - [`net`]: TCP, UDP and Unix sockets; [`io`]: tokio's IO traits and io-util,
//!   `AsyncFd`, stdio;
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
//! - `futures-io` (default): `futures-io`'s `AsyncRead`/`AsyncWrite` on every IO type,
//!   forwarding to spindle's own traits, for code written against futures or smol.
//! - `tokio-io`: the real tokio crate's `AsyncRead`/`AsyncWrite` on spindle's streams,
//!   pipes and files, for crates written against tokio's IO traits.
//! - `hyper`: `hyper::rt::{Read, Write}` on `TcpStream` and `UnixStream`, and the
//!   `spindle::hyper` module.
//!
//! The `examples/` folder of the repository redoes asyncio's classic demos on spindle;
//! `cargo run --release --example tour` runs them one after another.

#![deny(missing_docs)]

pub use spindle_executor::{runtime, sim, spawn, task, task_local};

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

/// Async IO with tokio's traits and io-util: [`AsyncRead`](io::AsyncRead) (with
/// [`ReadBuf`](io::ReadBuf)), [`AsyncWrite`](io::AsyncWrite) (with `poll_shutdown`),
/// [`AsyncBufRead`](io::AsyncBufRead), [`AsyncSeek`](io::AsyncSeek), their extension
/// traits, `BufReader`/`BufWriter`/`BufStream`, `copy` and `copy_bidirectional`,
/// `duplex`/`simplex`, `split`/`join`, `empty`/`repeat`/`sink`; readiness
/// ([`Interest`](io::Interest), [`Ready`](io::Ready)), [`unix::AsyncFd`](io::unix::AsyncFd),
/// and the async stdio handles.
///
/// The traits are spindle's own, with tokio's names, signatures and semantics, so code
/// written against `tokio::io` compiles with the crate renamed. Every IO type of
/// spindle implements them: TCP and Unix streams and their halves, child pipes,
/// `fs::File`, stdin/stdout/stderr. The utilities need no runtime: they work on a
/// `Cursor` or a `Vec<u8>` anywhere.
///
/// ```
/// use spindle::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
/// use spindle::net::{TcpListener, TcpStream};
///
/// # spindle::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (server, _) = listener.accept().await?;
/// client.write_u32(2).await?;
/// client.write_all(b"ping\r\npong\n").await?;
/// client.shutdown().await?; // the server reads end of stream after the lines
///
/// let mut server = BufReader::new(server);
/// let count = server.read_u32().await?;
/// let mut lines = server.lines();
/// let mut received = Vec::new();
/// while let Some(line) = lines.next_line().await? {
///     received.push(line);
/// }
/// assert_eq!((count, received), (2, vec!["ping".to_string(), "pong".to_string()]));
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
///
/// # Which traits to use
///
/// - **spindle's** (this module): for everything written for spindle or ported from
///   tokio. The rest of this list are bridges to them, not a second API.
/// - **`futures-io`** (feature `futures-io`, on by default): the same types also
///   implement `futures::io::{AsyncRead, AsyncWrite}` (and `AsyncSeek` on files), for
///   code written against futures or smol (`futures::io::copy`, async-compat crates).
/// - **the real tokio crate's** (feature `tokio-io`): for crates built on the real
///   `tokio` that a program uses beside spindle.
/// - **hyper's `rt::Read`/`rt::Write`** (feature `hyper`) on `TcpStream` and
///   `UnixStream`.
///
/// Import one family's extension traits in a module, not two: with both
/// `spindle::io::AsyncReadExt` and `futures::AsyncReadExt` in scope, a call such as
/// `stream.read(&mut buf)` is ambiguous (error E0034) and needs the fully qualified form
/// `spindle::io::AsyncReadExt::read(&mut stream, &mut buf)`.
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
    /// The entry points of the `tokio` compat package, whose expansions name the
    /// runtime `::tokio`.
    pub mod compat_entry {
        pub use spindle_macros::{tokio_main, tokio_test};
    }
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
