//! Procedural macros of spindle: the `#[spindle::main]` and `#[spindle::test]`
//! attributes, and the proc-macro halves of `join!`, `try_join!` and `select!`.
//!
//! Use them through the `spindle` crate, never directly: `spindle::join!` and friends
//! are small `macro_rules!` wrappers that pass `$crate` in front of the user's tokens,
//! so the code generated here names spindle's items by a path that resolves even when
//! the user renamed the dependency. The attributes cannot receive `$crate` that way;
//! they default to `::spindle` and take `crate = "path"` for re-exports.
//!
//! Every mistake in the macro input is reported as a `syn::Error` spanned on the
//! offending tokens; nothing here panics on user input.
//!
//! ```
//! #[spindle::main(flavor = "current_thread")]
//! async fn main() {
//!     let (doubled, tripled) = spindle::join!(async { 2 * 21 }, async { 3 * 14 });
//!     assert_eq!(doubled, tripled);
//! }
//! ```

#![deny(missing_docs)]

mod entry;
mod join;
mod select;

use proc_macro::TokenStream;
use syn::parse::{Parse, ParseStream};

/// The `{ $crate }` group that the facade's `macro_rules!` wrappers put in front of
/// the user's tokens. Its content is re-emitted verbatim: `$crate` keeps its special
/// resolution only as the token the compiler handed us.
struct CratePath(proc_macro2::TokenStream);

impl Parse for CratePath {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let content;
        syn::braced!(content in input);
        Ok(CratePath(content.parse()?))
    }
}

/// Runs an `async fn main` on a spindle runtime.
///
/// The function body becomes the future passed to `Runtime::block_on` of a runtime
/// built with every driver enabled. Options, all optional and comma-separated:
///
/// - `flavor = "multi_thread"` (the default) or `flavor = "current_thread"`;
/// - `worker_threads = N` with `N >= 1`, only with the multi-thread flavour;
/// - `start_paused = true` starts the runtime with its test clock paused;
/// - `crate = "path"` names the spindle crate when it is re-exported elsewhere;
/// - `graceful_shutdown = "10s"` (`ms`, `s` or `m`) wires ctrl-c and SIGTERM to a
///   graceful shutdown: the first signal cancels the runtime's shutdown token
///   (`Handle::shutdown_token`) and gives `main` and the tasks up to that long to wind
///   down, a second signal ends the wait at once; tasks still alive then are dropped
///   and named on stderr, and the process exits with status 128 + the signal number.
///   When `main` returns on its own, the remaining tasks are drained the same way
///   (`Runtime::shutdown_graceful`), as asyncio's `run` does.
///
/// A runtime that fails to build panics with the error.
///
/// ```no_run
/// use spindle::net::TcpListener;
///
/// #[spindle::main(graceful_shutdown = "10s")]
/// async fn main() -> std::io::Result<()> {
///     let stop = spindle::runtime::Handle::current().shutdown_token();
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     loop {
///         spindle::select! {
///             accepted = listener.accept() => {
///                 let (_socket, _peer) = accepted?;
///                 spindle::spawn(async move { /* serve, then return */ });
///             }
///             _ = stop.cancelled() => return Ok(()), // refuse new connections
///         }
///     }
/// }
/// ```
///
/// ```
/// #[spindle::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let answer = spindle::spawn(async { 42 }).await.unwrap();
///     assert_eq!(answer, 42);
/// }
/// ```
///
/// `main` may return a `Result`, and `?` works in its body:
///
/// ```
/// #[spindle::main(flavor = "current_thread")]
/// async fn main() -> Result<(), std::num::ParseIntError> {
///     let port: u16 = "8080".parse()?;
///     assert_eq!(port, 8080);
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(
        entry::Kind::Main,
        &syn::parse_quote!(::spindle),
        args.into(),
        item.into(),
    )
    .into()
}

/// Runs an `async fn` test on its own spindle runtime.
///
/// Takes the options of [`macro@main`], but the flavour defaults to
/// `current_thread`, as in tokio: each test gets a fresh runtime on the test's thread.
/// The generated function carries `#[test]`, so do not add it yourself (the example
/// below only compiles here: `#[test]` functions run under `cargo test`).
///
/// ```
/// #[spindle::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn spawned_task_returns_its_value() {
///     assert_eq!(spindle::spawn(async { 7 }).await.unwrap(), 7);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(
        entry::Kind::Test,
        &syn::parse_quote!(::spindle),
        args.into(),
        item.into(),
    )
    .into()
}

/// `#[tokio::main]` of the `tokio` compat package (`compat/tokio`): [`macro@main`] with
/// `::tokio` as the path its expansion names the runtime by, so that a crate depending
/// only on `tokio` (patched to spindle) resolves it.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn tokio_main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(
        entry::Kind::Main,
        &syn::parse_quote!(::tokio),
        args.into(),
        item.into(),
    )
    .into()
}

/// `#[tokio::test]` of the `tokio` compat package: [`macro@test`] with `::tokio` as its
/// default crate path (see [`macro@tokio_main`]).
#[doc(hidden)]
#[proc_macro_attribute]
pub fn tokio_test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(
        entry::Kind::Test,
        &syn::parse_quote!(::tokio),
        args.into(),
        item.into(),
    )
    .into()
}

/// The body of `spindle::join!`: `{ crate path } (biased;)? future, ...`.
#[doc(hidden)]
#[proc_macro]
pub fn join_internal(input: TokenStream) -> TokenStream {
    join::expand(join::Mode::Join, input.into()).into()
}

/// The body of `spindle::try_join!`: `{ crate path } (biased;)? future, ...`.
#[doc(hidden)]
#[proc_macro]
pub fn try_join_internal(input: TokenStream) -> TokenStream {
    join::expand(join::Mode::TryJoin, input.into()).into()
}

/// The body of `spindle::select!`: `{ crate path }` followed by the user's branches.
#[doc(hidden)]
#[proc_macro]
pub fn select_internal(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}
