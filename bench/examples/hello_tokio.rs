//! The hyper hello-world (`real/hello.rs`) on tokio, through hyper-util's `TokioIo`,
//! `TokioExecutor` and `TokioTimer`.
//! `cargo run --release -p spindle-bench --example hello_tokio -- --workers 2`

use tokio as rt;

#[path = "real/hello.rs"]
mod hello;
#[path = "real/options.rs"]
mod options;

mod glue {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tokio::net::TcpStream;

    pub fn io(stream: TcpStream) -> TokioIo<TcpStream> {
        TokioIo::new(stream)
    }

    pub fn executor() -> TokioExecutor {
        TokioExecutor::new()
    }

    pub fn timer() -> TokioTimer {
        TokioTimer::new()
    }
}

fn main() {
    hello::main();
}
