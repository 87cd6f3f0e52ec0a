//! A TCP echo server, asyncio's `start_server` demo (the code is
//! `examples/demos/echo.rs`).
//!
//! `cargo run --release --example echo_server` starts the server on a free loopback
//! port, runs three clients against it concurrently, and exits.
//! `cargo run --release --example echo_server -- --serve [ADDRESS]` keeps serving
//! (default `127.0.0.1:7878`) until Ctrl-C; try `nc 127.0.0.1 7878`.

#[path = "demos/mod.rs"]
mod demos;

use spindle::net::TcpListener;

#[spindle::main]
async fn main() -> std::io::Result<()> {
    let mut arguments = std::env::args().skip(1);
    match arguments.next().as_deref() {
        None => demos::echo::run().await,
        Some("--serve") => {
            let address = arguments.next().unwrap_or_else(|| "127.0.0.1:7878".into());
            let listener = TcpListener::bind(&address).await?;
            println!("server: listening on {}", listener.local_addr()?);
            spindle::select! {
                served = demos::echo::serve(listener) => served,
                _ = spindle::signal::ctrl_c() => Ok(()),
            }
        }
        Some(other) => {
            eprintln!(
                "echo_server: unknown argument {other:?}; usage: echo_server [--serve [ADDRESS]]"
            );
            std::process::exit(2);
        }
    }
}
