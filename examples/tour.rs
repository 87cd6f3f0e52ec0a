//! A tour of spindle: the asyncio ideas it grew from, one short demo each.
//!
//! Run it with `cargo run --release --example tour`.

use std::time::{Duration, Instant};

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use spindle::runtime::Runtime;
use spindle::sync::{mpsc, oneshot};
use spindle::task;
use spindle::time;

fn header(title: &str) {
    println!("\n== {title} ==");
}

fn main() -> std::io::Result<()> {
    let rt = Runtime::new()?;
    rt.block_on(async {
        header("create_task + gather: spawn tasks, await them all");
        let started = Instant::now();
        let fetches: Vec<_> = ["alpha", "beta", "gamma"]
            .into_iter()
            .map(|name| {
                spindle::spawn(async move {
                    // Blocking work belongs on the blocking pool, not on a worker.
                    task::spawn_blocking(move || {
                        std::thread::sleep(Duration::from_millis(200));
                        format!("{name}: fetched on {:?}", std::thread::current().name())
                    })
                    .await
                    .expect("fetch ran")
                })
            })
            .collect();
        for fetch in fetches {
            println!("  {}", fetch.await.expect("task finished"));
        }
        println!(
            "  three 200 ms fetches took {:?} together, not 600 ms",
            started.elapsed()
        );

        header("sleep + gather: two timed fetches run side by side");
        let started = Instant::now();
        let (slow, fast) = spindle::join!(
            async {
                time::sleep(Duration::from_millis(300)).await;
                "slow fetch done"
            },
            async {
                time::sleep(Duration::from_millis(100)).await;
                "fast fetch done"
            }
        );
        println!(
            "  {fast}, {slow}: {:?} in all, not 400 ms",
            started.elapsed()
        );

        header("wait_for: a timeout around a future that never finishes");
        let timed_out =
            time::timeout(Duration::from_millis(50), std::future::pending::<()>()).await;
        println!("  timeout gave {timed_out:?}");

        header("streams: a TCP echo server and client on loopback");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("bound address");
        let server = spindle::spawn(async move {
            let (mut stream, peer) = listener.accept().await.expect("accept");
            let mut line = [0u8; 64];
            let read = stream.read(&mut line).await.expect("read");
            stream.write_all(&line[..read]).await.expect("write");
            peer
        });
        let mut client = TcpStream::connect(address).await.expect("connect");
        client.write_all(b"hello, spindle").await.expect("write");
        let mut echoed = [0u8; 64];
        let read = client.read(&mut echoed).await.expect("read");
        let peer = server.await.expect("server task");
        println!(
            "  echoed {:?} back to {peer}",
            String::from_utf8_lossy(&echoed[..read])
        );

        header("Task.cancel: abort a task that would never finish");
        let forever = spindle::spawn(std::future::pending::<()>());
        forever.abort();
        let error = forever.await.expect_err("aborted");
        println!("  {error}");

        header("exceptions: a panicking task does not take the runtime down");
        let error = spindle::spawn(async { panic!("oops") })
            .await
            .expect_err("panicked");
        println!("  {error}");

        header("Queue: producers and a consumer over a bounded channel");
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        for producer in 0..3u32 {
            let tx = tx.clone();
            spindle::spawn(async move {
                for item in 0..3 {
                    tx.send(producer * 10 + item).await.expect("consumer alive");
                }
            });
        }
        drop(tx);
        let mut received = Vec::new();
        while let Some(item) = rx.recv().await {
            received.push(item);
        }
        received.sort_unstable();
        println!("  consumer got {received:?}");

        header("call_soon_threadsafe: spawn from a plain thread through a Handle");
        let handle = spindle::runtime::Handle::current();
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            handle.spawn(async move {
                let _ = tx.send(task::id());
            });
        });
        println!(
            "  task {} ran, spawned from a foreign thread",
            rx.await.expect("sent")
        );

        header("fairness: 10 000 tiny tasks on every worker");
        let started = Instant::now();
        let tasks: Vec<_> = (0..10_000u64)
            .map(|n| spindle::spawn(async move { n }))
            .collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.expect("task finished");
        }
        println!("  sum {sum} in {:?}", started.elapsed());

        header("all_tasks: the live task list");
        let _idle = task::Builder::new()
            .name("idle-listener")
            .spawn(std::future::pending::<()>())
            .expect("inside the runtime");
        task::yield_now().await;
        println!("{}", spindle::runtime::Handle::current().dump());
    });
    Ok(())
}
