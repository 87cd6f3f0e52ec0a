//! Three servers written exactly as they would be against tokio, with only
//! `use spindle as tokio;` changed: a line-based chat server, a length-prefixed binary
//! protocol server, and a proxy over `copy_bidirectional`. Each test drives one with
//! real clients on loopback and checks every byte that comes back.

use spindle as tokio;

mod support;

use std::time::Duration;

use support::within;

/// Each scenario's limit; far beyond what it needs, it only turns a hang into a failure.
const DEADLINE: Duration = Duration::from_secs(30);

fn run<F: std::future::Future<Output = ()> + Send + 'static>(scenario: F) {
    within(DEADLINE, move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime builds")
            .block_on(scenario)
    })
}

/// A chat room: every line a client sends goes to every other client, prefixed with the
/// sender's address.
mod chat {
    use super::tokio;
    use std::net::SocketAddr;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;
    use tokio::sync::broadcast;

    pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
        let (room, _) = broadcast::channel::<(SocketAddr, String)>(64);
        loop {
            let (socket, address) = listener.accept().await?;
            let room = room.clone();
            let mut heard = room.subscribe();
            tokio::spawn(async move {
                let (reader, mut writer) = socket.into_split();
                let mut lines = BufReader::new(reader).lines();
                writer.write_all(b"welcome\n").await?;
                loop {
                    tokio::select! {
                        line = lines.next_line() => match line? {
                            Some(line) => {
                                let _ = room.send((address, line));
                            }
                            None => break,
                        },
                        message = heard.recv() => match message {
                            Ok((from, text)) if from != address => {
                                writer.write_all(format!("{from}: {text}\n").as_bytes()).await?;
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        },
                    }
                }
                Ok::<_, std::io::Error>(())
            });
        }
    }
}

#[test]
fn chat_server_relays_each_line_to_the_other_client_without_its_line_ending() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(chat::serve(listener));

        let mut alice = BufReader::new(TcpStream::connect(address).await.unwrap());
        let mut bob = BufReader::new(TcpStream::connect(address).await.unwrap());
        let alice_address = alice.get_ref().local_addr().unwrap();
        let bob_address = bob.get_ref().local_addr().unwrap();
        // The welcome line comes after the server subscribed the connection to the room.
        for client in [&mut alice, &mut bob] {
            let mut line = String::new();
            client.read_line(&mut line).await.unwrap();
            assert_eq!(line, "welcome\n");
        }

        alice.write_all(b"hello, bob\r\n").await.unwrap();
        let mut line = String::new();
        bob.read_line(&mut line).await.unwrap();
        assert_eq!(line, format!("{alice_address}: hello, bob\n"));

        bob.write_all(b"hi alice\n").await.unwrap();
        let mut lines = alice.lines();
        assert_eq!(
            lines.next_line().await.unwrap(),
            Some(format!("{bob_address}: hi alice"))
        );
        server.abort();
    });
}

/// A binary protocol: each frame is a big-endian `u32` length and that many bytes; the
/// server answers every frame with a frame holding the bytes reversed.
mod framed {
    use super::tokio;
    use bytes::{Buf, BufMut, BytesMut};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (socket, _) = listener.accept().await?;
            tokio::spawn(handle(socket));
        }
    }

    async fn handle(mut socket: TcpStream) -> std::io::Result<()> {
        let mut input = BytesMut::with_capacity(16);
        loop {
            while let Some(frame) = next_frame(&mut input) {
                let mut reply = BytesMut::with_capacity(4 + frame.len());
                reply.put_u32(frame.len() as u32);
                reply.extend(frame.iter().rev());
                socket.write_all_buf(&mut reply).await?;
                assert!(!reply.has_remaining());
            }
            if socket.read_buf(&mut input).await? == 0 {
                return Ok(());
            }
        }
    }

    fn next_frame(input: &mut BytesMut) -> Option<BytesMut> {
        if input.len() < 4 {
            return None;
        }
        let len = u32::from_be_bytes(input[..4].try_into().unwrap()) as usize;
        if input.len() < 4 + len {
            input.reserve(4 + len - input.len());
            return None;
        }
        input.advance(4);
        Some(input.split_to(len))
    }
}

#[test]
fn framed_server_answers_length_prefixed_frames_of_every_size() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
    use tokio::net::{TcpListener, TcpStream};

    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(framed::serve(listener));

        let (reader, writer) = TcpStream::connect(address).await.unwrap().into_split();
        let frames: Vec<Vec<u8>> = [0usize, 1, 3, 15, 16, 17, 1000, 70_000]
            .iter()
            .map(|&len| support::payload(len, len))
            .collect();
        let sent = frames.clone();
        // All frames go out through a BufWriter while the replies are read back, so a
        // server that stopped reading while it writes would deadlock the exchange.
        let writing = tokio::spawn(async move {
            let mut writer = BufWriter::new(writer);
            for frame in &sent {
                writer.write_u32(frame.len() as u32).await?;
                writer.write_all(frame).await?;
            }
            writer.shutdown().await?; // flushes, then half-closes
            Ok::<_, std::io::Error>(())
        });
        let mut reader = reader;
        for frame in &frames {
            let len = reader.read_u32().await.unwrap() as usize;
            assert_eq!(len, frame.len());
            let mut reply = vec![0; len];
            assert_eq!(reader.read_exact(&mut reply).await.unwrap(), len);
            reply.reverse();
            assert!(
                &reply == frame,
                "a frame of {len} bytes came back corrupted"
            );
        }
        writing.await.unwrap().unwrap();
        // The server saw the half-close and closed its side: end of stream.
        assert_eq!(
            reader.read_u8().await.unwrap_err().kind(),
            std::io::ErrorKind::UnexpectedEof
        );
        server.abort();
    });
}

/// A TCP proxy: each inbound connection is joined to a fresh upstream connection with
/// `copy_bidirectional`; the byte counts it returns are reported on a channel.
mod proxy {
    use super::tokio;
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::mpsc;

    pub async fn serve(
        listener: TcpListener,
        upstream: std::net::SocketAddr,
        counts: mpsc::UnboundedSender<(u64, u64)>,
    ) -> std::io::Result<()> {
        loop {
            let (mut inbound, _) = listener.accept().await?;
            let counts = counts.clone();
            tokio::spawn(async move {
                let mut outbound = TcpStream::connect(upstream).await?;
                let copied = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await?;
                let _ = counts.send(copied);
                Ok::<_, std::io::Error>(())
            });
        }
    }

    /// The upstream: echoes each connection until its client half-closes.
    pub async fn echo(listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (mut socket, _) = listener.accept().await?;
            tokio::spawn(async move {
                let (mut reader, mut writer) = socket.split();
                tokio::io::copy(&mut reader, &mut writer).await
            });
        }
    }
}

#[test]
fn proxy_copies_both_ways_and_reports_both_byte_counts() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    run(async {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_address = upstream.local_addr().unwrap();
        let upstream = tokio::spawn(proxy::echo(upstream));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (counts_tx, mut counts) = tokio::sync::mpsc::unbounded_channel();
        let proxy = tokio::spawn(proxy::serve(listener, upstream_address, counts_tx));

        let request = support::payload(7, 300_000);
        let mut client = TcpStream::connect(address).await.unwrap();
        let (mut reader, mut writer) = client.split();
        let send = async {
            writer.write_all(&request).await.unwrap();
            writer.shutdown().await.unwrap();
        };
        let receive = async {
            let mut echoed = Vec::new();
            reader.read_to_end(&mut echoed).await.unwrap();
            echoed
        };
        let ((), echoed) = tokio::join!(send, receive);
        assert_eq!(echoed.len(), request.len());
        assert!(echoed == request, "the proxied echo corrupted its bytes");
        let total = request.len() as u64;
        assert_eq!(counts.recv().await, Some((total, total)));
        proxy.abort();
        upstream.abort();
    });
}

#[test]
fn shutdown_half_closes_a_tcp_stream_and_the_peer_can_still_answer() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();

        client.write_all(b"question").await.unwrap();
        client.shutdown().await.unwrap();
        let mut question = Vec::new();
        server.read_to_end(&mut question).await.unwrap();
        assert_eq!(question, b"question");

        server.write_all(b"answer").await.unwrap();
        drop(server);
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert_eq!(answer, "answer");
    });
}
