//! Runtime-agnostic synchronisation primitives for spindle, and the cooperative budget.
//!
//! This crate is the floor of spindle's crate graph: it depends on nothing else of
//! spindle's and works on any executor. It is also where what every resource shares
//! lives (the cooperative budget in [`coop`]), so the executor, the reactor and the
//! timers can all spend it without naming each other.

pub mod coop;
