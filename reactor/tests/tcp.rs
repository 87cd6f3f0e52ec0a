//! TCP over loopback: echo, many connections, half-close, split halves, errors.

mod support;

use std::io;
use std::net::SocketAddr;

use futures::future::{join_all, try_join};
use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
use spindle_reactor::net::{TcpListener, TcpSocket, TcpStream};
use support::{pattern, raise_fd_limit, run};

async fn echo_until_eof(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = vec![0; 8 * 1024];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            stream.shutdown().await?;
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

#[test]
fn echo_returns_every_byte_sent() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let payload = pattern(1, 256 * 1024);
        let server = async {
            let (stream, _) = listener.accept().await?;
            echo_until_eof(stream).await
        };
        let client = async {
            let stream = TcpStream::connect(addr).await?;
            let (mut reader, mut writer) = stream.into_split();
            let write = async {
                writer.write_all(&payload).await?;
                writer.shutdown().await
            };
            let mut echoed = Vec::new();
            let read = reader.read_to_end(&mut echoed);
            try_join(write, read).await?;
            Ok::<_, io::Error>(echoed)
        };
        let (echoed_count, echoed) = try_join(server, client).await?;
        assert_eq!(echoed_count, payload.len() as u64);
        assert!(echoed == payload, "echoed bytes differ from the payload");
        Ok::<_, io::Error>(())
    })
    .expect("echo");
}

#[test]
fn one_listener_serves_a_thousand_concurrent_connections() {
    const CONNECTIONS: usize = 1000;
    const BYTES: usize = 2048;
    // Each connection costs two fds here (client and server side).
    let limit = raise_fd_limit(4 * CONNECTIONS as u64 + 64);
    assert!(
        limit >= 2 * CONNECTIONS as u64 + 64,
        "the fd limit ({limit}) is too low for this test"
    );
    run(async {
        let socket = TcpSocket::new_v4()?;
        socket.bind("127.0.0.1:0".parse().expect("literal address"))?;
        let listener = socket.listen(CONNECTIONS as u32)?;
        let addr = listener.local_addr()?;
        let servers = (0..CONNECTIONS).map(|_| async {
            let (stream, _) = listener.accept().await?;
            echo_until_eof(stream).await
        });
        let clients = (0..CONNECTIONS).map(|id| async move {
            let mut stream = TcpStream::connect(addr).await?;
            let payload = pattern(id, BYTES);
            stream.write_all(&payload).await?;
            stream.shutdown().await?;
            let mut echoed = Vec::with_capacity(BYTES);
            stream.read_to_end(&mut echoed).await?;
            assert!(
                echoed == payload,
                "connection {id} got different bytes back"
            );
            Ok::<_, io::Error>(())
        });
        let (served, checked) = futures::join!(join_all(servers), join_all(clients));
        let mut total = 0;
        for echoed in served {
            total += echoed?;
        }
        for result in checked {
            result?;
        }
        assert_eq!(total, (CONNECTIONS * BYTES) as u64);
        Ok::<_, io::Error>(())
    })
    .expect("a thousand connections");
}

#[test]
fn half_close_lets_the_peer_read_to_end_and_still_reply() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (mut server, _) = listener.accept().await?;

        client.write_all(b"question").await?;
        client.shutdown().await?;
        let mut question = Vec::new();
        server.read_to_end(&mut question).await?;
        assert_eq!(question, b"question");

        server.write_all(b"answer").await?;
        server.shutdown().await?;
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await?;
        assert_eq!(answer, b"answer");
        Ok::<_, io::Error>(())
    })
    .expect("half-close");
}

#[test]
fn owned_halves_stream_both_ways_at_once() {
    // More than the socket buffers hold in both directions: neither side can finish
    // writing before the other reads, so this deadlocks unless both halves progress
    // concurrently.
    const BYTES: usize = 4 * 1024 * 1024;
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let client = TcpStream::connect(listener.local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        let side = |stream: TcpStream, id: usize| async move {
            let (mut reader, mut writer) = stream.into_split();
            let sent = pattern(id, BYTES);
            let write = async {
                writer.write_all(&sent).await?;
                writer.shutdown().await?;
                Ok::<_, io::Error>(writer)
            };
            let mut received = Vec::with_capacity(BYTES);
            let read = async {
                reader.read_to_end(&mut received).await?;
                Ok(reader)
            };
            let (writer, reader) = try_join(write, read).await?;
            let reunited = reader.reunite(writer).expect("halves of one stream");
            drop(reunited);
            Ok::<_, io::Error>(received)
        };
        let (from_server, from_client) = try_join(side(client, 1), side(server, 2)).await?;
        assert!(from_server == pattern(2, BYTES), "client got wrong bytes");
        assert!(from_client == pattern(1, BYTES), "server got wrong bytes");
        Ok::<_, io::Error>(())
    })
    .expect("owned halves");
}

#[test]
fn borrowed_halves_copy_between_each_other() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (mut server, _) = listener.accept().await?;
        let echo = async {
            // The inherent borrowed split (futures' `AsyncReadExt::split` takes the
            // stream by value and would win method resolution).
            let (mut reader, mut writer) = TcpStream::split(&mut server);
            let copied = spindle_reactor::io::copy(&mut reader, &mut writer).await?;
            writer.shutdown().await?;
            Ok::<_, io::Error>(copied)
        };
        let talk = async {
            client.write_all(b"through the halves").await?;
            client.shutdown().await?;
            let mut back = String::new();
            client.read_to_string(&mut back).await?;
            Ok::<_, io::Error>(back)
        };
        let (copied, back) = try_join(echo, talk).await?;
        assert_eq!((copied, back.as_str()), (18, "through the halves"));
        Ok::<_, io::Error>(())
    })
    .expect("borrowed halves");
}

#[test]
fn reuniting_halves_of_different_streams_fails() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let a = TcpStream::connect(listener.local_addr()?).await?;
        let b = TcpStream::connect(listener.local_addr()?).await?;
        let (a_read, _a_write) = a.into_split();
        let (_b_read, b_write) = b.into_split();
        assert!(a_read.reunite(b_write).is_err());
        Ok::<_, io::Error>(())
    })
    .expect("reunite");
}

#[test]
fn peer_reset_surfaces_as_an_error() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        // Linger zero: closing sends RST instead of FIN.
        server.set_zero_linger()?;
        drop(server);
        let mut buf = [0; 16];
        let err = client.read(&mut buf).await.expect_err("a reset, not data");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
        Ok::<_, io::Error>(())
    })
    .expect("reset");
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    run(async {
        let addr: SocketAddr = {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            listener.local_addr()?
        };
        let err = TcpStream::connect(addr).await.expect_err("nobody listens");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
        Ok::<_, io::Error>(())
    })
    .expect("refused");
}

#[test]
fn connect_accepts_host_names_and_tries_each_address() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let stream = TcpStream::connect(("localhost", port)).await;
        // `localhost` may resolve to ::1 first; the v4 address must still be reached.
        let stream = stream?;
        assert_eq!(stream.peer_addr()?.port(), port);
        let looked_up: Vec<_> = spindle_reactor::net::lookup_host(format!("localhost:{port}"))
            .await?
            .collect();
        assert!(looked_up.iter().any(|addr| addr.ip().is_loopback()));
        Ok::<_, io::Error>(())
    })
    .expect("host names");
}

#[test]
fn socket_options_round_trip() {
    run(async {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.set_reuseport(true)?;
        socket.set_recv_buffer_size(64 * 1024)?;
        socket.set_send_buffer_size(64 * 1024)?;
        assert!(socket.reuseaddr()? && socket.reuseport()?);
        assert!(socket.recv_buffer_size()? >= 64 * 1024);
        socket.bind("127.0.0.1:0".parse().expect("literal address"))?;
        let listener = socket.listen(16)?;
        listener.set_ttl(42)?;
        assert_eq!(listener.ttl()?, 42);
        let stream = TcpSocket::new_v4()?.connect(listener.local_addr()?).await?;
        stream.set_nodelay(true)?;
        assert!(stream.nodelay()?);
        stream.set_ttl(7)?;
        assert_eq!(stream.ttl()?, 7);
        Ok::<_, io::Error>(())
    })
    .expect("options");
}

#[test]
fn from_std_and_into_std_keep_the_connection() {
    run(async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let listener = TcpListener::from_std(std_listener)?;
        let std_client = std::net::TcpStream::connect(listener.local_addr()?)?;
        let mut client = TcpStream::from_std(std_client)?;
        let (server, _) = listener.accept().await?;
        let mut std_server = server.into_std()?;
        std_server.set_nonblocking(false)?;
        std::io::Write::write_all(&mut std_server, b"std")?;
        let mut buf = [0; 3];
        client.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"std");
        let _std_listener = listener.into_std()?;
        Ok::<_, io::Error>(())
    })
    .expect("std conversions");
}

#[test]
fn peek_leaves_the_data_for_the_next_read() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (mut server, _) = listener.accept().await?;
        client.write_all(b"peekaboo").await?;
        let mut peeked = [0; 8];
        let mut filled = 0;
        while filled < 8 {
            filled = server.peek(&mut peeked).await?;
        }
        let mut read = [0; 8];
        server.read_exact(&mut read).await?;
        assert_eq!((&peeked, &read), (b"peekaboo", b"peekaboo"));
        Ok::<_, io::Error>(())
    })
    .expect("peek");
}

#[test]
fn dropping_streams_deregisters_them() {
    let mut driver = spindle_reactor::Driver::new().expect("poller");
    let handle = driver.handle();
    driver
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let client = TcpStream::connect(listener.local_addr()?).await?;
            let (server, _) = listener.accept().await?;
            assert_eq!(handle.registered_sources(), 3);
            drop((client, server, listener));
            assert_eq!(handle.registered_sources(), 0);
            Ok::<_, io::Error>(())
        })
        .expect("deregistration");
}

#[test]
fn connect_outside_a_runtime_panics_naming_the_call() {
    let caught = std::panic::catch_unwind(|| {
        futures::executor::block_on(TcpStream::connect("127.0.0.1:1")).map(drop)
    });
    let payload = caught.expect_err("no runtime, so it must panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("spindle::net::TcpStream::connect called outside a runtime"),
        "{message}"
    );
    assert!(message.contains("enable_io()"), "{message}");
}
