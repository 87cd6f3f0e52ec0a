//! An HTTP server on hyper 1.x and spindle, with no tokio runtime (feature `hyper`).
//!
//! Each connection is its own task. The server tells HTTP/2 clients with prior
//! knowledge (`curl --http2-prior-knowledge`) from HTTP/1.1 ones by the first bytes: an
//! HTTP/2 connection opens with a fixed preface. Those bytes are read, then replayed to
//! hyper through [`Replayed`], and the connection is handed to hyper's `http1` or
//! `http2` server with spindle's executor and timer. Every request is answered with a
//! line naming the protocol version it came over.
//!
//! [`run`] serves on a free loopback port and asks itself, with hyper's HTTP/1.1 and
//! HTTP/2 clients on spindle; [`serve`] keeps serving, for `curl`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::service::service_fn;
use hyper::{Request, Response};
use spindle::hyper::{SpindleExecutor, SpindleTimer};
use spindle::io::AsyncReadExt;
use spindle::net::{TcpListener, TcpStream};

/// What every HTTP/2 connection sends first (RFC 9113, section 3.4).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The answer to every request: the method, path and protocol version it came with.
async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!(
        "hello from spindle: {} {} over {:?}\n",
        request.method(),
        request.uri().path(),
        request.version()
    );
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// Accepts connections forever, each served by its own task.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        spindle::spawn(async move {
            if let Err(error) = serve_connection(stream).await {
                println!("server: {peer}: {error}");
            }
        });
    }
}

/// Serves one connection with hyper, over HTTP/2 if it opens with the preface and
/// over HTTP/1.1 otherwise.
async fn serve_connection(mut stream: TcpStream) -> Result<(), Box<dyn std::error::Error>> {
    let mut opening = Vec::with_capacity(HTTP2_PREFACE.len());
    // Read until the bytes so far stop matching the preface or all of it has come: an
    // HTTP/1.1 request differs at its first byte, so this never waits on one.
    while opening.len() < HTTP2_PREFACE.len() && HTTP2_PREFACE.starts_with(&opening) {
        let mut byte_buffer = [0u8; 24];
        let wanted = HTTP2_PREFACE.len() - opening.len();
        let read = stream.read(&mut byte_buffer[..wanted]).await?;
        if read == 0 {
            return Ok(()); // closed before saying anything
        }
        opening.extend_from_slice(&byte_buffer[..read]);
    }
    let is_http2 = opening == HTTP2_PREFACE;
    let connection = Replayed::new(opening, stream);
    if is_http2 {
        hyper::server::conn::http2::Builder::new(SpindleExecutor::new())
            .timer(SpindleTimer::new())
            .serve_connection(connection, service_fn(hello))
            .await?;
    } else {
        hyper::server::conn::http1::Builder::new()
            .timer(SpindleTimer::new())
            .serve_connection(connection, service_fn(hello))
            .await?;
    }
    Ok(())
}

/// A stream whose first bytes were already read: reads give those back first, then
/// read the stream. Writes go straight to the stream.
pub struct Replayed<S> {
    already_read: Vec<u8>,
    replayed: usize,
    stream: S,
}

impl<S> Replayed<S> {
    /// `stream`, with `already_read` to be read again before it.
    pub fn new(already_read: Vec<u8>, stream: S) -> Replayed<S> {
        Replayed {
            already_read,
            replayed: 0,
            stream,
        }
    }
}

impl<S: Read + Unpin> Read for Replayed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let left = &this.already_read[this.replayed..];
        if left.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let count = left.len().min(buf.remaining());
        buf.put_slice(&left[..count]);
        this.replayed += count;
        Poll::Ready(Ok(()))
    }
}

impl<S: Write + Unpin> Write for Replayed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Sends `GET path` over a fresh HTTP/1.1 or HTTP/2 connection and returns the status
/// line and the body.
async fn get(
    server: SocketAddr,
    path: &str,
    http2: bool,
) -> Result<String, Box<dyn std::error::Error>> {
    let stream = TcpStream::connect(server).await?;
    let request = Request::get(format!("http://{server}{path}"))
        .header(hyper::header::HOST, server.to_string())
        .body(Empty::<Bytes>::new())?;
    let response = if http2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::Builder::new(SpindleExecutor::new())
                .timer(SpindleTimer::new())
                .handshake(stream)
                .await?;
        spindle::spawn(connection);
        sender.send_request(request).await?
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(stream).await?;
        spindle::spawn(connection);
        sender.send_request(request).await?
    };
    let status = format!("{:?} {}", response.version(), response.status());
    let body = response.into_body().collect().await?.to_bytes();
    Ok(format!(
        "{status}: {}",
        String::from_utf8_lossy(&body).trim_end()
    ))
}

/// Runs the demo: the server, and one request over each protocol version.
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    println!("server: listening on http://{address}");
    let server = spindle::spawn(serve(listener));

    let (http1, http2) = spindle::join!(get(address, "/one", false), get(address, "/two", true));
    println!("HTTP/1.1 client got {}", http1?);
    println!("HTTP/2 client got {}", http2?);
    server.abort();
    Ok(())
}
