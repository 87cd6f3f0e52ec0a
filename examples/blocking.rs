//! A blocking call inside a task, caught by slow-poll detection, then fixed with
//! `spawn_blocking` (the demo is `examples/demos/blocking.rs`).
//!
//! Run it with `cargo run --release --example blocking`. It takes about a second
//! whatever `SPINDLE_DEMO_SCALE` says: the watchdog measures real time.

#[path = "demos/mod.rs"]
mod demos;

fn main() {
    demos::blocking::run();
}
