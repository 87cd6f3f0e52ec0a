/// Pins values on the stack, so that `!Unpin` futures can be polled through `&mut`.
///
/// Like `tokio::pin!`, it takes either variables, which it shadows with pinned
/// references to themselves, or `let` bindings:
///
/// ```
/// # spindle::runtime::Runtime::new().unwrap().block_on(async {
/// use std::pin::Pin;
///
/// async fn answer() -> u32 { 42 }
///
/// let future = answer();
/// spindle::pin!(future);
/// // `future` is now a `Pin<&mut impl Future>`; it can be polled in a loop,
/// // or awaited through `&mut` without being moved:
/// let _: &mut Pin<&mut _> = &mut future;
/// assert_eq!((&mut future).await, 42);
///
/// spindle::pin! {
///     let double = async { 2 * answer().await };
/// }
/// assert_eq!(double.as_mut().await, 84);
/// # });
/// ```
///
/// The value cannot be moved afterwards: the original variable is shadowed, so the
/// borrow checker makes that a compile error instead of undefined behaviour.
#[macro_export]
macro_rules! pin {
    ($($variable:ident),* $(,)?) => {
        $(
            // `core::pin::pin!` moves the value into a temporary that lives as long as
            // this `let`, and shadowing the name keeps it from being moved again.
            #[allow(unused_mut)]
            let mut $variable = ::core::pin::pin!($variable);
        )*
    };
    ($(let $variable:ident = $init:expr;)*) => {
        $(
            #[allow(unused_mut)]
            let mut $variable = ::core::pin::pin!($init);
        )*
    };
}
