//! asyncio's `countasync.py`: One One One, Two Two Two in about 1 s, against 3 s
//! sequentially (the demo is `examples/demos/count.rs`).
//!
//! Run it with `cargo run --release --example count`; `SPINDLE_DEMO_SCALE=0.1` runs it ten
//! times faster and `SPINDLE_DEMO_SCALE=0` on virtual time (see `examples/demos/mod.rs`).

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::timer_runtime().block_on(demos::count::run());
}
