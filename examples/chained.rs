//! asyncio's `chained.py`: three chains of two dependent steps with seeded random
//! sleeps, the chains running concurrently (the demo is `examples/demos/chained.rs`).
//!
//! Run it with `cargo run --release --example chained`; `SPINDLE_DEMO_SCALE=0.1` runs it ten
//! times faster and `SPINDLE_DEMO_SCALE=0` on virtual time (see `examples/demos/mod.rs`).

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::timer_runtime().block_on(demos::chained::run());
}
