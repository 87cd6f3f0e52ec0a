//! asyncio's streams demo (`start_server` and `open_connection`): a TCP echo server,
//! and clients that talk to it at the same time.
//!
//! The server spawns a task per connection that sends back every byte it reads, until
//! the client closes its side. [`run`] starts the server on a free loopback port, lets
//! three clients each send two lines concurrently, checks every echo, and stops;
//! [`serve`] keeps serving, for `nc` or `telnet`.

use std::net::SocketAddr;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
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
    let mut buffer = [0u8; 4096];
    let mut echoed = 0;
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(echoed);
        }
        stream.write_all(&buffer[..read]).await?;
        echoed += read as u64;
    }
}

/// One client: sends its lines one at a time and reads each echo back.
async fn client(number: u32, server: SocketAddr) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(server).await?;
    for line in 1..=2 {
        let message = format!("line {line} from client {number}\n");
        stream.write_all(message.as_bytes()).await?;
        let mut echo = vec![0u8; message.len()];
        stream.read_exact(&mut echo).await?;
        assert_eq!(
            echo,
            message.as_bytes(),
            "the server echoes what it was sent"
        );
        println!(
            "client {number}: echoed {:?}",
            String::from_utf8_lossy(&echo).trim_end()
        );
    }
    // Closing our side ends the server's read loop.
    stream.close().await
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
