//! asyncio's streams demo (`start_server` and `open_connection`): a TCP echo server,
//! and clients that talk to it at the same time.
//!
//! The server spawns a task per connection that copies the read half of the stream
//! into its write half (`io::copy`), until the client closes its side. Each client
//! reads its echoes a line at a time, as asyncio's `reader.readline()` does, through a
//! `BufReader` (`read_line`). [`run`] starts the server on a free loopback port, lets
//! three clients each send two lines concurrently, checks every echo, and stops;
//! [`serve`] keeps serving, for `nc` or `telnet`.

use std::net::SocketAddr;

use spindle::io::{self, AsyncBufReadExt, AsyncWriteExt, BufReader};
use spindle::net::{TcpListener, TcpStream};

/// Accepts connections forever, each echoed by its own task.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        spindle::spawn(async move {
            match echo_connection(stream).await {
                Ok(bytes) => println!("server: {peer} closed after {bytes} bytes"),
                Err(error) => println!("server: {peer} failed: {error}"),
            }
        });
    }
}

/// Sends back what the peer sends until it closes its side; returns the byte count.
async fn echo_connection(mut stream: TcpStream) -> std::io::Result<u64> {
    let (mut reader, mut writer) = stream.split();
    io::copy(&mut reader, &mut writer).await
}

/// One client: sends its lines one at a time and reads each echo back as a line.
async fn client(number: u32, server: SocketAddr) -> std::io::Result<()> {
    let mut stream = BufReader::new(TcpStream::connect(server).await?);
    for line in 1..=2 {
        let message = format!("line {line} from client {number}\n");
        stream.write_all(message.as_bytes()).await?; // writes pass through the BufReader
        let mut echo = String::new();
        stream.read_line(&mut echo).await?;
        assert_eq!(echo, message, "the server echoes what it was sent");
        println!("client {number}: echoed {:?}", echo.trim_end());
    }
    // Shutting down our side ends the server's copy.
    stream.shutdown().await
}

/// Runs the demo: a server and three concurrent clients on loopback.
pub async fn run() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    println!("server: listening on {address}");
    let server = spindle::spawn(serve(listener));

    let clients: Vec<_> = (1..=3)
        .map(|number| spindle::spawn(client(number, address)))
        .collect();
    for client in clients {
        client.await??;
    }
    server.abort();
    println!("all three clients got their echoes");
    Ok(())
}
