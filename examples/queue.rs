//! asyncio's `asyncq.py`: producers and consumers over spindle's asyncio-style work
//! queue, ending with `join` (the demo is `examples/demos/queue.rs`).
//!
//! Run it with `cargo run --release --example queue`; `SPINDLE_DEMO_SCALE=0.1` runs it ten
//! times faster and `SPINDLE_DEMO_SCALE=0` on virtual time (see `examples/demos/mod.rs`).

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::timer_runtime().block_on(demos::queue::run());
}
