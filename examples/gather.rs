//! asyncio's `gather`: two simulated fetches of 2 s and 1 s finish in about 2 s,
//! the shorter first (the demo is `examples/demos/gather.rs`).
//!
//! Run it with `cargo run --release --example gather`; `SPINDLE_DEMO_SCALE=0.1` runs it ten
//! times faster and `SPINDLE_DEMO_SCALE=0` on virtual time (see `examples/demos/mod.rs`).

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::timer_runtime().block_on(demos::gather::run());
}
