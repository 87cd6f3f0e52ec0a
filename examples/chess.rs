//! Judit Polgár's simultaneous exhibition: 24 boards, 12 h played one at a time,
//! about 1 h played concurrently, with time compressed so that it runs in seconds
//! (the demo is `examples/demos/chess.rs`).
//!
//! Run it with `cargo run --release --example chess`; `SPINDLE_DEMO_SCALE=0.1` runs it ten
//! times faster and `SPINDLE_DEMO_SCALE=0` on virtual time (see `examples/demos/mod.rs`).

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::timer_runtime().block_on(demos::chess::run());
}
