//! The `tokio-io` feature: tokio's `AsyncRead`/`AsyncWrite` on the stream types.
#![cfg(feature = "tokio-io")]

mod support;

use std::future::poll_fn;
use std::io;
use std::pin::Pin;

use spindle_reactor::net::{TcpListener, TcpStream};
use support::run;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

#[test]
fn tcp_stream_works_through_tokio_traits_including_shutdown() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        let (mut server_read, _server_write) = server.into_split();

        let written =
            poll_fn(|cx| AsyncWrite::poll_write(Pin::new(&mut client), cx, b"via tokio")).await?;
        assert_eq!(written, 9);
        poll_fn(|cx| AsyncWrite::poll_shutdown(Pin::new(&mut client), cx)).await?;

        let mut storage = [0u8; 32];
        let mut buf = ReadBuf::new(&mut storage);
        loop {
            let before = buf.filled().len();
            poll_fn(|cx| AsyncRead::poll_read(Pin::new(&mut server_read), cx, &mut buf)).await?;
            if buf.filled().len() == before {
                break; // end of stream: the shutdown arrived
            }
        }
        assert_eq!(buf.filled(), b"via tokio");
        Ok::<_, io::Error>(())
    })
    .expect("tokio traits");
}
