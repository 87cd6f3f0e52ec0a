//! tokio's remaining `net` and `io` readiness API on spindle, both flavours: std
//! conversions, TCP options, the polling and `BufMut` datagram methods, Unix socket
//! addresses and credentials, `UnixSocket`, pipes and FIFOs, error and priority
//! readiness, and the fallible `AsyncFd` constructors.

use std::future::{poll_fn, Future};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Duration;

use spindle::io::unix::AsyncFd;
use spindle::io::{AsyncReadExt, AsyncWriteExt, Interest, ReadBuf, Ready};
use spindle::net::unix::pipe;
use spindle::net::{
    TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixSocket,
    UnixStream,
};

mod support;

use support::{Flavour, GENEROUS};

flavour_tests!(
    std_sockets_convert_with_try_from_and_work,
    quickack_can_be_set_and_read_back,
    zero_linger_resets_the_connection_on_close,
    tcp_socket_options_are_kept_by_the_stream,
    tcp_socket_round_trips_through_a_raw_fd,
    udp_poll_send_and_poll_recv_carry_a_datagram,
    udp_recv_buf_fills_spare_capacity,
    udp_peek_sender_leaves_the_datagram_queued,
    unix_datagram_poll_send_to_and_recv_buf_from_carry_the_sender,
    unix_datagram_shutdown_write_makes_sends_fail,
    unix_stream_connects_to_an_abstract_address,
    unix_stream_reports_the_peer_credentials,
    unix_socket_makes_listeners_streams_and_datagrams,
    unix_socket_refuses_the_conversion_its_type_does_not_fit,
    anonymous_pipe_carries_bytes_until_the_sender_closes,
    fifo_opens_as_receiver_and_sender,
    pipe_ends_check_what_they_take_over,
    error_readiness_reports_a_queued_socket_error,
    priority_readiness_reports_out_of_band_data,
    async_fd_try_new_hands_back_the_value_it_could_not_register,
    async_fd_mut_io_methods_give_mutable_access,
);

/// Runs the future `scenario` makes on a fresh runtime of `flavour`, under a deadline.
fn on<F: Future<Output = ()> + 'static>(flavour: Flavour, scenario: fn() -> F) {
    support::within(GENEROUS, move || flavour.runtime().block_on(scenario()));
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

fn std_sockets_convert_with_try_from_and_work(flavour: Flavour) {
    on(flavour, || async {
        let listener =
            TcpListener::try_from(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
        let std_client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let mut client = TcpStream::try_from(std_client).unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"tcp").await.unwrap();
        let mut buf = [0; 3];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"tcp");

        let udp = UdpSocket::try_from(std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
        udp.send_to(b"udp", udp.local_addr().unwrap())
            .await
            .unwrap();
        let len = udp.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"udp");

        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let (mut a, mut b) = (
            UnixStream::try_from(a).unwrap(),
            UnixStream::try_from(b).unwrap(),
        );
        a.write_all(b"uds").await.unwrap();
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"uds");

        let (a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
        let (a, b) = (
            UnixDatagram::try_from(a).unwrap(),
            UnixDatagram::try_from(b).unwrap(),
        );
        a.send(b"dgm").await.unwrap();
        let len = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"dgm");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let listener =
            UnixListener::try_from(std::os::unix::net::UnixListener::bind(&path).unwrap()).unwrap();
        let _client = UnixStream::connect(&path).await.unwrap();
        listener.accept().await.unwrap();
    });
}

fn quickack_can_be_set_and_read_back(flavour: Flavour) {
    on(flavour, || async {
        let (client, _server) = tcp_pair().await;
        client.set_quickack(true).unwrap();
        assert!(client.quickack().unwrap());
        client.set_quickack(false).unwrap();
        assert!(!client.quickack().unwrap());
    });
}

fn zero_linger_resets_the_connection_on_close(flavour: Flavour) {
    on(flavour, || async {
        let (client, mut server) = tcp_pair().await;
        client.set_zero_linger().unwrap();
        assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
        drop(client);
        let mut buf = [0; 8];
        let err = server.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}

fn tcp_socket_options_are_kept_by_the_stream(flavour: Flavour) {
    on(flavour, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_keepalive(true).unwrap();
        #[allow(deprecated)] // a lingering close blocks; fine for this one check
        socket.set_linger(Some(Duration::from_secs(3))).unwrap();
        socket.set_tos(0x10).unwrap();
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(3)));
        assert_eq!(socket.tos().unwrap(), 0x10);
        assert!(socket.take_error().unwrap().is_none());
        assert_eq!(socket.device().unwrap(), None);
        let stream = socket
            .connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        assert_eq!(stream.linger().unwrap(), Some(Duration::from_secs(3)));
        let set_zero = TcpSocket::new_v4().unwrap();
        set_zero.set_zero_linger().unwrap();
        assert_eq!(set_zero.linger().unwrap(), Some(Duration::ZERO));
    });
}

fn tcp_socket_round_trips_through_a_raw_fd(flavour: Flavour) {
    on(flavour, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fd: RawFd = TcpSocket::new_v4().unwrap().into_raw_fd();
        // SAFETY: `fd` was just given up by the socket above; nothing else owns it.
        let socket = unsafe { TcpSocket::from_raw_fd(fd) };
        assert_eq!(socket.as_raw_fd(), fd);
        let stream = socket
            .connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
    });
}

fn udp_poll_send_and_poll_recv_carry_a_datagram(flavour: Flavour) {
    on(flavour, || async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        poll_fn(|cx| a.poll_send_ready(cx)).await.unwrap();
        let sent = poll_fn(|cx| a.poll_send(cx, b"polled")).await.unwrap();
        assert_eq!(sent, 6);
        poll_fn(|cx| b.poll_recv_ready(cx)).await.unwrap();
        let mut storage = [0; 16];
        let mut buf = ReadBuf::new(&mut storage);
        poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
        assert_eq!(buf.filled(), b"polled");

        let sent = poll_fn(|cx| b.poll_send_to(cx, b"back", a.local_addr().unwrap()))
            .await
            .unwrap();
        assert_eq!(sent, 4);
        let mut buf = ReadBuf::new(&mut storage);
        let from = poll_fn(|cx| a.poll_peek_from(cx, &mut buf)).await.unwrap();
        assert_eq!(
            (buf.filled(), from),
            (&b"back"[..], b.local_addr().unwrap())
        );
        let mut buf = ReadBuf::new(&mut storage);
        poll_fn(|cx| a.poll_peek(cx, &mut buf)).await.unwrap();
        assert_eq!(buf.filled(), b"back");
        let mut buf = ReadBuf::new(&mut storage);
        let from = poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await.unwrap();
        assert_eq!(
            (buf.filled(), from),
            (&b"back"[..], b.local_addr().unwrap())
        );
    });
}

fn udp_recv_buf_fills_spare_capacity(flavour: Flavour) {
    on(flavour, || async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        let mut buf = Vec::with_capacity(32);
        let err = b.try_recv_buf(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        a.send_to(b"first", b.local_addr().unwrap()).await.unwrap();
        a.send_to(b"second", b.local_addr().unwrap()).await.unwrap();
        assert_eq!(b.recv_buf(&mut buf).await.unwrap(), 5);
        assert_eq!(buf, b"first");
        let (len, from) = b.recv_buf_from(&mut buf).await.unwrap();
        assert_eq!((len, from), (6, a.local_addr().unwrap()));
        assert_eq!(buf, b"firstsecond");
        a.send_to(b"third", b.local_addr().unwrap()).await.unwrap();
        b.readable().await.unwrap();
        let mut other = Vec::with_capacity(8);
        let (len, from) = loop {
            match b.try_recv_buf_from(&mut other) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => b.readable().await.unwrap(),
                result => break result.unwrap(),
            }
        };
        assert_eq!(
            (len, from, &other[..]),
            (5, a.local_addr().unwrap(), &b"third"[..])
        );
    });
}

fn udp_peek_sender_leaves_the_datagram_queued(flavour: Flavour) {
    on(flavour, || async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = b.try_peek_sender().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        a.send_to(b"a datagram longer than nothing", b.local_addr().unwrap())
            .await
            .unwrap();
        assert_eq!(b.peek_sender().await.unwrap(), a.local_addr().unwrap());
        assert_eq!(
            poll_fn(|cx| b.poll_peek_sender(cx)).await.unwrap(),
            a.local_addr().unwrap()
        );
        assert_eq!(b.try_peek_sender().unwrap(), a.local_addr().unwrap());
        b.connect(a.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 64];
        assert_eq!(b.try_peek(&mut buf).unwrap(), 30);
        let len = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"a datagram longer than nothing");
    });
}

fn unix_datagram_poll_send_to_and_recv_buf_from_carry_the_sender(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let (path_a, path_b) = (dir.path().join("a"), dir.path().join("b"));
        let a = UnixDatagram::bind(&path_a).unwrap();
        let b = UnixDatagram::bind(&path_b).unwrap();
        let sent = poll_fn(|cx| a.poll_send_to(cx, b"to b", &path_b))
            .await
            .unwrap();
        assert_eq!(sent, 4);
        let mut buf = Vec::with_capacity(16);
        let (len, from) = b.recv_buf_from(&mut buf).await.unwrap();
        assert_eq!((len, &buf[..]), (4, &b"to b"[..]));
        assert_eq!(from.as_pathname(), Some(path_a.as_path()));

        a.connect(&path_b).unwrap();
        poll_fn(|cx| a.poll_send(cx, b"again")).await.unwrap();
        let mut storage = [0; 16];
        let mut read = ReadBuf::new(&mut storage);
        let from = poll_fn(|cx| b.poll_recv_from(cx, &mut read)).await.unwrap();
        assert_eq!(read.filled(), b"again");
        assert_eq!(from.as_pathname(), Some(path_a.as_path()));
        a.send(b"third").await.unwrap();
        let mut buf = Vec::with_capacity(16);
        assert_eq!(b.recv_buf(&mut buf).await.unwrap(), 5);
        assert_eq!(buf, b"third");
    });
}

fn unix_datagram_shutdown_write_makes_sends_fail(flavour: Flavour) {
    on(flavour, || async {
        let (a, b) = UnixDatagram::pair().unwrap();
        b.send(b"before").await.unwrap();
        a.shutdown(std::net::Shutdown::Write).unwrap();
        let err = a.send(b"after shutdown").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        // The read side is untouched.
        let mut buf = [0; 8];
        let len = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"before");
    });
}

fn unix_stream_connects_to_an_abstract_address(flavour: Flavour) {
    on(flavour, || async {
        use std::os::linux::net::SocketAddrExt;
        let name = format!(
            "spindle-net-api-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        );
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&address).unwrap();
        let mut client = UnixStream::connect_addr(&address).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"abstract").await.unwrap();
        let mut buf = [0; 8];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abstract");
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(name.as_bytes()));
    });
}

fn unix_stream_reports_the_peer_credentials(flavour: Flavour) {
    on(flavour, || async {
        let (a, _b) = UnixStream::pair().unwrap();
        let cred = a.peer_cred().unwrap();
        // SAFETY: getuid and getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        assert_eq!((cred.uid(), cred.gid()), (uid, gid));
        assert_eq!(cred.pid(), Some(std::process::id() as i32));
    });
}

fn unix_socket_makes_listeners_streams_and_datagrams(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        let socket = UnixSocket::new_stream().unwrap();
        socket.bind(&path).unwrap();
        let listener = socket.listen(8).unwrap();
        let mut client = UnixSocket::new_stream()
            .unwrap()
            .connect(&path)
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"via UnixSocket").await.unwrap();
        client.shutdown().await.unwrap();
        let mut got = String::new();
        server.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "via UnixSocket");

        let (path_a, path_b) = (dir.path().join("dgram-a"), dir.path().join("dgram-b"));
        let a = UnixSocket::new_datagram().unwrap();
        a.bind(&path_a).unwrap();
        let a = a.datagram().unwrap();
        let b = UnixDatagram::bind(&path_b).unwrap();
        a.send_to(b"dgram", &path_b).await.unwrap();
        let mut buf = [0; 8];
        let (len, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..len], b"dgram");
        assert_eq!(from.as_pathname(), Some(path_a.as_path()));
    });
}

fn unix_socket_refuses_the_conversion_its_type_does_not_fit(flavour: Flavour) {
    on(flavour, || async {
        let err = UnixSocket::new_datagram().unwrap().listen(8).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("listen"), "{err}");
        let err = UnixSocket::new_datagram()
            .unwrap()
            .connect("/nonexistent")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = UnixSocket::new_stream().unwrap().datagram().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("new_datagram"), "{err}");
    });
}

fn anonymous_pipe_carries_bytes_until_the_sender_closes(flavour: Flavour) {
    on(flavour, || async {
        let (mut tx, mut rx) = pipe::pipe().unwrap();
        let err = rx.try_read(&mut [0; 4]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        let writer = spindle::spawn(async move {
            for chunk in 0..64u8 {
                tx.write_all(&[chunk; 1024]).await.unwrap();
            }
        });
        let mut got = Vec::new();
        rx.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(got.len(), 64 * 1024);
        assert!(got
            .chunks(1024)
            .enumerate()
            .all(|(i, c)| c.iter().all(|&b| b == i as u8)));
    });
}

fn mkfifo(path: &std::path::Path) {
    let path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
}

fn fifo_opens_as_receiver_and_sender(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        // No reader yet: a write-only open fails with ENXIO, a read-write one works.
        let err = pipe::OpenOptions::new().open_sender(&fifo).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENXIO));
        drop(
            pipe::OpenOptions::new()
                .read_write(true)
                .open_sender(&fifo)
                .unwrap(),
        );

        let mut rx = pipe::OpenOptions::new().open_receiver(&fifo).unwrap();
        let mut tx = pipe::OpenOptions::new().open_sender(&fifo).unwrap();
        tx.write_all(b"through the fifo").await.unwrap();
        drop(tx);
        let mut got = String::new();
        rx.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "through the fifo");
    });
}

fn pipe_ends_check_what_they_take_over(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let file_path = dir.path().join("regular");
        std::fs::write(&file_path, b"not a pipe").unwrap();
        let err = pipe::Receiver::from_file(std::fs::File::open(&file_path).unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = pipe::OpenOptions::new()
            .open_receiver(&file_path)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let read_end = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags_nonblock()
            .open(&fifo)
            .unwrap();
        let read_end_again = read_end.try_clone().unwrap();
        // A read-only end cannot be a sender.
        let err = pipe::Sender::from_file(read_end).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let rx = pipe::Receiver::from_file(read_end_again).unwrap();
        let mut tx = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        tx.write_all(b"x").unwrap();
        rx.readable().await.unwrap();
        let mut buf = Vec::with_capacity(4);
        assert_eq!(rx.try_read_buf(&mut buf).unwrap(), 1);
        assert_eq!(buf, b"x");
        // Handed back in blocking mode: a read now waits for data instead of EAGAIN.
        let mut fd = std::fs::File::from(rx.into_blocking_fd().unwrap());
        tx.write_all(b"y").unwrap();
        let mut one = [0; 1];
        fd.read_exact(&mut one).unwrap();
        assert_eq!(&one, b"y");
    });
}

trait NonBlockingOpen {
    fn custom_flags_nonblock(&mut self) -> &mut Self;
}

impl NonBlockingOpen for std::fs::OpenOptions {
    fn custom_flags_nonblock(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::custom_flags(self, libc::O_NONBLOCK)
    }
}

fn error_readiness_reports_a_queued_socket_error(flavour: Flavour) {
    on(flavour, || async {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let on: libc::c_int = 1;
        // SAFETY: `on` is a valid c_int for the call and its size is passed.
        let set = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_IP,
                libc::IP_RECVERR,
                std::ptr::addr_of!(on).cast(),
                std::mem::size_of_val(&on) as libc::socklen_t,
            )
        };
        assert_eq!(set, 0);
        // A port nobody listens on: the ICMP error lands on the error queue.
        let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let target = closed.local_addr().unwrap();
        drop(closed);
        let fd = AsyncFd::new(socket).unwrap();
        fd.get_ref().send_to(b"anyone?", target).unwrap();
        let guard = fd.ready(Interest::ERROR).await.unwrap();
        assert_eq!(guard.ready(), Ready::ERROR);
        assert!(guard.ready().is_error());
    });
}

fn priority_readiness_reports_out_of_band_data(flavour: Flavour) {
    on(flavour, || async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.set_nonblocking(true).unwrap();
        let (server, _) = listener.accept().unwrap();
        let client = AsyncFd::with_interest(client, Interest::PRIORITY).unwrap();
        // SAFETY: the buffer is valid for its length for the call.
        let sent =
            unsafe { libc::send(server.as_raw_fd(), b"!".as_ptr().cast(), 1, libc::MSG_OOB) };
        assert_eq!(sent, 1);
        let guard = client.ready(Interest::PRIORITY).await.unwrap();
        assert!(guard.ready().is_priority());
    });
}

#[derive(Debug, PartialEq)]
struct NotAnFd;

impl AsRawFd for NotAnFd {
    fn as_raw_fd(&self) -> RawFd {
        -1
    }
}

fn async_fd_try_new_hands_back_the_value_it_could_not_register(flavour: Flavour) {
    on(flavour, || async {
        let (value, cause) = AsyncFd::try_new(NotAnFd).unwrap_err().into_parts();
        assert_eq!(value, NotAnFd);
        assert_eq!(cause.raw_os_error(), Some(libc::EBADF));
        let err = AsyncFd::try_with_interest(NotAnFd, Interest::READABLE).unwrap_err();
        assert!(err.to_string().contains("register"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
        // SAFETY: the registration fails, so the invalid fd is never used.
        let err = unsafe { AsyncFd::register(NotAnFd) }.unwrap_err();
        assert_eq!(io::Error::from(err).raw_os_error(), Some(libc::EBADF));
    });
}

fn async_fd_mut_io_methods_give_mutable_access(flavour: Flavour) {
    on(flavour, || async {
        let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let mut fd = AsyncFd::new(ours).unwrap();
        let err = fd
            .try_io_mut(Interest::READABLE, |stream| stream.read(&mut [0; 4]))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        theirs.write_all(b"mut!").unwrap();
        let mut buf = [0; 4];
        let len = fd
            .async_io_mut(Interest::READABLE, |stream| stream.read(&mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..len], b"mut!");
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        // A guard that is not cleared leaves the readiness in place.
        fd.writable().await.unwrap().retain_ready();
        let std::task::Poll::Ready(Ok(mut guard)) = fd.poll_write_ready_mut(&mut cx) else {
            panic!("a writable fd must poll ready at once");
        };
        let written = guard
            .try_io(|fd| fd.get_mut().write(b"back"))
            .unwrap()
            .unwrap();
        assert_eq!(written, 4);
        theirs.write_all(b"more").unwrap();
        fd.readable().await.unwrap().retain_ready();
        let std::task::Poll::Ready(Ok(mut guard)) = fd.poll_read_ready_mut(&mut cx) else {
            panic!("a readable fd must poll ready at once");
        };
        assert!(guard.ready().is_readable());
        let len = guard.get_inner_mut().read(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"more");
        theirs.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"back");
    });
}
