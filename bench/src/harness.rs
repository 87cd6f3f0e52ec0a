//! What the workloads share: the `Workload` record, timing, floors, RSS.

use std::collections::VecDeque;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// What a workload's number is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unit {
    /// Nanoseconds; lower is better.
    Time,
    /// Bytes; lower is better.
    Bytes,
}

/// One workload as one runtime runs it.
pub struct Workload<R> {
    pub name: &'static str,
    pub group: &'static str,
    pub unit: Unit,
    pub run: fn(&R) -> f64,
    /// Runs in a fresh child process per sample (memory: a runtime's allocator
    /// state must not leak into another's measurement).
    pub isolated: bool,
    /// The physical floor: the same amount of work with no runtime in the way.
    pub floor: Option<fn() -> f64>,
}

impl<R> Workload<R> {
    pub fn new(name: &'static str, group: &'static str, unit: Unit, run: fn(&R) -> f64) -> Self {
        Workload {
            name,
            group,
            unit,
            run,
            isolated: false,
            floor: None,
        }
    }

    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    pub fn floor(mut self, floor: fn() -> f64) -> Self {
        self.floor = Some(floor);
        self
    }
}

/// Nanoseconds `f` takes.
pub fn time<T>(f: impl FnOnce() -> T) -> f64 {
    let start = Instant::now();
    black_box(f());
    start.elapsed().as_nanos() as f64
}

/// Spins for `duration`: CPU work a task does between yields.
pub fn stall(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// The spawn floor: per task, one allocation and one queue round trip on one core
/// (box a small future-sized state, push it, pop it, run it, free it), with no
/// atomics, wakers or other threads. No multi-thread runtime can beat this.
pub fn spawn_floor<const N: usize>() -> f64 {
    let remaining = AtomicUsize::new(N);
    let mut queue: VecDeque<Box<dyn FnOnce()>> = VecDeque::new();
    time(|| {
        for i in 0..N {
            let remaining = &remaining;
            // Roughly the captures of the spawn workloads' futures (an Arc, a
            // sender and a state byte).
            let state = black_box([i; 3]);
            queue.push_back(Box::new(move || {
                black_box(state);
                remaining.fetch_sub(1, Ordering::Relaxed);
            }));
        }
        while let Some(task) = queue.pop_front() {
            task();
        }
    })
}

/// The yield floor: re-queueing a task is a queue pop and push, no allocation.
pub fn yield_floor<const N: usize>() -> f64 {
    let mut queue: VecDeque<usize> = (0..200).collect();
    time(|| {
        for _ in 0..N {
            let task = queue.pop_front().unwrap();
            queue.push_back(black_box(task));
        }
    })
}

/// Ten sequential 1 ms sleeps take 10 ms at the very least.
pub fn sleep_chain_floor() -> f64 {
    Duration::from_millis(10).as_nanos() as f64
}

/// A sleep cannot wake early, and ideally is not late either.
pub fn zero_floor() -> f64 {
    0.0
}

/// Polls `future` once: `Some(output)` if that was enough.
pub fn poll_once<F: Future + Unpin>(future: F) -> impl Future<Output = Option<F::Output>> {
    struct PollOnce<F>(F);
    impl<F: Future + Unpin> Future for PollOnce<F> {
        type Output = Option<F::Output>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            Poll::Ready(match Pin::new(&mut self.0).poll(cx) {
                Poll::Ready(output) => Some(output),
                Poll::Pending => None,
            })
        }
    }
    PollOnce(future)
}

/// The `q` quantile of `samples` (sorted in place).
pub fn quantile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index]
}

/// Resident set size of this process, in bytes (from /proc/self/statm).
pub fn rss_bytes() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let resident: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|pages| pages.parse().ok())
        .expect("parse /proc/self/statm");
    // SAFETY: sysconf only reads a configuration value; _SC_PAGESIZE is always valid.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    resident * page as f64
}

/// Bytes of RSS per task: `spawn_all` spawns `IDLE_TASKS` tasks that each bump
/// the counter on their first poll and then stay pending. RSS is read once they
/// have all been polled, so queues have drained and only parked tasks remain.
pub fn memory_per_task(spawn_all: impl FnOnce(Arc<AtomicUsize>)) -> f64 {
    let tasks = crate::workloads::params::IDLE_TASKS;
    let parked = Arc::new(AtomicUsize::new(0));
    let before = rss_bytes();
    spawn_all(parked.clone());
    let deadline = Instant::now() + Duration::from_secs(60);
    while parked.load(Ordering::Relaxed) < tasks {
        assert!(Instant::now() < deadline, "tasks never all ran");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Lets the last polls finish registering whatever they wait on.
    std::thread::sleep(Duration::from_millis(50));
    (rss_bytes() - before) / tasks as f64
}

/// Set by `--quick`: the workloads whose full size would not fit a quick run
/// (`tcp_bulk`) read it to shrink.
pub static QUICK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Bytes `tcp_bulk` (and its floor) sends: 1 GiB, or 64 MiB with `--quick`.
pub fn bulk_bytes() -> usize {
    use crate::workloads::params::{BULK_BYTES, BULK_BYTES_QUICK};
    if QUICK.load(Ordering::Relaxed) {
        BULK_BYTES_QUICK
    } else {
        BULK_BYTES
    }
}

/// Sets SO_LINGER 0, so dropping the socket sends a reset instead of a FIN: the
/// connection leaves no TIME_WAIT entry behind (`tcp_accept_close` makes 10 000
/// connections per round, and TIME_WAIT entries hold ports for a minute).
pub fn reset_on_close<S: std::os::fd::AsFd>(stream: &S) {
    socket2::SockRef::from(stream)
        .set_linger(Some(Duration::ZERO))
        .expect("set SO_LINGER 0");
}

/// The IO floors below are the same transfers over blocking std sockets, one
/// thread per side: what the kernel's loopback costs with no runtime, reactor or
/// waker in the way.
fn loopback_listener() -> (std::net::TcpListener, std::net::SocketAddr) {
    let listener =
        std::net::TcpListener::bind(crate::workloads::params::LOOPBACK).expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

/// `tcp_bulk`'s floor: the same bytes in the same chunks, blocking reads and writes.
pub fn tcp_bulk_floor() -> f64 {
    use crate::workloads::params::BULK_CHUNK;
    use std::io::{Read, Write};
    let total = bulk_bytes();
    let (listener, addr) = loopback_listener();
    time(|| {
        let receiver = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut buf = vec![0u8; BULK_CHUNK];
            let mut received = 0;
            loop {
                match stream.read(&mut buf).expect("read") {
                    0 => break received,
                    n => received += n,
                }
            }
        });
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        let buf = vec![0xa5u8; BULK_CHUNK];
        for _ in 0..total / BULK_CHUNK {
            stream.write_all(&buf).expect("write");
        }
        drop(stream);
        assert_eq!(receiver.join().expect("receiver"), total);
    })
}

/// `tcp_accept_close`'s floor: the same connect / accept / close / EOF / reset
/// sequence, one connection at a time on two threads.
pub fn tcp_accept_close_floor() -> f64 {
    use crate::workloads::params::ACCEPTS;
    use std::io::Read;
    let (listener, addr) = loopback_listener();
    time(|| {
        let server = std::thread::spawn(move || {
            for _ in 0..ACCEPTS {
                drop(listener.accept().expect("accept"));
            }
        });
        let mut byte = [0u8; 1];
        for _ in 0..ACCEPTS {
            let mut stream = std::net::TcpStream::connect(addr).expect("connect");
            assert_eq!(stream.read(&mut byte).expect("read"), 0);
            reset_on_close(&stream);
        }
        server.join().expect("server");
    })
}

/// `udp_round_trip`'s floor: the same ping-pongs between two blocking sockets.
pub fn udp_round_trip_floor() -> f64 {
    use crate::workloads::params::{LOOPBACK, MESSAGE, UDP_ROUND_TRIPS};
    let server = std::net::UdpSocket::bind(LOOPBACK).expect("bind");
    let server_addr = server.local_addr().expect("local addr");
    let client = std::net::UdpSocket::bind(LOOPBACK).expect("bind");
    client.connect(server_addr).expect("connect");
    time(|| {
        let echo = std::thread::spawn(move || {
            let mut buf = [0u8; MESSAGE];
            for _ in 0..UDP_ROUND_TRIPS {
                let (n, from) = server.recv_from(&mut buf).expect("recv_from");
                server.send_to(&buf[..n], from).expect("send_to");
            }
        });
        let mut buf = [7u8; MESSAGE];
        for _ in 0..UDP_ROUND_TRIPS {
            client.send(&buf).expect("send");
            assert_eq!(client.recv(&mut buf).expect("recv"), MESSAGE);
        }
        echo.join().expect("echo");
    })
}
