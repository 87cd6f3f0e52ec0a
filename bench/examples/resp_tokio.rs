//! The Redis-protocol server (`real/resp.rs`) on tokio.
//! `cargo run --release -p spindle-bench --example resp_tokio -- --workers 2`, then
//! `redis-benchmark -p PORT -t get,set` against the port it prints.

use tokio as rt;

#[path = "real/options.rs"]
mod options;
#[path = "real/resp.rs"]
mod resp;

fn main() {
    resp::main();
}
