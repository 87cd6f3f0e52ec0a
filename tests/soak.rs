//! Soak and stress: the runtime under load keeps working and loses nothing.
//!
//! Every scenario runs twice. A small version runs with the ordinary `cargo test`, on
//! both flavours, in seconds. The big version is `#[ignore]`d and run on demand, one
//! test at a time so that resident-memory figures are not disturbed by other tests:
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --test-threads=1 --nocapture
//! ```
//!
//! - a million tasks, all alive at once, completed, and resident memory back near its
//!   start afterwards;
//! - 10 000 loopback TCP connections open at the same time, every byte echoed and
//!   checked (the echo server runs in a child process, so that each process needs only
//!   one descriptor per connection);
//! - storms of aborts racing completion, and of timers firing and being cancelled;
//! - dropping the runtime while 10 000 tasks wait on sockets, sleeps and a lock: no
//!   panic, no hang, and every destructor run.
//!
//! A broken runtime hangs rather than fails, so scenarios run under `support::within`,
//! which turns a hang into a failure.

use std::future::Future;
use std::io::BufRead;
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::time::Duration;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpSocket, TcpStream};
use spindle::sync::{Barrier, Semaphore};
use spindle::task::AbortHandle;
use spindle::time::Instant;

mod support;

use support::{echo_server, payload, within, DropCounter, Flavour, GENEROUS};

flavour_tests!(
    twenty_thousand_tasks_alive_at_once_all_complete,
    three_hundred_connections_open_at_once_echo_every_byte,
    abort_storm_racing_completion_loses_no_task,
    timer_storm_fires_every_timer_and_none_early,
    dropping_the_runtime_mid_io_sleep_and_lock_runs_every_destructor,
);

// The small versions, run by `cargo test`.

fn twenty_thousand_tasks_alive_at_once_all_complete(flavour: Flavour) {
    let figures = within(GENEROUS, move || tasks_alive_at_once(flavour, 20_000));
    assert_eq!(figures.completed, 20_000);
}

fn three_hundred_connections_open_at_once_echo_every_byte(flavour: Flavour) {
    within(GENEROUS, move || {
        if raise_fd_limit() < 1_000 {
            eprintln!("skipped: the fd limit is below 1 000");
            return;
        }
        let rt = flavour.runtime();
        rt.block_on(async {
            let listener = listen(300);
            let address = listener.local_addr().unwrap();
            let server = spindle::spawn(echo_server(listener, 300));
            run_echo_clients(address, 300, 4 * 1024).await;
            server.await.unwrap();
        });
    });
}

fn abort_storm_racing_completion_loses_no_task(flavour: Flavour) {
    within(GENEROUS, move || abort_storm(flavour, 10_000));
}

fn timer_storm_fires_every_timer_and_none_early(flavour: Flavour) {
    within(GENEROUS, move || timer_storm(flavour, 8_000));
}

fn dropping_the_runtime_mid_io_sleep_and_lock_runs_every_destructor(flavour: Flavour) {
    // Two descriptors a reading task; the other tests of this binary run beside it.
    if raise_fd_limit() < 2_000 {
        eprintln!("skipped: the fd limit is below 2 000");
        return;
    }
    within(GENEROUS, move || {
        drop_runtime_mid_everything(flavour, 200, 200, 200)
    });
}

// The big versions, run on demand.

/// How long a big scenario may take before it counts as hung.
const PATIENT: Duration = Duration::from_secs(600);

#[test]
#[ignore = "soak: run with --release -- --ignored --test-threads=1"]
fn soak_million_tasks_complete_and_resident_memory_returns_near_its_start() {
    for flavour in [Flavour::MultiThread, Flavour::CurrentThread] {
        let figures = within(PATIENT, move || tasks_alive_at_once(flavour, 1_000_000));
        assert_eq!(figures.completed, 1_000_000);
        eprintln!(
            "{flavour:?}: {} tasks alive at once; VmRSS before {} KiB, peak (VmHWM) {} KiB; \
             after completion {} KiB ({} KiB trimmed); after the runtime's drop {} KiB \
             ({} KiB trimmed)",
            figures.completed,
            figures.rss_before_kib,
            figures.peak_kib,
            figures.rss_after_completion_kib,
            figures.rss_after_completion_trimmed_kib,
            figures.rss_after_drop_kib,
            figures.rss_after_drop_trimmed_kib,
        );
        let bound = 2 * figures.rss_before_kib + 64 * 1024;
        assert!(
            figures.rss_after_completion_trimmed_kib < bound,
            "resident memory stayed at {} KiB with the runtime alive (bound {bound} KiB)",
            figures.rss_after_completion_trimmed_kib
        );
        assert!(
            figures.rss_after_drop_trimmed_kib < bound,
            "resident memory stayed at {} KiB after the runtime's drop (bound {bound} KiB)",
            figures.rss_after_drop_trimmed_kib
        );
    }
}

#[test]
#[ignore = "soak: run with --release -- --ignored --test-threads=1"]
fn soak_ten_thousand_connections_open_at_once_echo_every_byte() {
    // SPINDLE_SOAK_CONNECTIONS overrides the count, to find a limit or to bisect.
    let connections: usize = std::env::var("SPINDLE_SOAK_CONNECTIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10_000);
    let limit = raise_fd_limit();
    if limit < connections as u64 + 500 {
        eprintln!("skipped: the fd limit is {limit}, below {connections} + 500");
        return;
    }
    within(PATIENT, move || {
        let mut server = EchoServerProcess::start(connections);
        let rt = Flavour::MultiThread.runtime();
        rt.block_on(run_echo_clients(server.address, connections, 16 * 1024));
        drop(rt);
        server.wait_for_success();
        eprintln!("{connections} connections open at once, 16 KiB echoed and checked on each");
    });
}

#[test]
#[ignore = "soak: run with --release -- --ignored --test-threads=1"]
fn soak_abort_storm_of_a_million_tasks_loses_none() {
    for flavour in [Flavour::MultiThread, Flavour::CurrentThread] {
        within(PATIENT, move || abort_storm(flavour, 1_000_000));
    }
}

#[test]
#[ignore = "soak: run with --release -- --ignored --test-threads=1"]
fn soak_timer_storm_of_half_a_million_timers() {
    for flavour in [Flavour::MultiThread, Flavour::CurrentThread] {
        within(PATIENT, move || timer_storm(flavour, 500_000));
    }
}

#[test]
#[ignore = "soak: run with --release -- --ignored --test-threads=1"]
fn soak_dropping_the_runtime_with_ten_thousand_waiting_tasks() {
    if raise_fd_limit() < 9_000 {
        eprintln!("skipped: the fd limit is below 9 000");
        return;
    }
    for flavour in [Flavour::MultiThread, Flavour::CurrentThread] {
        within(PATIENT, move || {
            drop_runtime_mid_everything(flavour, 4_000, 3_000, 3_000)
        });
    }
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`); 0 where there is none.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Raises the soft fd limit to the hard one and returns it.
fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct, which outlives the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: setrlimit only reads the initialised struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        // SAFETY: as above.
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    }
    limit.rlim_cur
}

struct TaskFigures {
    completed: usize,
    rss_before_kib: u64,
    peak_kib: u64,
    rss_after_completion_kib: u64,
    rss_after_completion_trimmed_kib: u64,
    rss_after_drop_kib: u64,
    rss_after_drop_trimmed_kib: u64,
}

/// Asks the allocator to hand its free memory back to the OS. glibc keeps what the
/// worker threads free in per-thread arenas and trims them only now and then, so the
/// raw figure after a burst says more about the allocator than about the runtime; the
/// trimmed one shows what is still allocated.
fn trim_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Spawns `tasks` tasks that all wait on one gate, so every one is alive at once, then
/// opens the gate and awaits them all, reading resident memory around it.
fn tasks_alive_at_once(flavour: Flavour, tasks: usize) -> TaskFigures {
    let rt = flavour.runtime();
    // Warm up: the threads, the queues and the allocator's first arenas exist before
    // the first reading.
    rt.block_on(async {
        for n in 0..1_000u64 {
            spindle::spawn(async move { n }).await.unwrap();
        }
    });
    trim_allocator();
    let rss_before_kib = status_kib("VmRSS");
    let completed = rt.block_on(async {
        let gate = Arc::new(Semaphore::new(0));
        let handles: Vec<_> = (0..tasks as u64)
            .map(|n| {
                let gate = gate.clone();
                spindle::spawn(async move {
                    gate.acquire().await.expect("gate open").forget();
                    n * 2
                })
            })
            .collect();
        assert_eq!(spindle::runtime::Handle::current().num_alive_tasks(), tasks);
        gate.add_permits(tasks);
        let mut completed = 0;
        for (n, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.expect("task completes"), n as u64 * 2);
            completed += 1;
        }
        completed
    });
    assert_eq!(rt.handle().num_alive_tasks(), 0);
    let peak_kib = status_kib("VmHWM");
    let rss_after_completion_kib = status_kib("VmRSS");
    trim_allocator();
    let rss_after_completion_trimmed_kib = status_kib("VmRSS");
    drop(rt);
    let rss_after_drop_kib = status_kib("VmRSS");
    trim_allocator();
    let rss_after_drop_trimmed_kib = status_kib("VmRSS");
    TaskFigures {
        completed,
        rss_before_kib,
        peak_kib,
        rss_after_completion_kib,
        rss_after_completion_trimmed_kib,
        rss_after_drop_kib,
        rss_after_drop_trimmed_kib,
    }
}

/// A listener on a loopback port with a backlog as deep as the burst.
fn listen(backlog: usize) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    socket
        .listen(backlog.min(u32::MAX as usize) as u32)
        .unwrap()
}

/// Opens `connections` connections (a few hundred connecting at a time, so the
/// listen backlog never overflows), waits until every one is open, then sends `len`
/// bytes on each and checks every byte that comes back.
async fn run_echo_clients(address: SocketAddr, connections: usize, len: usize) {
    let connecting = Arc::new(Semaphore::new(256));
    let all_open = Arc::new(Barrier::new(connections));
    let clients: Vec<_> = (0..connections)
        .map(|seed| {
            let connecting = connecting.clone();
            let all_open = all_open.clone();
            spindle::spawn(async move {
                let permit = connecting.acquire().await.unwrap();
                let stream = TcpStream::connect(address).await.expect("connect");
                drop(permit);
                all_open.wait().await;
                let sent = payload(seed, len);
                let (mut reader, mut writer) = stream.into_split();
                let write = async {
                    writer.write_all(&sent).await.expect("client write");
                    writer.shutdown().await.expect("half-close");
                };
                let read = async {
                    let mut received = Vec::with_capacity(len);
                    reader
                        .read_to_end(&mut received)
                        .await
                        .expect("client read");
                    received
                };
                let ((), received) = futures::join!(write, read);
                assert_eq!(received.len(), sent.len(), "connection {seed} lost bytes");
                assert!(received == sent, "connection {seed} corrupted its bytes");
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
}

/// Set in the child process that serves the big connection soak: the number of
/// connections to serve.
const ECHO_SERVER_ENV: &str = "SPINDLE_SOAK_ECHO_SERVER_CONNECTIONS";

/// The echo server of the big connection soak, in a child process of its own so that
/// each process needs only one descriptor per connection. Does nothing unless started
/// by [`EchoServerProcess::start`].
#[test]
#[ignore = "the server half of soak_ten_thousand_connections_open_at_once_echo_every_byte"]
fn echo_server_child_process() {
    let Some(connections) = std::env::var(ECHO_SERVER_ENV)
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
    else {
        return;
    };
    raise_fd_limit();
    let rt = Flavour::MultiThread.runtime();
    rt.block_on(async {
        let listener = listen(connections);
        println!("SOAK_PORT {}", listener.local_addr().unwrap().port());
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        echo_server(listener, connections).await;
    });
}

/// The child process running [`echo_server_child_process`]; killed if the test fails.
struct EchoServerProcess {
    child: std::process::Child,
    address: SocketAddr,
}

impl EchoServerProcess {
    fn start(connections: usize) -> EchoServerProcess {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "echo_server_child_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ECHO_SERVER_ENV, connections.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the echo server process");
        let stdout = child.stdout.take().unwrap();
        let mut port = None;
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.expect("read the server's output");
            // The harness prints the test's name on the same line, before the port.
            if let Some((_, rest)) = line.split_once("SOAK_PORT ") {
                port = Some(rest.trim().parse::<u16>().unwrap());
                break;
            }
        }
        let port = port.expect("the echo server printed its port");
        // The rest of its output is drained, so the child never writes to a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        EchoServerProcess {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    fn wait_for_success(&mut self) {
        let status = self.child.wait().expect("wait for the echo server");
        assert!(status.success(), "the echo server process failed: {status}");
    }
}

impl Drop for EchoServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Spawns `tasks` tasks that yield a few times, and aborts every one of them from a
/// foreign thread as soon as it is spawned, racing its completion. Every task ends
/// exactly once, as its output or as a cancellation, and drops its future.
fn abort_storm(flavour: Flavour, tasks: usize) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let (abort_tx, abort_rx) = mpsc::channel::<AbortHandle>();
    let aborter = std::thread::spawn(move || {
        for handle in abort_rx {
            handle.abort();
        }
    });
    let (completed, cancelled) = rt.block_on(async {
        let mut handles = Vec::with_capacity(tasks);
        for n in 0..tasks {
            let counter = DropCounter(drops.clone());
            let handle = spindle::spawn(async move {
                let _counter = counter;
                for _ in 0..n % 4 {
                    spindle::task::yield_now().await;
                }
                n
            });
            abort_tx.send(handle.abort_handle()).unwrap();
            handles.push(handle);
            if n % 64 == 63 {
                // Lets a current-thread runtime run tasks while the aborts arrive.
                spindle::task::yield_now().await;
            }
        }
        drop(abort_tx);
        let (mut completed, mut cancelled) = (0usize, 0usize);
        for (n, handle) in handles.into_iter().enumerate() {
            match handle.await {
                Ok(output) => {
                    assert_eq!(output, n);
                    completed += 1;
                }
                Err(error) => {
                    assert!(error.is_cancelled(), "task {n}: {error}");
                    cancelled += 1;
                }
            }
        }
        (completed, cancelled)
    });
    aborter.join().unwrap();
    assert_eq!(completed + cancelled, tasks);
    assert_eq!(
        drops.load(SeqCst),
        tasks,
        "every future dropped exactly once"
    );
    assert_eq!(rt.handle().num_alive_tasks(), 0);
    eprintln!("{flavour:?}: {tasks} tasks, {completed} completed, {cancelled} cancelled");
}

/// Spawns `timers` tasks, each with a timer of a different kind and length: plain
/// sleeps, timeouts that expire, and timeouts whose long sleep is cancelled. Every
/// timer fires (or is cancelled) and none fires before its deadline.
fn timer_storm(flavour: Flavour, timers: usize) {
    let rt = flavour.runtime();
    let fired = rt.block_on(async {
        let handles: Vec<_> = (0..timers)
            .map(|n| {
                let delay = Duration::from_micros((n as u64 * 7_919) % 20_000);
                spindle::spawn(async move {
                    let start = Instant::now();
                    match n % 3 {
                        0 => spindle::time::sleep(delay).await,
                        1 => {
                            let expired =
                                spindle::time::timeout(delay, std::future::pending::<()>()).await;
                            assert!(expired.is_err(), "a pending future cannot finish");
                        }
                        _ => {
                            // The hour-long sleep is cancelled when the timeout fires.
                            let long = spindle::time::sleep(Duration::from_secs(3_600));
                            let expired = spindle::time::timeout(delay, long).await;
                            assert!(expired.is_err(), "the hour has not passed");
                        }
                    }
                    assert!(Instant::now() >= start + delay, "timer {n} fired early");
                })
            })
            .collect();
        let mut fired = 0;
        for handle in handles {
            handle.await.unwrap();
            fired += 1;
        }
        fired
    });
    assert_eq!(fired, timers);
    assert_eq!(rt.handle().num_alive_tasks(), 0);
    eprintln!("{flavour:?}: {timers} timers fired or cancelled, none early");
}

/// Counts its drops, and separately the drops that happened during a panic.
struct Witness {
    drops: Arc<AtomicUsize>,
    drops_while_panicking: Arc<AtomicUsize>,
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
        if std::thread::panicking() {
            self.drops_while_panicking.fetch_add(1, SeqCst);
        }
    }
}

/// Polls `inner` and sends one message the first time it returns `Pending`: the task
/// has then registered with the resource it waits on.
struct SignalOnPending<F> {
    inner: Pin<Box<F>>,
    signal: Option<spindle::sync::mpsc::UnboundedSender<()>>,
}

impl<F: Future> Future for SignalOnPending<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let polled = self.inner.as_mut().poll(cx);
        if polled.is_pending() {
            if let Some(signal) = self.signal.take() {
                let _ = signal.send(());
            }
        }
        polled
    }
}

fn signal_on_pending<F: Future>(
    inner: F,
    signal: &spindle::sync::mpsc::UnboundedSender<()>,
) -> SignalOnPending<F> {
    SignalOnPending {
        inner: Box::pin(inner),
        signal: Some(signal.clone()),
    }
}

/// Parks `reading` tasks in socket reads, `sleeping` in hour-long sleeps and `locking`
/// behind a held mutex, waits until every one is registered where it waits, and drops
/// the runtime: every task's destructor runs, none during a panic, and nothing hangs.
fn drop_runtime_mid_everything(flavour: Flavour, reading: usize, sleeping: usize, locking: usize) {
    let total = reading + sleeping + locking;
    let drops = Arc::new(AtomicUsize::new(0));
    let drops_while_panicking = Arc::new(AtomicUsize::new(0));
    let witness = || Witness {
        drops: drops.clone(),
        drops_while_panicking: drops_while_panicking.clone(),
    };
    let rt = flavour.runtime();
    let mutex = Arc::new(spindle::sync::Mutex::new(0u64));
    let guard = rt.block_on(async {
        let guard = mutex.clone().lock_owned().await;
        let (waiting_tx, mut waiting_rx) = spindle::sync::mpsc::unbounded_channel::<()>();
        let listener = listen(reading.max(1));
        let address = listener.local_addr().unwrap();
        for _ in 0..reading {
            let mut stream = TcpStream::connect(address).await.unwrap();
            let (peer, _) = listener.accept().await.unwrap();
            let witness = witness();
            let waiting_tx = waiting_tx.clone();
            spindle::spawn(async move {
                let _witness = witness;
                let _peer = peer; // never writes, so the read waits forever
                let mut byte = [0u8; 1];
                let _ = signal_on_pending(stream.read(&mut byte), &waiting_tx).await;
                unreachable!("nothing was ever sent");
            });
        }
        for _ in 0..sleeping {
            let witness = witness();
            let waiting_tx = waiting_tx.clone();
            spindle::spawn(async move {
                let _witness = witness;
                let hour = spindle::time::sleep(Duration::from_secs(3_600));
                signal_on_pending(hour, &waiting_tx).await;
                unreachable!("the hour has not passed");
            });
        }
        for _ in 0..locking {
            let witness = witness();
            let waiting_tx = waiting_tx.clone();
            let mutex = mutex.clone();
            spindle::spawn(async move {
                let _witness = witness;
                let _locked = signal_on_pending(mutex.lock(), &waiting_tx).await;
                unreachable!("the lock is never released");
            });
        }
        for _ in 0..total {
            waiting_rx.recv().await.expect("a task reached its wait");
        }
        assert_eq!(spindle::runtime::Handle::current().num_alive_tasks(), total);
        guard
    });
    let dropped = panic::catch_unwind(AssertUnwindSafe(move || drop(rt)));
    assert!(dropped.is_ok(), "dropping the runtime panicked");
    assert_eq!(drops.load(SeqCst), total, "every task's destructor ran");
    assert_eq!(
        drops_while_panicking.load(SeqCst),
        0,
        "no destructor ran in a panic"
    );
    eprintln!(
        "{flavour:?}: runtime dropped with {reading} tasks mid-read, {sleeping} mid-sleep, \
         {locking} mid-lock; {total} destructors ran"
    );
    drop(guard);
    assert_eq!(
        *mutex.try_lock().expect("the lock is free again"),
        0,
        "no waiter ever got the lock"
    );
}
