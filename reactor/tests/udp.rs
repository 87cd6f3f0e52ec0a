//! UDP over loopback.

mod support;

use std::io;
use std::sync::Arc;

use futures::future::try_join;
use spindle_reactor::net::UdpSocket;
use support::run;

#[test]
fn send_to_and_recv_from_round_trip_with_the_sender_address() {
    run(async {
        let server = UdpSocket::bind("127.0.0.1:0").await?;
        let client = UdpSocket::bind("127.0.0.1:0").await?;
        let serve = async {
            let mut buf = [0; 64];
            let (len, from) = server.recv_from(&mut buf).await?;
            server.send_to(&buf[..len], from).await?;
            Ok::<_, io::Error>(from)
        };
        let ask = async {
            client.send_to(b"datagram", server.local_addr()?).await?;
            let mut buf = [0; 64];
            let (len, from) = client.recv_from(&mut buf).await?;
            Ok::<_, io::Error>((buf[..len].to_vec(), from))
        };
        let (seen_from, (reply, reply_from)) = try_join(serve, ask).await?;
        assert_eq!(seen_from, client.local_addr()?);
        assert_eq!(reply_from, server.local_addr()?);
        assert_eq!(reply, b"datagram");
        Ok::<_, io::Error>(())
    })
    .expect("udp round trip");
}

#[test]
fn connected_sockets_send_and_recv() {
    run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        a.connect(b.local_addr()?).await?;
        b.connect(a.local_addr()?).await?;
        assert_eq!(a.peer_addr()?, b.local_addr()?);
        a.send(b"ping").await?;
        let mut buf = [0; 8];
        let len = b.recv(&mut buf).await?;
        assert_eq!(&buf[..len], b"ping");
        b.send(b"pong").await?;
        let len = a.recv(&mut buf).await?;
        assert_eq!(&buf[..len], b"pong");
        Ok::<_, io::Error>(())
    })
    .expect("connected udp");
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        a.send_to(b"twice", b.local_addr()?).await?;
        let mut buf = [0; 8];
        let (len, from) = b.peek_from(&mut buf).await?;
        assert_eq!((&buf[..len], from), (&b"twice"[..], a.local_addr()?));
        let (len, _) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..len], b"twice");
        assert_eq!(
            b.try_recv_from(&mut buf).map_err(|err| err.kind()),
            Err(io::ErrorKind::WouldBlock)
        );
        Ok::<_, io::Error>(())
    })
    .expect("peek_from");
}

#[test]
fn many_tasks_can_wait_on_one_shared_socket() {
    const DATAGRAMS: usize = 20;
    run(async {
        let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let client = UdpSocket::bind("127.0.0.1:0").await?;
        // try_join polls the receivers first, so every one waits before any datagram
        // is sent; each must get one.
        let receivers = (0..DATAGRAMS).map(|_| {
            let server = Arc::clone(&server);
            async move {
                let mut buf = [0; 8];
                let (len, _) = server.recv_from(&mut buf).await?;
                assert_eq!(len, 1);
                Ok::<_, io::Error>(buf[0] as usize)
            }
        });
        let receive_all = futures::future::try_join_all(receivers);
        let send_all = async {
            for i in 0..DATAGRAMS {
                client.send_to(&[i as u8], server.local_addr()?).await?;
            }
            Ok::<_, io::Error>(())
        };
        let (mut got, ()) = try_join(receive_all, send_all).await?;
        got.sort_unstable();
        assert_eq!(got, (0..DATAGRAMS).collect::<Vec<_>>());
        Ok::<_, io::Error>(())
    })
    .expect("shared socket");
}

#[test]
fn broadcast_and_multicast_options_round_trip() {
    run(async {
        let socket = UdpSocket::bind("0.0.0.0:0").await?;
        socket.set_broadcast(true)?;
        assert!(socket.broadcast()?);
        socket.set_multicast_loop_v4(false)?;
        assert!(!socket.multicast_loop_v4()?);
        socket.set_multicast_ttl_v4(3)?;
        assert_eq!(socket.multicast_ttl_v4()?, 3);
        socket.set_ttl(9)?;
        assert_eq!(socket.ttl()?, 9);
        Ok::<_, io::Error>(())
    })
    .expect("udp options");
}
