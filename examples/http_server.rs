//! An HTTP/1.1 and HTTP/2 server on hyper 1.x and spindle, with no tokio runtime (the
//! code is `examples/demos/http.rs`). Needs the `hyper` feature.
//!
//! `cargo run --release --features hyper --example http_server` starts the server on a
//! free loopback port, asks it once over HTTP/1.1 and once over HTTP/2 with hyper's
//! clients, and exits.
//! `cargo run --release --features hyper --example http_server -- --serve [ADDRESS]`
//! keeps serving (default `127.0.0.1:3000`) until Ctrl-C; its first line of output is
//! `server: listening on http://ADDRESS`. Try
//! `curl --http1.1 http://127.0.0.1:3000/` and
//! `curl --http2-prior-knowledge http://127.0.0.1:3000/`.

#[path = "demos/mod.rs"]
mod demos;

use spindle::net::TcpListener;

#[spindle::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    match arguments.next().as_deref() {
        None => demos::http::run().await,
        Some("--serve") => {
            let address = arguments.next().unwrap_or_else(|| "127.0.0.1:3000".into());
            let listener = TcpListener::bind(&address).await?;
            println!("server: listening on http://{}", listener.local_addr()?);
            spindle::select! {
                served = demos::http::serve(listener) => served?,
                _ = spindle::signal::ctrl_c() => {}
            }
            Ok(())
        }
        Some(other) => {
            eprintln!(
                "http_server: unknown argument {other:?}; usage: http_server [--serve [ADDRESS]]"
            );
            std::process::exit(2);
        }
    }
}
