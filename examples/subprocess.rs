//! asyncio's subprocesses: three child processes run side by side, then a conversation
//! with `tr` over its stdin and stdout (the demo is `examples/demos/subprocess.rs`).
//!
//! Run it with `cargo run --release --example subprocess`; `SPINDLE_DEMO_SCALE=0.1`
//! makes the children sleep a tenth as long, `0` not at all.

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::io_runtime().block_on(demos::subprocess::run());
}
