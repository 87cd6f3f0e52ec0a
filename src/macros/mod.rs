//! The declarative halves of `join!`, `try_join!`, `select!` and `pin!`, and the
//! run-time support their expansions call.
//!
//! `join!`, `try_join!` and `select!` are `macro_rules!` wrappers around proc macros
//! of `spindle-macros`: the wrapper's only job is to hand `$crate` to the proc macro,
//! which has no other way to name this crate when the user renamed or re-exported it.
//! Everything the expansions need at run time lives in [`support`], re-exported as
//! the hidden `spindle::__private`.

mod join;
mod pin;
mod select;
pub(crate) mod support;
