//! Sockets that outlive their driver: clean `io::Error`s, no panic, no hang.

mod support;

use std::io;
use std::pin::pin;
use std::task::Waker;

use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
use spindle_reactor::net::{TcpListener, TcpStream, UdpSocket};
use spindle_reactor::Driver;
use support::{poll_once, CountingWaker};

fn is_shutdown_error(err: &io::Error) -> bool {
    err.to_string()
        .contains("runtime that owned this socket was shut down")
}

#[test]
fn socket_used_after_its_driver_is_dropped_returns_an_error() {
    let mut driver = Driver::new().expect("poller");
    let (mut client, listener) = driver
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let client = TcpStream::connect(listener.local_addr()?).await?;
            Ok::<_, io::Error>((client, listener))
        })
        .expect("connect");
    drop(driver);

    let mut other = Driver::new().expect("poller");
    other.block_on(async {
        let mut buf = [0; 4];
        let err = client.read(&mut buf).await.expect_err("driver is gone");
        assert!(is_shutdown_error(&err), "{err}");
        let err = client.write_all(b"late").await.expect_err("driver is gone");
        assert!(is_shutdown_error(&err), "{err}");
        let err = listener.accept().await.expect_err("driver is gone");
        assert!(is_shutdown_error(&err), "{err}");
    });
}

#[test]
fn shutdown_wakes_a_pending_read_which_then_fails() {
    let mut driver = Driver::new().expect("poller");
    let handle = driver.handle();
    let (_client, server) = driver
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let client = TcpStream::connect(listener.local_addr()?).await?;
            let (server, _) = listener.accept().await?;
            Ok::<_, io::Error>((client, server))
        })
        .expect("connect");

    let _entered = handle.enter();
    let waker_count = CountingWaker::new();
    let waker = Waker::from(std::sync::Arc::clone(&waker_count));
    let mut buf = [0; 4];
    // An accepted stream starts out assumed readable; a read that finds nothing
    // clears that, so the wait below really waits.
    let err = server.try_read(&mut buf).expect_err("nothing sent yet");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    let mut reading = pin!(server.readable());
    assert!(poll_once(reading.as_mut(), &waker).is_pending());
    driver.shutdown();
    assert_eq!(
        waker_count.count(),
        1,
        "shutdown must wake the waiting task"
    );
    match poll_once(reading.as_mut(), &waker) {
        std::task::Poll::Ready(Err(err)) => assert!(is_shutdown_error(&err), "{err}"),
        other => panic!("expected the shutdown error, got {other:?}"),
    }
    let err = server.try_read(&mut buf).expect_err("shut down");
    assert!(is_shutdown_error(&err), "{err}");
}

#[test]
fn binding_on_a_shut_down_driver_fails_cleanly() {
    let mut driver = Driver::new().expect("poller");
    driver.shutdown();
    let result = driver.block_on(UdpSocket::bind("127.0.0.1:0"));
    let err = result.expect_err("the driver is shut down");
    assert!(is_shutdown_error(&err), "{err}");
}
