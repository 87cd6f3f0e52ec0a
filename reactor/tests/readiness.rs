//! The readiness API (`ready`, `readable`, `writable`, `try_*`) and the cooperative
//! budget.

mod support;

use std::future::Future;
use std::io;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use spindle_reactor::io::{AsyncRead, AsyncWriteExt, Interest, ReadBuf};
use spindle_reactor::net::{TcpListener, TcpStream};
use support::run;

async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

#[test]
fn try_read_would_block_until_readable_then_reads_the_data() {
    run(async {
        let (client, server) = connected_pair().await?;
        let mut buf = [0; 16];
        let err = server.try_read(&mut buf).expect_err("nothing sent yet");
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

        // The WouldBlock cleared the readiness: `readable` now waits for the write.
        {
            let mut readable = pin!(server.readable());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(readable.as_mut().poll(&mut cx).is_pending());
        }
        client.writable().await?;
        assert_eq!(client.try_write(b"ready")?, 5);

        server.readable().await?;
        let len = server.try_read(&mut buf)?;
        assert_eq!(&buf[..len], b"ready");
        Ok::<_, io::Error>(())
    })
    .expect("readiness");
}

#[test]
fn ready_reports_both_directions_when_asked_for_both() {
    run(async {
        let (mut client, server) = connected_pair().await?;
        client.write_all(b"x").await?;
        let mut ready = server
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await?;
        // Writability is immediate; readability follows the write.
        while !ready.is_readable() {
            ready = server.ready(Interest::READABLE).await?;
        }
        assert!(!ready.is_read_closed());
        let writable = server.ready(Interest::WRITABLE).await?;
        assert!(writable.is_writable());
        Ok::<_, io::Error>(())
    })
    .expect("ready");
}

#[test]
fn readable_reports_read_closed_peer_as_ready() {
    run(async {
        let (client, server) = connected_pair().await?;
        drop(client);
        server.readable().await?;
        let mut buf = [0; 4];
        assert_eq!(server.try_read(&mut buf)?, 0, "end of stream");
        Ok::<_, io::Error>(())
    })
    .expect("closed peer");
}

#[test]
fn reads_spend_the_cooperative_budget_and_yield_when_it_is_gone() {
    run(async {
        let (mut client, server) = connected_pair().await?;
        client.write_all(&[7; 4096]).await?;
        server.readable().await?;
        let mut server = server;
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut storage = [0; 1];
        let mut reads = 0;
        let yielded = spindle_sync::coop::with_budget(|| loop {
            let mut buf = ReadBuf::new(&mut storage);
            match std::pin::Pin::new(&mut server).poll_read(&mut cx, &mut buf) {
                Poll::Ready(result) => {
                    result.expect("read");
                    reads += 1;
                }
                Poll::Pending => return reads,
            }
            if reads > 1000 {
                return reads;
            }
        });
        assert_eq!(yielded, spindle_sync::coop::INITIAL_BUDGET as usize);
        Ok::<_, io::Error>(())
    })
    .expect("budget");
}
