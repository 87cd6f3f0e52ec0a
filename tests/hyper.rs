//! hyper 1.x on spindle (feature `hyper`): HTTP/1 and HTTP/2 servers and clients over
//! spindle's TCP and Unix streams, with spindle's executor and timer, and no tokio
//! runtime anywhere (tokio is not even built with its runtime feature).

#![cfg(feature = "hyper")]

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::rt::Timer;
use hyper::service::service_fn;
use hyper::{Request, Response};
use spindle::hyper::{SpindleExecutor, SpindleSleep, SpindleTimer};
use spindle::io::AsyncReadExt;
use spindle::net::{TcpListener, TcpStream, UnixStream};
use spindle::time::Instant;

/// Answers with the request's body upper-cased, and the path and version it came with.
async fn shout(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let version = request.version();
    let body = request
        .into_body()
        .collect()
        .await
        .expect("request body")
        .to_bytes();
    let answer = format!(
        "{} {path} {version:?}",
        String::from_utf8_lossy(&body).to_uppercase()
    );
    Ok(Response::new(Full::new(Bytes::from(answer))))
}

fn post(path: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post(format!("http://localhost{path}"))
        .header(hyper::header::HOST, "localhost")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a valid request")
}

async fn body_text(response: Response<Incoming>) -> String {
    let body = response
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    String::from_utf8_lossy(&body).into_owned()
}

#[spindle::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_server_and_client_exchange_requests_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = spindle::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        hyper::server::conn::http1::Builder::new()
            .timer(SpindleTimer::new())
            .serve_connection(stream, service_fn(shout))
            .await
    });

    let stream = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(stream).await.unwrap();
    let connection = spindle::spawn(connection);
    // Two requests in turn on one keep-alive connection.
    for (path, body, expected) in [
        ("/first", "hello", "HELLO /first HTTP/1.1"),
        ("/second", "again", "AGAIN /second HTTP/1.1"),
    ] {
        sender.ready().await.unwrap(); // the previous exchange has finished
        let response = sender.send_request(post(path, body)).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(body_text(response).await, expected);
    }
    drop(sender); // closes the connection: the server's serve_connection returns
    connection.await.unwrap().unwrap();
    server.await.unwrap().unwrap();
}

#[spindle::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_server_and_client_multiplex_concurrent_requests_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = spindle::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        hyper::server::conn::http2::Builder::new(SpindleExecutor::new())
            .timer(SpindleTimer::new())
            .serve_connection(stream, service_fn(shout))
            .await
    });

    let stream = TcpStream::connect(address).await.unwrap();
    let (sender, connection) = hyper::client::conn::http2::Builder::new(SpindleExecutor::new())
        .timer(SpindleTimer::new())
        .handshake(stream)
        .await
        .unwrap();
    let connection = spindle::spawn(connection);
    // Ten requests at once on one connection: each stream is a task of SpindleExecutor.
    let requests: Vec<_> = (0..10)
        .map(|number| {
            let mut sender = sender.clone();
            spindle::spawn(async move {
                let path = format!("/stream/{number}");
                let response = sender.send_request(post(&path, "multiplexed")).await?;
                Ok::<_, hyper::Error>((path, response.status(), body_text(response).await))
            })
        })
        .collect();
    for request in requests {
        let (path, status, body) = request.await.unwrap().unwrap();
        assert_eq!(status, 200);
        assert_eq!(body, format!("MULTIPLEXED {path} HTTP/2.0"));
    }
    drop(sender);
    connection.await.unwrap().unwrap();
    match server.await.unwrap() {
        Ok(()) => {}
        // hyper#3070, h2#843 (tokio too): on loopback the server may read the client's
        // GOAWAY before its FIN, answer with a GOAWAY of its own after the client has
        // closed, get a reset for it, and then fail its final shutdown(2) with
        // ENOTCONN. Every request was served by then (checked above).
        Err(error) if is_not_connected(&error) => {}
        Err(error) => panic!("the server connection failed: {error:?}"),
    }
}

/// Whether `error` comes from an IO error of kind `NotConnected`.
fn is_not_connected(error: &hyper::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::NotConnected;
        }
        source = cause.source();
    }
    false
}

#[spindle::test]
async fn http1_runs_over_a_unix_stream_pair() {
    let (server_side, client_side) = UnixStream::pair().unwrap();
    let server = spindle::spawn(
        hyper::server::conn::http1::Builder::new().serve_connection(server_side, service_fn(shout)),
    );
    let (mut sender, connection) = hyper::client::conn::http1::handshake(client_side)
        .await
        .unwrap();
    let connection = spindle::spawn(connection);
    let response = sender.send_request(post("/unix", "local")).await.unwrap();
    assert_eq!(body_text(response).await, "LOCAL /unix HTTP/1.1");
    drop(sender);
    connection.await.unwrap().unwrap();
    server.await.unwrap().unwrap();
}

#[spindle::test(start_paused = true)]
async fn header_read_timeout_fires_on_spindle_timer_and_closes_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let started = Instant::now();
    let server = spindle::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        hyper::server::conn::http1::Builder::new()
            .timer(SpindleTimer::new())
            .header_read_timeout(Duration::from_secs(30))
            .serve_connection(stream, service_fn(shout))
            .await
    });

    // A client that connects and says nothing: the paused clock jumps to the server's
    // deadline, hyper's sleep on SpindleTimer fires, and the server hangs up.
    let mut silent = TcpStream::connect(address).await.unwrap();
    let mut rest = Vec::new();
    silent.read_to_end(&mut rest).await.unwrap();
    let error = server.await.unwrap().expect_err("the connection timed out");
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() >= Duration::from_secs(30));
}

#[spindle::test(start_paused = true)]
async fn timer_reset_moves_a_sleep_in_place() {
    let timer = SpindleTimer::new();
    let started = Instant::now();
    let mut sleep = timer.sleep(Duration::from_secs(3600));
    timer.reset(&mut sleep, timer.now() + Duration::from_secs(1));
    assert!(
        sleep.as_mut().downcast_mut_pin::<SpindleSleep>().is_some(),
        "the reset sleep is still spindle's, moved rather than replaced"
    );
    sleep.await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(3600),
        "{waited:?}"
    );
}
