/// Waits on several futures and runs the handler of the first one that completes,
/// dropping the others.
///
/// The syntax is tokio's:
///
/// ```text
/// spindle::select! {
///     biased;                                        // optional, must come first
///     <pattern> = <future> (, if <precondition>)? => <handler>,
///     ...
///     else => <handler>                              // optional
/// }
/// ```
///
/// - Every `<precondition>` is evaluated first; a false one disables its branch.
/// - Then every `<future>` expression (anything that implements `IntoFuture`) is
///   evaluated, disabled branches included, and the enabled ones are polled.
/// - Polling starts at a random branch, so that branches that are always ready each
///   get their turn; with `biased;` the branches are polled in the order written,
///   which is cheaper and deterministic, but can starve the later branches.
/// - When a future completes, its output is matched against `<pattern>`. If it
///   matches, the other futures are dropped and `<handler>` runs with the pattern's
///   bindings; its value is the value of the `select!`. If not, the branch is
///   disabled and the `select!` waits on the remaining ones.
/// - When every branch is disabled, the `else` handler runs; without an `else`
///   branch, `select!` panics.
///
/// Handlers run after the futures are dropped and outside any closure, so `return`,
/// `break`, `continue`, `?` and `.await` in a handler act on the code around the
/// `select!`. A handler that is not a `{ block }` must be followed by a comma.
/// `select!` can only be used inside `async` code.
///
/// ```
/// use spindle::sync::oneshot;
///
/// #[spindle::main(flavor = "current_thread")]
/// async fn main() {
///     let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
///     let (value_tx, value_rx) = oneshot::channel();
///     value_tx.send(7).unwrap();
///
///     let received = spindle::select! {
///         _ = &mut stop_rx => None,
///         Ok(value) = value_rx => Some(value),
///     };
///     assert_eq!(received, Some(7));
///
///     // A branch whose precondition is false is never polled; with every branch
///     // disabled, `else` decides.
///     let outcome = spindle::select! {
///         _ = &mut stop_rx, if false => "stopped",
///         else => "nothing to wait for",
///     };
///     assert_eq!(outcome, "nothing to wait for");
///     drop(stop_tx);
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__private::select_internal! { { $crate } $($tokens)* }
    };
}
