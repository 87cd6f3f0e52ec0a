//! `#[spindle::main(graceful_shutdown)]` with real signals: the `graceful_server`
//! example runs as a child process and the test sends it SIGTERM.
//!
//! `cargo test` builds the examples next to the test binaries; run these through it
//! (`cargo test --test graceful_signal` alone does not build them: run
//! `cargo build --examples` first).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::example_binary;

/// How long a child may take to do what it was told before the test gives up (and
/// kills it) instead of hanging; a bound, not a measurement.
const CHILD_BOUND: Duration = Duration::from_secs(60);

struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(example_binary("graceful_server"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the graceful_server example");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let first = read_line(&mut stdout);
        let addr = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("expected `listening on ADDR`, got {first:?}"))
            .trim()
            .parse()
            .expect("a socket address");
        Server {
            child,
            stdout,
            addr,
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) has no memory-safety preconditions; the pid is our own child,
        // not yet reaped, so it cannot name another process.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
    }

    fn expect_stdout_line(&mut self, expected: &str) {
        assert_eq!(read_line(&mut self.stdout).trim_end(), expected);
    }

    /// Waits (bounded) for the child to exit; returns its status and stderr.
    fn wait(mut self) -> (ExitStatus, String) {
        let mut stderr = self.child.stderr.take().expect("piped stderr");
        let (done, exited) = mpsc::channel();
        let pid = self.child.id() as libc::pid_t;
        let mut child = self.child;
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = done.send(());
            (child, status)
        });
        if exited.recv_timeout(CHILD_BOUND).is_err() {
            // Kill the child rather than leave it running, then fail.
            // SAFETY: as in `signal`: the child is not reaped while its waiter waits.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the server did not exit within {CHILD_BOUND:?}");
        }
        let (_child, status) = waiter.join().expect("waiter thread");
        let mut errors = String::new();
        stderr
            .read_to_string(&mut errors)
            .expect("read the child's stderr");
        (status.expect("wait for the child"), errors)
    }
}

fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).expect("read a line");
    line
}

/// Opens a request and waits until the server has started it.
fn open_request(addr: SocketAddr) -> (TcpStream, BufReader<TcpStream>) {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream.write_all(b"begin\n").expect("send the request");
    let mut replies = BufReader::new(stream.try_clone().expect("clone the stream"));
    assert_eq!(read_line(&mut replies), "started\n");
    (stream, replies)
}

#[test]
fn first_sigterm_refuses_new_connections_and_lets_the_request_in_flight_finish() {
    let mut server = Server::start();
    let (mut request, mut replies) = open_request(server.addr);

    server.signal(libc::SIGTERM);
    server.expect_stdout_line("draining");
    let refused = TcpStream::connect(server.addr).expect_err("the listener is closed");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);

    request.write_all(b"finish\n").expect("finish the request");
    assert_eq!(read_line(&mut replies), "done\n");
    let (status, stderr) = server.wait();
    assert!(
        status.success(),
        "a drained shutdown exits 0, got {status:?}; stderr: {stderr}"
    );
}

#[test]
fn second_sigterm_ends_the_drain_at_once_and_names_the_dropped_task() {
    let mut server = Server::start();
    let (_request, mut replies) = open_request(server.addr);

    server.signal(libc::SIGTERM);
    server.expect_stdout_line("draining");
    server.signal(libc::SIGTERM);
    let (status, stderr) = server.wait();

    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "stderr: {stderr}");
    assert!(stderr.contains("ended early"), "stderr: {stderr}");
    assert!(
        stderr.contains("connection from 127.0.0.1:"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("graceful_server.rs"), "stderr: {stderr}");
    // The dropped task's socket closed without an answer.
    assert_eq!(read_line(&mut replies), "");
}
