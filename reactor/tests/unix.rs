//! Unix-domain sockets in a temporary directory.

mod support;

use std::io;

use futures::future::try_join;
use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
use spindle_reactor::net::{UnixDatagram, UnixListener, UnixStream};
use support::{pattern, run};

#[test]
fn stream_echo_through_a_listener() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("echo.sock");
    run(async {
        let listener = UnixListener::bind(&path)?;
        let payload = pattern(3, 128 * 1024);
        let server = async {
            let (mut stream, _) = listener.accept().await?;
            let (mut reader, mut writer) = UnixStream::split(&mut stream);
            let copied = spindle_reactor::io::copy(&mut reader, &mut writer).await?;
            writer.shutdown().await?;
            Ok::<_, io::Error>(copied)
        };
        let client = async {
            let stream = UnixStream::connect(&path).await?;
            let (mut reader, mut writer) = stream.into_split();
            let write = async {
                writer.write_all(&payload).await?;
                writer.shutdown().await
            };
            let mut echoed = Vec::new();
            try_join(write, reader.read_to_end(&mut echoed)).await?;
            Ok::<_, io::Error>(echoed)
        };
        let (copied, echoed) = try_join(server, client).await?;
        assert_eq!(copied, payload.len() as u64);
        assert!(echoed == payload, "echoed bytes differ");
        Ok::<_, io::Error>(())
    })
    .expect("unix echo");
}

#[test]
fn stream_pair_is_connected_both_ways() {
    run(async {
        let (mut a, mut b) = UnixStream::pair()?;
        a.write_all(b"a to b").await?;
        let mut buf = [0; 6];
        b.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"a to b");
        b.write_all(b"b to a").await?;
        a.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"b to a");
        Ok::<_, io::Error>(())
    })
    .expect("pair");
}

#[test]
fn datagram_send_to_and_recv_from_carry_the_sender_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server_path = dir.path().join("server.sock");
    let client_path = dir.path().join("client.sock");
    run(async {
        let server = UnixDatagram::bind(&server_path)?;
        let client = UnixDatagram::bind(&client_path)?;
        client.send_to(b"hello", &server_path).await?;
        let mut buf = [0; 16];
        let (len, from) = server.recv_from(&mut buf).await?;
        assert_eq!(&buf[..len], b"hello");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        server.send_to(b"back", &client_path).await?;
        let len = client.recv(&mut buf).await?;
        assert_eq!(&buf[..len], b"back");
        Ok::<_, io::Error>(())
    })
    .expect("unix datagram");
}

#[test]
fn datagram_pair_and_connected_unbound_socket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bound.sock");
    run(async {
        let (a, b) = UnixDatagram::pair()?;
        a.send(b"paired").await?;
        let mut buf = [0; 16];
        let len = b.recv(&mut buf).await?;
        assert_eq!(&buf[..len], b"paired");

        let bound = UnixDatagram::bind(&path)?;
        let unbound = UnixDatagram::unbound()?;
        unbound.connect(&path)?;
        unbound.send(b"from nowhere").await?;
        let len = bound.recv(&mut buf).await?;
        assert_eq!(&buf[..len], b"from nowhere");
        Ok::<_, io::Error>(())
    })
    .expect("unix datagram pair");
}
