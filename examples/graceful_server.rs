//! A TCP server that shuts down gracefully: ctrl-c (or SIGTERM) stops it accepting
//! connections and lets the requests in flight finish; a second ctrl-c stops it at once.
//!
//! Run it with `cargo run --example graceful_server`, then talk to it with
//! `nc 127.0.0.1 <port>`. The protocol is one line each way, twice: send any line to
//! start a request (the server answers `started`), send another to finish it (the
//! server answers `done` and closes). Press ctrl-c while a request is open: the server
//! prints `draining`, refuses new connections, and exits 0 once you finish the open
//! request. Press ctrl-c twice and it exits at once with status 130, naming the
//! connection tasks it dropped.
//!
//! `tests/graceful_signal.rs` drives it with real signals.

use std::io;

use spindle::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use spindle::net::{TcpListener, TcpStream};
use spindle::runtime::Handle;

#[spindle::main(graceful_shutdown = "30s")]
async fn main() -> io::Result<()> {
    let stop = Handle::current().shutdown_token();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        spindle::select! {
            accepted = listener.accept() => {
                let (socket, peer) = accepted?;
                spindle::task::Builder::new()
                    .name(&format!("connection from {peer}"))
                    .spawn(async move {
                        if let Err(error) = serve(socket).await {
                            eprintln!("connection from {peer}: {error}");
                        }
                    })?;
            }
            _ = stop.cancelled() => break,
        }
    }
    // Dropping the listener closes the port: new connections are refused from here on.
    drop(listener);
    println!("draining");
    Ok(())
}

/// One request: a line starts it, a second line finishes it. The handler does not look
/// at the shutdown token, so a request in flight runs to its end during the drain.
async fn serve(socket: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(());
    }
    writer.write_all(b"started\n").await?;
    if reader.read_line(&mut line).await? == 0 {
        return Ok(());
    }
    writer.write_all(b"done\n").await?;
    writer.shutdown().await
}
