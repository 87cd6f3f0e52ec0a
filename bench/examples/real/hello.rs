//! The hyper 1.x hello-world both `hello_spindle` and `hello_tokio` serve: the same code
//! on either runtime, so a real HTTP client sees the runtime and nothing else.
//!
//! The including file names the runtime as `rt` (`use spindle as rt` or `use tokio as
//! rt`) and supplies a `glue` module with what hyper needs from it and what differs
//! between the two: `glue::io` turns an accepted stream into hyper's `Read + Write`
//! (spindle's stream is one already; tokio's goes through hyper-util's `TokioIo`),
//! `glue::executor` and `glue::timer` hand hyper the runtime's spawner and timer.
//!
//! HTTP/1.1 and HTTP/2 (prior knowledge) listen on separate loopback ports, so no
//! preface sniffing sits in either path. Every connection is its own task, with
//! `TCP_NODELAY` set, answering every request with `Hello, World!`. The process prints
//! `http1=ADDRESS http2=ADDRESS` once both listeners are bound, then serves until it is
//! killed or its `--exit-after` deadline passes, so a driver that dies never leaves a
//! server behind.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

use super::{glue, rt};
use rt::net::{TcpListener, TcpStream};

/// The two HTTP versions, each on its own listener.
#[derive(Clone, Copy, Debug)]
enum Protocol {
    Http1,
    Http2,
}

/// Builds a `workers`-thread runtime and serves until the deadline.
pub fn main() {
    let options = super::options::parse("hello");
    let runtime = rt::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers)
        .enable_all()
        .build()
        .expect("building the runtime");
    runtime.block_on(async {
        let http1 = TcpListener::bind(options.address)
            .await
            .expect("binding the HTTP/1.1 port");
        let http2 = TcpListener::bind(options.address)
            .await
            .expect("binding the HTTP/2 port");
        println!(
            "http1={} http2={}",
            http1.local_addr().unwrap(),
            http2.local_addr().unwrap()
        );
        rt::spawn(accept_forever(http1, Protocol::Http1));
        rt::spawn(accept_forever(http2, Protocol::Http2));
        rt::time::sleep(options.exit_after).await;
    });
    // Open connections may still be in hyper's hands; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
}

async fn accept_forever(listener: TcpListener, protocol: Protocol) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                rt::spawn(serve_connection(stream, protocol));
            }
            // EMFILE and friends: say so and keep accepting.
            Err(error) => eprintln!("hello: accept on {protocol:?}: {error}"),
        }
    }
}

async fn serve_connection(stream: TcpStream, protocol: Protocol) {
    let _ = stream.set_nodelay(true);
    let io = glue::io(stream);
    // The only errors a loopback load generator causes are its hang-ups at the end of a
    // run (a reset mid-request, a shutdown of a closed socket). They are dropped
    // unprinted: a line per connection would also show up in the syscall counts.
    let _ = match protocol {
        Protocol::Http1 => {
            hyper::server::conn::http1::Builder::new()
                .timer(glue::timer())
                .serve_connection(io, service_fn(hello_world))
                .await
        }
        Protocol::Http2 => {
            hyper::server::conn::http2::Builder::new(glue::executor())
                .timer(glue::timer())
                .serve_connection(io, service_fn(hello_world))
                .await
        }
    };
}

async fn hello_world(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, World!",
    ))))
}
