//! `spindle::net` on the runtime, both flavours: the worker parked in the driver
//! dispatches readiness, and sockets fail cleanly once their runtime is gone.

use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpSocket, TcpStream, UdpSocket, UnixStream};
use spindle::runtime::Builder;

mod support;

use support::{echo_server, panic_message, payload, Flavour};

flavour_tests!(
    tcp_echo_round_trips_every_byte,
    many_concurrent_connections_are_served_with_every_byte_checked,
    udp_round_trip_between_two_sockets,
    unix_stream_pair_echoes,
    socket_outliving_its_runtime_fails_with_an_error,
    sleep_and_socket_share_the_driver,
    io_metrics_count_events_and_registrations,
);

async fn echo_client(address: std::net::SocketAddr, seed: usize, len: usize) {
    let stream = TcpStream::connect(address).await.expect("connect");
    let sent = payload(seed, len);
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        writer.write_all(&sent).await.expect("client write");
        writer.shutdown().await.expect("half-close");
    };
    let read = async {
        let mut received = Vec::with_capacity(len);
        reader
            .read_to_end(&mut received)
            .await
            .expect("client read");
        received
    };
    let ((), received) = futures::join!(write, read);
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "connection {seed} corrupted its bytes");
}

fn tcp_echo_round_trips_every_byte(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = spindle::spawn(echo_server(listener, 1));
        echo_client(address, 1, 1 << 20).await;
        server.await.unwrap();
    });
}

/// Raises the soft fd limit to the hard one: 1 000 connections need 2 000 fds here.
fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct, which outlives the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: setrlimit only reads the initialised struct.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    limit.rlim_cur
}

fn many_concurrent_connections_are_served_with_every_byte_checked(flavour: Flavour) {
    let connections: usize = if raise_fd_limit() >= 2_500 {
        1_000
    } else {
        eprintln!("fd limit too low for 1 000 connections; using 200");
        200
    };
    let rt = flavour.runtime();
    rt.block_on(async {
        // A backlog as deep as the burst: every client connects at once.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(connections as u32).unwrap();
        let address = listener.local_addr().unwrap();
        let server = spindle::spawn(echo_server(listener, connections));
        let clients: Vec<_> = (0..connections)
            .map(|seed| spindle::spawn(echo_client(address, seed, 4 * 1024)))
            .collect();
        for client in clients {
            client.await.unwrap();
        }
        server.await.unwrap();
    });
}

fn udp_round_trip_between_two_sockets(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_address = b.local_addr().unwrap();
        a.send_to(b"ping", b_address).await.unwrap();
        let mut buffer = [0u8; 16];
        let (len, from) = b.recv_from(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..len], b"ping");
        b.send_to(b"pong", from).await.unwrap();
        let (len, _) = a.recv_from(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..len], b"pong");
    });
}

fn unix_stream_pair_echoes(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let (mut left, mut right) = UnixStream::pair().unwrap();
        let echo = spindle::spawn(async move {
            let mut buffer = [0u8; 5];
            right.read_exact(&mut buffer).await.unwrap();
            right.write_all(&buffer).await.unwrap();
        });
        left.write_all(b"hello").await.unwrap();
        let mut buffer = [0u8; 5];
        left.read_exact(&mut buffer).await.unwrap();
        assert_eq!(&buffer, b"hello");
        echo.await.unwrap();
    });
}

fn socket_outliving_its_runtime_fails_with_an_error(flavour: Flavour) {
    let rt = flavour.runtime();
    let (mut stream, _listener) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let stream = TcpStream::connect(address).await.unwrap();
        (stream, listener)
    });
    drop(rt);
    let other = Builder::new_current_thread().enable_all().build().unwrap();
    let error = other
        .block_on(async {
            let mut buffer = [0u8; 8];
            stream.read(&mut buffer).await
        })
        .unwrap_err();
    assert!(error.to_string().contains("shut down"), "{error}");
}

fn sleep_and_socket_share_the_driver(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // The accept waits in the poller while the timer must still fire on time.
        let accepting = spindle::spawn(async move { listener.accept().await.map(|_| ()) });
        spindle::time::sleep(Duration::from_millis(20)).await;
        let _client = TcpStream::connect(address).await.unwrap();
        accepting.await.unwrap().unwrap();
    });
}

fn io_metrics_count_events_and_registrations(flavour: Flavour) {
    let rt = flavour.runtime();
    let metrics = rt.handle().metrics();
    let before = metrics.io_driver_ready_count();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = spindle::spawn(echo_server(listener, 1));
        echo_client(address, 3, 64 * 1024).await;
        server.await.unwrap();
    });
    assert!(metrics.io_driver_ready_count() > before);
    assert_eq!(
        metrics.io_driver_fd_registered_count(),
        0,
        "every socket deregistered"
    );
}

#[test]
fn socket_on_a_runtime_without_io_fails_with_advice() {
    let rt = Builder::new_current_thread().enable_time().build().unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { TcpListener::bind("127.0.0.1:0").await })
    }));
    let message = match outcome {
        Ok(Ok(_)) => panic!("bind succeeded without an IO driver"),
        Ok(Err(error)) => error.to_string(),
        Err(payload) => panic_message(payload),
    };
    assert!(message.contains("enable_io"), "{message}");
}

#[test]
fn sockets_cross_catch_unwind_without_assert_unwind_safe() {
    support::within(support::GENEROUS, || {
        let rt = Flavour::CurrentThread.runtime();
        let (listener, udp, (unix, _peer)) = rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            (listener, udp, UnixStream::pair().unwrap())
        });
        // Each closure borrows a socket, so it compiles only if the type is RefUnwindSafe.
        let caught = std::panic::catch_unwind(|| {
            let _ = (&unix, udp.local_addr().unwrap());
            listener.local_addr().unwrap().port()
        });
        assert_ne!(caught.unwrap(), 0);
        let socket = TcpSocket::new_v4().unwrap();
        assert!(std::panic::catch_unwind(move || drop(socket)).is_ok());
    });
}

#[test]
fn from_std_outside_a_runtime_panics_at_the_caller() {
    support::within(support::GENEROUS, || {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let file = support::panic_file(move || drop(TcpListener::from_std(std_listener)));
        assert_eq!(file, file!());
    });
}
