//! The workloads, written once. Each runtime's adapter module expands these macros,
//! so spindle, tokio and smol run the same source text against their own `spawn`,
//! channels and locks.
//!
//! A workload is `fn(&Runtime) -> f64`: it measures what it means to measure (a
//! duration in nanoseconds, or bytes) and leaves the runtime idle when it returns,
//! because the three runtimes stay alive side by side for the whole workload and a
//! task still spinning in one would slow the others down.
//!
//! Adding a workload: write the function in the right macro below and add one
//! `Workload` line to that macro's list. A new group (IO) is one more macro of the
//! same shape, expanded by each adapter that has the pieces.

/// Parameters, shared by every runtime. The scheduler ones are tokio's
/// (`benches/rt_multi_threaded.rs`), except where issue 9 names a larger count.
pub mod params {
    use std::time::Duration;

    /// Spawns in the `spawn_many_*` workloads.
    pub const NUM_SPAWN: usize = 10_000;
    /// Tasks that keep the workers busy in `spawn_many_remote_busy` (tokio: 2 x 4 workers).
    pub const BUSY_TASKS: usize = 8;
    /// What each busy task spins between yields.
    pub const STALL: Duration = Duration::from_micros(10);
    /// `yield_many`: tasks, and yields per task.
    pub const YIELD_TASKS: usize = 200;
    pub const NUM_YIELD: usize = 1_000;
    /// `ping_pong`: exchanges (tokio's bench uses 1 000; issue 9 asks for 10 000).
    pub const NUM_PINGS: usize = 10_000;
    /// `chained_spawn`: length of the chain.
    pub const CHAIN: usize = 1_000;

    /// `mpsc_bounded`: producers x messages each, through a channel of this capacity.
    pub const PRODUCERS: usize = 4;
    pub const MESSAGES: usize = 25_000;
    pub const CAPACITY: usize = 1_024;
    /// `request_reply`: sequential round trips.
    pub const ROUND_TRIPS: usize = 10_000;
    /// `mutex_contended`: tasks x locks each.
    pub const LOCK_TASKS: usize = 100;
    pub const LOCKS: usize = 1_000;
    /// `broadcast_fanout`: receivers, and messages (within the capacity, so no
    /// runtime's sender blocks or lags and all three do the same work).
    pub const RECEIVERS: usize = 100;
    pub const BROADCASTS: usize = 1_000;
    /// `notify_ping_pong`: round trips.
    pub const NOTIFY_ROUNDS: usize = 10_000;

    /// `spawn_blocking`: tasks x batches x calls per batch.
    pub const BLOCKING_TASKS: usize = 16;
    pub const BLOCKING_BATCHES: usize = 100;
    pub const BLOCKING_BATCH: usize = 16;

    /// `memory_*`: tasks parked at once.
    pub const IDLE_TASKS: usize = 100_000;

    /// Timers: tasks x sequential sleeps of `SLEEP`.
    pub const SLEEP_TASKS: usize = 1_000;
    pub const SLEEPS: usize = 10;
    pub const SLEEP: Duration = Duration::from_millis(1);
    /// `timer_churn`: sleeps created, polled once and dropped.
    pub const CHURN: usize = 100_000;
    /// `sleep_lateness_*`: sequential `sleep(SLEEP)` samples per iteration.
    pub const LATENESS_SAMPLES: usize = 200;

    /// Every IO workload binds here: loopback only, port chosen by the kernel.
    pub const LOOPBACK: &str = "127.0.0.1:0";
    /// `tcp_echo`: connections x round trips each, of `MESSAGE` bytes.
    pub const ECHO_CONNECTIONS: usize = 50;
    pub const ECHO_ROUND_TRIPS: usize = 2_000;
    pub const MESSAGE: usize = 64;
    /// `tcp_bulk`: bytes over one connection (issue 9's 1 GiB; `--quick` sends
    /// `BULK_BYTES_QUICK`, see `harness::bulk_bytes`), written in chunks of this size.
    pub const BULK_BYTES: usize = 1 << 30;
    pub const BULK_BYTES_QUICK: usize = 64 << 20;
    pub const BULK_CHUNK: usize = 64 << 10;
    /// `tcp_accept_close`: connections, made by this many client tasks in turn
    /// (so at most this many are in flight: far below the listen backlog).
    pub const ACCEPTS: usize = 10_000;
    pub const ACCEPT_CLIENTS: usize = 10;
    /// `udp_round_trip`: sequential ping-pongs of `MESSAGE` bytes.
    pub const UDP_ROUND_TRIPS: usize = 10_000;
}

/// Scheduler, sync, blocking and memory workloads: `core_workloads()`.
#[macro_export]
macro_rules! workloads {
    () => {
        #[allow(unused_imports)]
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
        #[allow(unused_imports)]
        use std::sync::{mpsc as std_mpsc, Arc};
        #[allow(unused_imports)]
        use $crate::harness::{self as h, Unit, Workload};
        #[allow(unused_imports)]
        use $crate::workloads::params::*;

        /// The workloads every runtime has.
        pub fn core_workloads() -> Vec<Workload<Runtime>> {
            vec![
                Workload::new(
                    "spawn_many_local",
                    "scheduler",
                    Unit::Time,
                    spawn_many_local,
                )
                .floor(h::spawn_floor::<NUM_SPAWN>),
                Workload::new(
                    "spawn_many_worker",
                    "scheduler",
                    Unit::Time,
                    spawn_many_worker,
                )
                .floor(h::spawn_floor::<NUM_SPAWN>),
                Workload::new(
                    "spawn_many_remote_idle",
                    "scheduler",
                    Unit::Time,
                    spawn_many_remote_idle,
                )
                .floor(h::spawn_floor::<NUM_SPAWN>),
                Workload::new(
                    "spawn_many_remote_busy",
                    "scheduler",
                    Unit::Time,
                    spawn_many_remote_busy,
                ),
                Workload::new("yield_many", "scheduler", Unit::Time, yield_many)
                    .floor(h::yield_floor::<{ YIELD_TASKS * NUM_YIELD }>),
                Workload::new("ping_pong", "scheduler", Unit::Time, ping_pong),
                Workload::new("chained_spawn", "scheduler", Unit::Time, chained_spawn)
                    .floor(h::spawn_floor::<CHAIN>),
                Workload::new("mpsc_bounded", "sync", Unit::Time, mpsc_bounded),
                Workload::new("request_reply", "sync", Unit::Time, request_reply),
                Workload::new("mutex_contended", "sync", Unit::Time, mutex_contended),
                Workload::new("broadcast_fanout", "sync", Unit::Time, broadcast_fanout),
                Workload::new("notify_ping_pong", "sync", Unit::Time, notify_ping_pong),
                Workload::new(
                    "spawn_blocking",
                    "blocking",
                    Unit::Time,
                    spawn_blocking_batches,
                ),
                Workload::new("memory_idle_task", "memory", Unit::Bytes, memory_idle_task)
                    .isolated(),
            ]
        }

        /// 10 000 spawns from `block_on`; the last task to finish signals the
        /// blocked `block_on` thread (tokio's shape).
        fn spawn_many_local(rt: &Runtime) -> f64 {
            let (done_tx, done_rx) = std_mpsc::sync_channel(1);
            let remaining = Arc::new(AtomicUsize::new(NUM_SPAWN));
            h::time(|| {
                rt.block_on(async {
                    for _ in 0..NUM_SPAWN {
                        let done_tx = done_tx.clone();
                        let remaining = remaining.clone();
                        spawn(async move {
                            if remaining.fetch_sub(1, Relaxed) == 1 {
                                done_tx.send(()).unwrap();
                            }
                        })
                        .detach();
                    }
                    done_rx.recv().unwrap();
                })
            })
        }

        /// 10 000 spawns from inside a task: they land in a worker's local queue.
        fn spawn_many_worker(rt: &Runtime) -> f64 {
            let (done_tx, done_rx) = std_mpsc::sync_channel(1);
            let remaining = Arc::new(AtomicUsize::new(NUM_SPAWN));
            h::time(|| {
                rt.block_on(async {
                    let remaining = remaining.clone();
                    let done_tx = done_tx.clone();
                    spawn(async move {
                        for _ in 0..NUM_SPAWN {
                            let done_tx = done_tx.clone();
                            let remaining = remaining.clone();
                            spawn(async move {
                                if remaining.fetch_sub(1, Relaxed) == 1 {
                                    done_tx.send(()).unwrap();
                                }
                            })
                            .detach();
                        }
                    })
                    .detach();
                    done_rx.recv().unwrap();
                })
            })
        }

        /// 10 000 spawns from outside the runtime onto idle workers, then await all.
        fn spawn_many_remote_idle(rt: &Runtime) -> f64 {
            let mut handles = Vec::with_capacity(NUM_SPAWN);
            h::time(|| {
                for _ in 0..NUM_SPAWN {
                    handles.push(rt.spawn(async {}));
                }
                rt.block_on(async {
                    for handle in handles.drain(..) {
                        handle.await;
                    }
                })
            })
        }

        /// The same while 8 tasks keep every worker busy, yielding and spinning
        /// 10 us in turn: remote spawns must get through a loaded scheduler.
        fn spawn_many_remote_busy(rt: &Runtime) -> f64 {
            let running = Arc::new(AtomicBool::new(true));
            let busy: Vec<_> = (0..BUSY_TASKS)
                .map(|_| {
                    let running = running.clone();
                    rt.spawn(async move {
                        while running.load(Relaxed) {
                            yield_now().await;
                            h::stall(STALL);
                        }
                    })
                })
                .collect();
            let mut handles = Vec::with_capacity(NUM_SPAWN);
            let elapsed = h::time(|| {
                for _ in 0..NUM_SPAWN {
                    handles.push(rt.spawn(async {}));
                }
                rt.block_on(async {
                    for handle in handles.drain(..) {
                        handle.await;
                    }
                })
            });
            running.store(false, Relaxed);
            rt.block_on(async {
                for task in busy {
                    task.await;
                }
            });
            elapsed
        }

        /// 200 tasks, each yielding 1 000 times.
        fn yield_many(rt: &Runtime) -> f64 {
            let (done_tx, done_rx) = std_mpsc::sync_channel(YIELD_TASKS);
            h::time(|| {
                for _ in 0..YIELD_TASKS {
                    let done_tx = done_tx.clone();
                    rt.spawn(async move {
                        for _ in 0..NUM_YIELD {
                            yield_now().await;
                        }
                        done_tx.send(()).unwrap();
                    })
                    .detach();
                }
                for _ in 0..YIELD_TASKS {
                    done_rx.recv().unwrap();
                }
            })
        }

        /// 10 000 pairs of spawned tasks, each pair exchanging a ping and a pong
        /// over two oneshots.
        fn ping_pong(rt: &Runtime) -> f64 {
            let (done_tx, done_rx) = std_mpsc::sync_channel(1);
            let remaining = Arc::new(AtomicUsize::new(NUM_PINGS));
            h::time(|| {
                rt.block_on(async {
                    let remaining = remaining.clone();
                    let done_tx = done_tx.clone();
                    spawn(async move {
                        for _ in 0..NUM_PINGS {
                            let remaining = remaining.clone();
                            let done_tx = done_tx.clone();
                            spawn(async move {
                                let (ping_tx, ping_rx) = oneshot::channel::<()>();
                                let (pong_tx, pong_rx) = oneshot::channel::<()>();
                                spawn(async move {
                                    ping_rx.await.unwrap();
                                    pong_tx.send(()).unwrap();
                                })
                                .detach();
                                ping_tx.send(()).unwrap();
                                pong_rx.await.unwrap();
                                if remaining.fetch_sub(1, Relaxed) == 1 {
                                    done_tx.send(()).unwrap();
                                }
                            })
                            .detach();
                        }
                    })
                    .detach();
                    done_rx.recv().unwrap();
                })
            })
        }

        /// Each task spawns the next, 1 000 deep: spawn-to-run latency, serially.
        fn chained_spawn(rt: &Runtime) -> f64 {
            fn link(done_tx: std_mpsc::SyncSender<()>, n: usize) {
                if n == 0 {
                    done_tx.send(()).unwrap();
                } else {
                    spawn(async move { link(done_tx, n - 1) }).detach();
                }
            }
            let (done_tx, done_rx) = std_mpsc::sync_channel(1);
            h::time(|| {
                rt.block_on(async {
                    let done_tx = done_tx.clone();
                    spawn(async move { link(done_tx, CHAIN) }).detach();
                    done_rx.recv().unwrap();
                })
            })
        }

        /// 4 producers x 25 000 messages into one consumer, capacity 1 024. Every
        /// side is a spawned task, so all the work is on the runtime's workers.
        fn mpsc_bounded(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let (tx, mut rx) = mpsc::channel::<usize>(CAPACITY);
                    for _ in 0..PRODUCERS {
                        let tx = tx.clone();
                        spawn(async move {
                            for i in 0..MESSAGES {
                                tx.send(i).await.ok().unwrap();
                            }
                        })
                        .detach();
                    }
                    drop(tx);
                    let consumer = spawn(async move {
                        let mut received = 0;
                        while rx.recv().await.is_some() {
                            received += 1;
                        }
                        received
                    });
                    assert_eq!(consumer.await, PRODUCERS * MESSAGES);
                })
            })
        }

        /// 10 000 sequential requests to a server task, each carrying a oneshot
        /// for its reply.
        fn request_reply(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let (tx, mut rx) = mpsc::channel::<(usize, oneshot::Sender<usize>)>(CAPACITY);
                    spawn(async move {
                        while let Some((request, reply)) = rx.recv().await {
                            let _ = reply.send(request + 1);
                        }
                    })
                    .detach();
                    let client = spawn(async move {
                        let mut sum = 0;
                        for i in 0..ROUND_TRIPS {
                            let (reply_tx, reply_rx) = oneshot::channel();
                            tx.send((i, reply_tx)).await.ok().unwrap();
                            sum += reply_rx.await.unwrap() - i;
                        }
                        sum
                    });
                    assert_eq!(client.await, ROUND_TRIPS);
                })
            })
        }

        /// 100 tasks x 1 000 increments of a counter behind one async mutex.
        fn mutex_contended(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let counter = Arc::new(Mutex::new(0usize));
                    let tasks: Vec<_> = (0..LOCK_TASKS)
                        .map(|_| {
                            let counter = counter.clone();
                            spawn(async move {
                                for _ in 0..LOCKS {
                                    *counter.lock().await += 1;
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await;
                    }
                    assert_eq!(*counter.lock().await, LOCK_TASKS * LOCKS);
                })
            })
        }

        /// One sender, 100 receiver tasks, 1 000 messages each receiver must see.
        fn broadcast_fanout(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let (tx, first) = broadcast::channel::<usize>(CAPACITY);
                    let receivers: Vec<_> = (0..RECEIVERS)
                        .map(|_| {
                            let mut rx = tx.subscribe();
                            spawn(async move {
                                let mut received = 0;
                                while rx.recv().await.is_ok() {
                                    received += 1;
                                }
                                received
                            })
                        })
                        .collect();
                    drop(first);
                    spawn(async move {
                        for i in 0..BROADCASTS {
                            tx.send(i).ok().unwrap();
                        }
                    })
                    .detach();
                    for receiver in receivers {
                        assert_eq!(receiver.await, BROADCASTS);
                    }
                })
            })
        }

        /// Two tasks handing a turn back and forth 10 000 times with `notify_one`.
        fn notify_ping_pong(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let ping = Arc::new(Notify::new());
                    let pong = Arc::new(Notify::new());
                    let (ping2, pong2) = (ping.clone(), pong.clone());
                    let responder = spawn(async move {
                        for _ in 0..NOTIFY_ROUNDS {
                            ping2.notified().await;
                            pong2.notify_one();
                        }
                    });
                    let initiator = spawn(async move {
                        for _ in 0..NOTIFY_ROUNDS {
                            ping.notify_one();
                            pong.notified().await;
                        }
                    });
                    initiator.await;
                    responder.await;
                })
            })
        }

        /// 16 tasks, each running 100 batches of 16 `spawn_blocking` calls and
        /// awaiting each batch.
        fn spawn_blocking_batches(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let tasks: Vec<_> = (0..BLOCKING_TASKS)
                        .map(|_| {
                            spawn(async move {
                                let mut sum = 0;
                                for _ in 0..BLOCKING_BATCHES {
                                    let batch: Vec<_> = (0..BLOCKING_BATCH)
                                        .map(|i| spawn_blocking(move || std::hint::black_box(i)))
                                        .collect();
                                    for call in batch {
                                        sum += call.await;
                                    }
                                }
                                sum
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await;
                    }
                })
            })
        }

        /// Resident bytes per spawned task parked on a future that never completes.
        /// Run in a fresh process per runtime; the tasks are never cleaned up.
        fn memory_idle_task(rt: &Runtime) -> f64 {
            h::memory_per_task(|parked| {
                rt.block_on(async {
                    for _ in 0..IDLE_TASKS {
                        let parked = parked.clone();
                        spawn(async move {
                            parked.fetch_add(1, Relaxed);
                            std::future::pending::<()>().await;
                        })
                        .detach();
                    }
                })
            })
        }
    };
}

/// Timer workloads: `timer_workloads()`, for adapters that have a `sleep`.
#[macro_export]
macro_rules! timer_workloads {
    () => {
        /// The timer workloads.
        pub fn timer_workloads() -> Vec<Workload<Runtime>> {
            vec![
                Workload::new("timer_sleep_chain", "timers", Unit::Time, timer_sleep_chain)
                    .floor(h::sleep_chain_floor),
                Workload::new("timer_churn", "timers", Unit::Time, timer_churn),
                Workload::new(
                    "sleep_lateness_p50",
                    "timers",
                    Unit::Time,
                    sleep_lateness_p50,
                )
                .floor(h::zero_floor),
                Workload::new(
                    "sleep_lateness_p99",
                    "timers",
                    Unit::Time,
                    sleep_lateness_p99,
                )
                .floor(h::zero_floor),
                Workload::new(
                    "memory_sleeping_task",
                    "memory",
                    Unit::Bytes,
                    memory_sleeping_task,
                )
                .isolated(),
            ]
        }

        /// 1 000 tasks, each sleeping 1 ms ten times in a row; the floor is 10 ms.
        fn timer_sleep_chain(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let tasks: Vec<_> = (0..SLEEP_TASKS)
                        .map(|_| {
                            spawn(async move {
                                for _ in 0..SLEEPS {
                                    sleep(SLEEP).await;
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await;
                    }
                })
            })
        }

        /// 100 000 sleeps created, polled once (registering the timer) and dropped
        /// (cancelling it): insert plus cancel.
        fn timer_churn(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    spawn(async {
                        for _ in 0..CHURN {
                            let mut timer =
                                std::pin::pin!(sleep(std::time::Duration::from_secs(60)));
                            let polled = h::poll_once(timer.as_mut()).await;
                            assert!(polled.is_none());
                        }
                    })
                    .await
                })
            })
        }

        /// How late `sleep(1 ms)` wakes: per iteration, 200 sequential sleeps in a
        /// task; the value is the median (or 99th percentile) of elapsed - 1 ms.
        fn sleep_lateness(rt: &Runtime, quantile: f64) -> f64 {
            // In a task, so the sleeps are on a worker as in an application.
            let mut lateness = rt.block_on(async {
                spawn(async {
                    let mut samples = Vec::with_capacity(LATENESS_SAMPLES);
                    for _ in 0..LATENESS_SAMPLES {
                        let start = std::time::Instant::now();
                        sleep(SLEEP).await;
                        samples.push(start.elapsed().saturating_sub(SLEEP).as_nanos() as f64);
                    }
                    samples
                })
                .await
            });
            h::quantile(&mut lateness, quantile)
        }

        fn sleep_lateness_p50(rt: &Runtime) -> f64 {
            sleep_lateness(rt, 0.5)
        }

        fn sleep_lateness_p99(rt: &Runtime) -> f64 {
            sleep_lateness(rt, 0.99)
        }

        /// Resident bytes per spawned task parked on a one-hour sleep (task plus
        /// timer entry; subtract `memory_idle_task` for the sleep alone).
        fn memory_sleeping_task(rt: &Runtime) -> f64 {
            h::memory_per_task(|parked| {
                rt.block_on(async {
                    for _ in 0..IDLE_TASKS {
                        let parked = parked.clone();
                        spawn(async move {
                            let sleeping = sleep(std::time::Duration::from_secs(3600));
                            parked.fetch_add(1, Relaxed);
                            sleeping.await;
                        })
                        .detach();
                    }
                })
            })
        }
    };
}

/// IO workloads: `io_workloads()`, for adapters that have `TcpListener`,
/// `TcpStream`, `UdpSocket` and the `AsyncReadExt`/`AsyncWriteExt` of their streams
/// (tokio's own traits, or futures-io's for spindle and smol: the methods used here
/// have the same names and shapes in both). Loopback only; every workload accepts,
/// sends and receives a fixed count and then ends, so nothing is left running.
#[macro_export]
macro_rules! io_workloads {
    () => {
        /// The IO workloads.
        pub fn io_workloads() -> Vec<Workload<Runtime>> {
            vec![
                Workload::new("tcp_echo", "io", Unit::Time, tcp_echo),
                Workload::new("tcp_bulk", "io", Unit::Time, tcp_bulk).floor(h::tcp_bulk_floor),
                Workload::new("tcp_accept_close", "io", Unit::Time, tcp_accept_close)
                    .floor(h::tcp_accept_close_floor),
                Workload::new("udp_round_trip", "io", Unit::Time, udp_round_trip)
                    .floor(h::udp_round_trip_floor),
            ]
        }

        /// 50 connections, each doing 2 000 sequential round trips of 64 bytes
        /// (write, then read the echo) against a server task per connection.
        fn tcp_echo(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let listener = TcpListener::bind(LOOPBACK).await.unwrap();
                    let addr = listener.local_addr().unwrap();
                    let server = spawn(async move {
                        let mut echoes = Vec::with_capacity(ECHO_CONNECTIONS);
                        for _ in 0..ECHO_CONNECTIONS {
                            let (mut stream, _) = listener.accept().await.unwrap();
                            stream.set_nodelay(true).unwrap();
                            echoes.push(spawn(async move {
                                let mut buf = [0u8; MESSAGE];
                                for _ in 0..ECHO_ROUND_TRIPS {
                                    stream.read_exact(&mut buf).await.unwrap();
                                    stream.write_all(&buf).await.unwrap();
                                }
                            }));
                        }
                        // Awaited so the workload returns with the runtime idle.
                        for echo in echoes {
                            echo.await;
                        }
                    });
                    let clients: Vec<_> = (0..ECHO_CONNECTIONS)
                        .map(|client| {
                            spawn(async move {
                                let mut stream = TcpStream::connect(addr).await.unwrap();
                                // 64-byte writes would otherwise wait on Nagle.
                                stream.set_nodelay(true).unwrap();
                                let mut buf = [client as u8; MESSAGE];
                                for _ in 0..ECHO_ROUND_TRIPS {
                                    stream.write_all(&buf).await.unwrap();
                                    stream.read_exact(&mut buf).await.unwrap();
                                }
                                assert_eq!(buf, [client as u8; MESSAGE]);
                            })
                        })
                        .collect();
                    for client in clients {
                        client.await;
                    }
                    server.await;
                })
            })
        }

        /// 1 GiB (64 MiB with --quick) over one connection, in 64 KiB writes; the
        /// receiver reads into a 64 KiB buffer until EOF.
        fn tcp_bulk(rt: &Runtime) -> f64 {
            let total = h::bulk_bytes();
            h::time(|| {
                rt.block_on(async move {
                    let listener = TcpListener::bind(LOOPBACK).await.unwrap();
                    let addr = listener.local_addr().unwrap();
                    let receiver = spawn(async move {
                        let (mut stream, _) = listener.accept().await.unwrap();
                        let mut buf = vec![0u8; BULK_CHUNK];
                        let mut received = 0;
                        loop {
                            let n = stream.read(&mut buf).await.unwrap();
                            if n == 0 {
                                break received;
                            }
                            received += n;
                        }
                    });
                    let sender = spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        let buf = vec![0xa5u8; BULK_CHUNK];
                        for _ in 0..total / BULK_CHUNK {
                            stream.write_all(&buf).await.unwrap();
                        }
                        // Dropping the stream closes it: the receiver sees EOF.
                    });
                    sender.await;
                    assert_eq!(receiver.await, total);
                })
            })
        }

        /// 10 000 connections accepted and closed by the server, made by 10 client
        /// tasks in turn. Each client waits for the server's close (EOF) and then
        /// closes with SO_LINGER 0, so the connection ends in a reset: neither side
        /// keeps a TIME_WAIT entry, and repeated rounds cannot run out of ephemeral
        /// ports.
        fn tcp_accept_close(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let listener = TcpListener::bind(LOOPBACK).await.unwrap();
                    let addr = listener.local_addr().unwrap();
                    let server = spawn(async move {
                        for _ in 0..ACCEPTS {
                            let (stream, _) = listener.accept().await.unwrap();
                            drop(stream);
                        }
                    });
                    let clients: Vec<_> = (0..ACCEPT_CLIENTS)
                        .map(|_| {
                            spawn(async move {
                                let mut byte = [0u8; 1];
                                for _ in 0..ACCEPTS / ACCEPT_CLIENTS {
                                    let mut stream = TcpStream::connect(addr).await.unwrap();
                                    assert_eq!(stream.read(&mut byte).await.unwrap(), 0);
                                    h::reset_on_close(&stream);
                                }
                            })
                        })
                        .collect();
                    for client in clients {
                        client.await;
                    }
                    server.await;
                })
            })
        }

        /// 10 000 sequential ping-pongs of 64 bytes between two UDP sockets, each
        /// in its own task. One datagram is in flight at a time, so loopback never
        /// drops one (a drop would hang the round, not skew it).
        fn udp_round_trip(rt: &Runtime) -> f64 {
            h::time(|| {
                rt.block_on(async {
                    let server = UdpSocket::bind(LOOPBACK).await.unwrap();
                    let server_addr = server.local_addr().unwrap();
                    let client = UdpSocket::bind(LOOPBACK).await.unwrap();
                    client.connect(server_addr).await.unwrap();
                    let echo = spawn(async move {
                        let mut buf = [0u8; MESSAGE];
                        for _ in 0..UDP_ROUND_TRIPS {
                            let (n, from) = server.recv_from(&mut buf).await.unwrap();
                            server.send_to(&buf[..n], from).await.unwrap();
                        }
                    });
                    let ping = spawn(async move {
                        let mut buf = [7u8; MESSAGE];
                        for _ in 0..UDP_ROUND_TRIPS {
                            client.send(&buf).await.unwrap();
                            assert_eq!(client.recv(&mut buf).await.unwrap(), MESSAGE);
                        }
                    });
                    ping.await;
                    echo.await;
                })
            })
        }
    };
}
