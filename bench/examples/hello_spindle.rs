//! The hyper hello-world (`real/hello.rs`) on spindle: hyper reads and writes spindle's
//! `TcpStream` directly and spawns and sleeps through `spindle::hyper`.
//! `cargo run --release -p spindle-bench --example hello_spindle -- --workers 2`

use spindle as rt;

#[path = "real/hello.rs"]
mod hello;
#[path = "real/options.rs"]
mod options;

mod glue {
    use spindle::hyper::{SpindleExecutor, SpindleTimer};
    use spindle::net::TcpStream;

    pub fn io(stream: TcpStream) -> TcpStream {
        stream
    }

    pub fn executor() -> SpindleExecutor {
        SpindleExecutor::new()
    }

    pub fn timer() -> SpindleTimer {
        SpindleTimer::new()
    }
}

fn main() {
    hello::main();
}
