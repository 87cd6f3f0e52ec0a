//! A tour of spindle: the asyncio ideas it grew from, one short demo each.
//!
//! Run it with `cargo run --release --example tour`.

use std::time::{Duration, Instant};

use spindle::runtime::Runtime;
use spindle::sync::{mpsc, oneshot};
use spindle::task;

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
    });
    Ok(())
}
