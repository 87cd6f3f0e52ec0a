/// Waits on several futures at once, in the calling task, and returns all their
/// outputs as a tuple.
///
/// The futures run concurrently but not in parallel: they are polled one after the
/// other by the task that runs `join!`, which is cheaper than spawning them and lets
/// them borrow from the caller. Use `spindle::spawn` for parallelism. Arguments may be
/// anything that implements `IntoFuture`. Unless the first token is `biased;`, the
/// future polled first rotates from one wake-up to the next, so a busy future cannot
/// keep the cooperative budget from the others.
///
/// `join!` can only be used inside `async` code.
///
/// ```
/// #[spindle::main(flavor = "current_thread")]
/// async fn main() {
///     async fn fetch(id: u32) -> String {
///         spindle::task::yield_now().await;
///         format!("page {id}")
///     }
///
///     let (first, second, count) = spindle::join!(fetch(1), fetch(2), async { 3 });
///     assert_eq!(first, "page 1");
///     assert_eq!(second, "page 2");
///     assert_eq!(count, 3);
/// }
/// ```
#[macro_export]
macro_rules! join {
    ($($tokens:tt)*) => {
        $crate::__private::join_internal! { { $crate } $($tokens)* }
    };
}

/// Waits on several futures that return `Result`, and returns `Ok` with all their
/// values, or the first `Err` as soon as one future fails.
///
/// Every future must fail with the same error type. On the first error the other
/// futures are dropped, so their work stops at their current `.await`. Like
/// [`join!`], the futures run concurrently in the calling task; `biased;` as the first
/// token polls them in order on every wake-up.
///
/// ```
/// #[spindle::main(flavor = "current_thread")]
/// async fn main() {
///     async fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
///         text.parse()
///     }
///
///     let both = spindle::try_join!(parse("1"), parse("2"));
///     assert_eq!(both, Ok((1, 2)));
///
///     let failed = spindle::try_join!(parse("1"), parse("two"));
///     assert!(failed.is_err());
/// }
/// ```
#[macro_export]
macro_rules! try_join {
    ($($tokens:tt)*) => {
        $crate::__private::try_join_internal! { { $crate } $($tokens)* }
    };
}
