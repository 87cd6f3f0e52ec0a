//! More of `spindle::net` and `spindle::io` on the runtime, both flavours: owned halves
//! from two tasks, Unix datagrams, `AsyncFd` over a pipe, the readiness API, accept
//! with a full fd table, and tokio's traits (with the `tokio-io` feature).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};

use spindle::io::unix::AsyncFd;
use spindle::io::{AsyncReadExt, AsyncWriteExt, Interest};
use spindle::net::{TcpListener, TcpStream, UnixDatagram, UnixStream};

mod support;

use support::Flavour;

flavour_tests!(
    owned_halves_driven_from_two_tasks_carry_both_directions,
    unix_datagram_pair_round_trips,
    async_fd_moves_a_megabyte_through_a_pipe,
    try_read_would_block_until_readable_then_reads,
    accept_with_a_full_fd_table_returns_emfile_and_recovers,
    tcp_data_and_fin_that_arrived_together_read_as_data_then_eof,
    unix_data_and_shutdown_that_arrived_together_read_as_data_then_eof,
);

fn pattern(seed: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 13 + seed) % 251) as u8).collect()
}

fn owned_halves_driven_from_two_tasks_carry_both_directions(flavour: Flavour) {
    const BYTES: usize = 2 * 1024 * 1024;
    let rt = flavour.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        // Each direction is driven by its own pair of tasks, all four at once.
        let to_server = spindle::spawn(async move {
            client_write.write_all(&pattern(1, BYTES)).await.unwrap();
            client_write.shutdown().await.unwrap();
        });
        let to_client = spindle::spawn(async move {
            server_write.write_all(&pattern(2, BYTES)).await.unwrap();
            server_write.shutdown().await.unwrap();
        });
        let at_server = spindle::spawn(async move {
            let mut received = Vec::new();
            server_read.read_to_end(&mut received).await.unwrap();
            received
        });
        let at_client = spindle::spawn(async move {
            let mut received = Vec::new();
            client_read.read_to_end(&mut received).await.unwrap();
            received
        });
        to_server.await.unwrap();
        to_client.await.unwrap();
        assert!(at_server.await.unwrap() == pattern(1, BYTES));
        assert!(at_client.await.unwrap() == pattern(2, BYTES));
    });
}

fn unix_datagram_pair_round_trips(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let (left, right) = UnixDatagram::pair().unwrap();
        left.send(b"datagram").await.unwrap();
        let mut buffer = [0u8; 32];
        let len = right.recv(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..len], b"datagram");
        right.send(b"reply").await.unwrap();
        let len = left.recv(&mut buffer).await.unwrap();
        assert_eq!(&buffer[..len], b"reply");
    });
}

fn pipe() -> (File, File) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fds into the array, which is valid for two c_ints.
    let created = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(created, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nothing else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    (File::from(read), File::from(write))
}

fn async_fd_moves_a_megabyte_through_a_pipe(flavour: Flavour) {
    const BYTES: usize = 1024 * 1024;
    let rt = flavour.runtime();
    rt.block_on(async {
        let (read_end, write_end) = pipe();
        let reader = AsyncFd::with_interest(read_end, Interest::READABLE).unwrap();
        let writer = AsyncFd::with_interest(write_end, Interest::WRITABLE).unwrap();
        let sent = pattern(5, BYTES);
        let expected = sent.clone();
        let writing = spindle::spawn(async move {
            let mut written = 0;
            while written < BYTES {
                let mut guard = writer.writable().await.unwrap();
                if let Ok(result) = guard.try_io(|fd| fd.get_ref().write(&sent[written..])) {
                    written += result.unwrap();
                }
            }
        });
        let mut received = Vec::with_capacity(BYTES);
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let mut guard = reader.readable().await.unwrap();
            match guard.try_io(|fd| fd.get_ref().read(&mut buffer)) {
                Ok(Ok(0)) => break,
                Ok(result) => received.extend_from_slice(&buffer[..result.unwrap()]),
                Err(_would_block) => continue,
            }
        }
        writing.await.unwrap();
        assert!(received == expected, "bytes differ");
    });
}

fn try_read_would_block_until_readable_then_reads(flavour: Flavour) {
    let rt = flavour.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 16];
        let error = server.try_read(&mut buffer).expect_err("nothing sent yet");
        assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
        client.writable().await.unwrap();
        assert_eq!(client.try_write(b"ready").unwrap(), 5);
        let ready = server
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        assert!(ready.is_readable() || ready.is_writable());
        server.readable().await.unwrap();
        let len = server.try_read(&mut buffer).unwrap();
        assert_eq!(&buffer[..len], b"ready");
    });
}

const EMFILE_CHILD: &str = "SPINDLE_NET_EMFILE_CHILD";

/// Lowering the fd limit would break the other tests of this process, so the test
/// re-runs this binary as a child that does it alone.
fn accept_with_a_full_fd_table_returns_emfile_and_recovers(flavour: Flavour) {
    let test = match flavour {
        Flavour::MultiThread => {
            "multi_thread::accept_with_a_full_fd_table_returns_emfile_and_recovers"
        }
        Flavour::CurrentThread => {
            "current_thread::accept_with_a_full_fd_table_returns_emfile_and_recovers"
        }
    };
    if std::env::var_os(EMFILE_CHILD).is_some() {
        emfile_child(flavour);
        return;
    }
    let exe = std::env::current_exe().expect("path of the test binary");
    let output = std::process::Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(EMFILE_CHILD, "1")
        .output()
        .expect("run the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("emfile-child: recovered"),
        "child failed: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
}

fn emfile_child(flavour: Flavour) {
    // The runtime and its threads first: they need fds of their own.
    let rt = flavour.runtime();
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct, which outlives the call.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit.rlim_cur = 256.min(limit.rlim_max);
    // SAFETY: setrlimit only reads the initialised struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(address).unwrap();
        let mut fillers = Vec::new();
        loop {
            match File::open("/dev/null") {
                Ok(file) => fillers.push(file),
                Err(error) if error.raw_os_error() == Some(libc::EMFILE) => break,
                Err(error) => panic!("unexpected error while filling the fd table: {error}"),
            }
        }
        for _ in 0..2 {
            let error = listener.accept().await.expect_err("the fd table is full");
            assert_eq!(error.raw_os_error(), Some(libc::EMFILE), "{error}");
        }
        fillers.truncate(fillers.len().saturating_sub(8));
        let (_stream, peer) = listener.accept().await.expect("accept once fds are free");
        assert_eq!(peer, client.local_addr().unwrap());
    });
    println!("emfile-child: recovered");
}

#[cfg(feature = "tokio-io")]
#[test]
fn tcp_stream_works_through_tokio_traits_on_the_runtime() {
    use std::future::poll_fn;
    use std::pin::Pin;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    let rt = Flavour::MultiThread.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        poll_fn(|cx| AsyncWrite::poll_write(Pin::new(&mut client), cx, b"via tokio"))
            .await
            .unwrap();
        poll_fn(|cx| AsyncWrite::poll_shutdown(Pin::new(&mut client), cx))
            .await
            .unwrap();
        let mut storage = [0u8; 32];
        let mut buffer = ReadBuf::new(&mut storage);
        loop {
            let before = buffer.filled().len();
            poll_fn(|cx| AsyncRead::poll_read(Pin::new(&mut server), cx, &mut buffer))
                .await
                .unwrap();
            if buffer.filled().len() == before {
                break;
            }
        }
        assert_eq!(buffer.filled(), b"via tokio");
    });
}

/// Reads `stream` to its end with a buffer larger than everything sent, so the first
/// read is short: on Linux a short read clears the readable bit at once, and the end
/// of stream must still be seen (it came with the data, so no later edge announces it).
async fn read_to_end_in_short_reads(mut stream: impl spindle::io::AsyncRead + Unpin) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let read = stream.read(&mut buf).await.expect("read");
        if read == 0 {
            return received;
        }
        received.extend_from_slice(&buf[..read]);
    }
}

fn tcp_data_and_fin_that_arrived_together_read_as_data_then_eof(flavour: Flavour) {
    support::within(std::time::Duration::from_secs(20), move || {
        flavour.runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let address = listener.local_addr().expect("address");
            let (closed_tx, closed_rx) = spindle::sync::oneshot::channel();
            // A plain thread writes and closes before the reader's first poll, so the
            // data and the FIN are both queued when the stream is first read.
            let peer = std::thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect(address).expect("connect");
                stream.write_all(&pattern(3, 100)).expect("write");
                drop(stream);
                closed_tx.send(()).expect("the test waits for the peer");
            });
            let (stream, _) = listener.accept().await.expect("accept");
            closed_rx.await.expect("the peer closed");
            let received = read_to_end_in_short_reads(stream).await;
            assert_eq!(received, pattern(3, 100));
            peer.join().expect("peer thread");
        });
    });
}

fn unix_data_and_shutdown_that_arrived_together_read_as_data_then_eof(flavour: Flavour) {
    support::within(std::time::Duration::from_secs(20), move || {
        flavour.runtime().block_on(async {
            let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().expect("pair");
            theirs.write_all(&pattern(5, 100)).expect("write");
            theirs
                .shutdown(std::net::Shutdown::Write)
                .expect("shutdown");
            ours.set_nonblocking(true).expect("non-blocking");
            let ours = UnixStream::from_std(ours).expect("register");
            let received = read_to_end_in_short_reads(ours).await;
            assert_eq!(received, pattern(5, 100));
        });
    });
}
