//! spindle's IO traits on the runtime's own IO types, with tokio's extra methods:
//! `peek`/`poll_peek` into a `ReadBuf`, `try_read_buf`, `read_buf` into a `BytesMut`,
//! cancellation of a read, child pipes from std, and a user's own `AsyncFd` type
//! plugged into the io-util.

mod support;

use std::future::{poll_fn, Future};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::BytesMut;
use spindle::io::unix::AsyncFd;
use spindle::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf,
};
use spindle::net::{TcpListener, TcpStream, UnixStream};
use support::{payload, Flavour};

flavour_tests!(
    peek_and_poll_peek_leave_the_bytes_for_the_next_read,
    try_read_buf_fills_spare_capacity_on_streams_and_halves,
    read_buf_into_a_full_bytes_mut_grows_it_and_reads_everything,
    read_buf_dropped_while_waiting_loses_no_bytes,
    owned_write_half_shutdown_ends_the_peers_stream_once,
    child_pipes_from_std_read_and_write_through_the_traits,
    user_type_built_on_async_fd_works_with_the_io_util,
);

const LIMIT: Duration = Duration::from_secs(20);

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

fn peek_and_poll_peek_leave_the_bytes_for_the_next_read(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            client.write_all(b"peekaboo").await.unwrap();

            let mut storage = [0u8; 4];
            let mut buf = ReadBuf::new(&mut storage);
            let peeked = poll_fn(|cx| server.poll_peek(cx, &mut buf)).await.unwrap();
            assert_eq!((peeked, buf.filled()), (4, &b"peek"[..]));

            let mut first = [0u8; 8];
            let peeked = server.peek(&mut first).await.unwrap();
            assert_eq!(&first[..peeked], &b"peekaboo"[..peeked]);

            let (mut read_half, _write_half) = server.split();
            let mut again = [0u8; 2];
            assert_eq!(read_half.peek(&mut again).await.unwrap(), 2);
            let mut all = [0u8; 8];
            read_half.read_exact(&mut all).await.unwrap();
            assert_eq!(&all, b"peekaboo");
        });
    });
}

fn try_read_buf_fills_spare_capacity_on_streams_and_halves(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (mut client, server) = tcp_pair().await;
            let mut received = Vec::with_capacity(64);
            assert_eq!(
                server.try_read_buf(&mut received).unwrap_err().kind(),
                std::io::ErrorKind::WouldBlock
            );
            client.write_all(b"tcp bytes").await.unwrap();
            loop {
                server.readable().await.unwrap();
                match server.try_read_buf(&mut received) {
                    Ok(read) => {
                        assert_eq!(read, 9);
                        break;
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(err) => panic!("try_read_buf: {err}"),
                }
            }
            assert_eq!(received, b"tcp bytes");

            let (mut ours, theirs) = UnixStream::pair().unwrap();
            let (read_half, _write_half) = theirs.into_split();
            ours.write_all(b"unix").await.unwrap();
            let mut received = BytesMut::with_capacity(8);
            loop {
                read_half.readable().await.unwrap();
                match read_half.try_read_buf(&mut received) {
                    Ok(read) => {
                        assert_eq!(read, 4);
                        break;
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(err) => panic!("try_read_buf: {err}"),
                }
            }
            assert_eq!(&received[..], b"unix");
        });
    });
}

fn read_buf_into_a_full_bytes_mut_grows_it_and_reads_everything(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            let sent = payload(3, 100_000);
            let writer = {
                let sent = sent.clone();
                spindle::spawn(async move {
                    client.write_all(&sent).await.unwrap();
                    client.shutdown().await.unwrap();
                })
            };
            let mut received = BytesMut::new();
            assert_eq!(received.capacity(), 0);
            while server.read_buf(&mut received).await.unwrap() > 0 {}
            writer.await.unwrap();
            assert_eq!(received.len(), sent.len());
            assert!(received[..] == sent[..], "read_buf corrupted the stream");
        });
    });
}

fn read_buf_dropped_while_waiting_loses_no_bytes(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            let mut received = Vec::new();
            // Poll a read once while nothing has been sent, then cancel it.
            {
                let mut pending_read = std::pin::pin!(server.read_buf(&mut received));
                let polled = poll_fn(|cx| Poll::Ready(pending_read.as_mut().poll(cx))).await;
                assert!(polled.is_pending());
            }
            client.write_all(b"after the cancelled read").await.unwrap();
            client.shutdown().await.unwrap();
            server.read_to_end(&mut received).await.unwrap();
            assert_eq!(received, b"after the cancelled read");
        });
    });
}

fn owned_write_half_shutdown_ends_the_peers_stream_once(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (client, mut server) = tcp_pair().await;
            let (mut read_half, mut write_half) = client.into_split();
            write_half.write_all(b"last words").await.unwrap();
            write_half.shutdown().await.unwrap();
            let mut received = Vec::new();
            server.read_to_end(&mut received).await.unwrap();
            assert_eq!(received, b"last words");
            // The read half still works after the write side is shut down.
            server.write_all(b"reply").await.unwrap();
            drop(server);
            drop(write_half); // already shut down: dropping it does nothing more
            let mut reply = String::new();
            read_half.read_to_string(&mut reply).await.unwrap();
            assert_eq!(reply, "reply");
        });
    });
}

fn child_pipes_from_std_read_and_write_through_the_traits(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let mut child = std::process::Command::new("cat")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("cat runs");
            let mut stdin = spindle::process::ChildStdin::from_std(child.stdin.take().unwrap())
                .expect("register stdin");
            let stdout = spindle::process::ChildStdout::from_std(child.stdout.take().unwrap())
                .expect("register stdout");
            let sent = payload(9, 200_000);
            let writing = {
                let sent = sent.clone();
                spindle::spawn(async move {
                    stdin.write_all(&sent).await.unwrap();
                    // Dropping stdin closes the pipe: cat sees end of input.
                })
            };
            let mut echoed = Vec::new();
            BufReader::new(stdout)
                .read_to_end(&mut echoed)
                .await
                .unwrap();
            writing.await.unwrap();
            assert!(echoed == sent, "cat's output differs from its input");
            assert!(child.wait().expect("cat exits").success());
        });
    });
}

/// A user's own IO type: a non-blocking std `UnixStream` behind `AsyncFd`, with the
/// traits implemented the way tokio's docs show for `AsyncFd`.
struct UserStream(AsyncFd<std::os::unix::net::UnixStream>);

impl AsyncRead for UserStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|fd| fd.get_ref().read(unfilled)) {
                Ok(Ok(read)) => {
                    buf.advance(read);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(err)) => return Poll::Ready(Err(err)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for UserStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            if let Ok(result) = guard.try_io(|fd| fd.get_ref().write(buf)) {
                return Poll::Ready(result);
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.0.get_ref().shutdown(std::net::Shutdown::Write))
    }
}

fn user_type_built_on_async_fd_works_with_the_io_util(flavour: Flavour) {
    support::within(LIMIT, move || {
        flavour.runtime().block_on(async {
            let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
            for end in [&ours, &theirs] {
                end.set_nonblocking(true).unwrap();
                assert!(end.as_raw_fd() >= 0);
            }
            let mut ours = UserStream(AsyncFd::new(ours).unwrap());
            let theirs = UserStream(AsyncFd::new(theirs).unwrap());
            ours.write_all(b"one\r\ntwo\nthree").await.unwrap();
            ours.shutdown().await.unwrap();
            let mut lines = BufReader::new(theirs).lines();
            let mut received = Vec::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                received.push(line);
            }
            assert_eq!(received, ["one", "two", "three"]);
        });
    });
}
