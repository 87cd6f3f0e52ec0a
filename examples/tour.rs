//! A tour of spindle: asyncio's classic demos redone in Rust, one after another, each
//! under a short header, then a few of the extras asyncio users look for.
//!
//! Run it with `cargo run --release --example tour` (about 20 s). Each demo is also an
//! example of its own (`cargo run --release --example gather`, ...), and all of them
//! live in `examples/demos/`, one module each, so the tour and the examples share one
//! copy. `SPINDLE_DEMO_SCALE=0.1` runs the timed demos ten times faster, `0` on virtual
//! time. The HTTP demo needs the `hyper` feature:
//! `cargo run --release --features hyper --example tour`.

#[path = "demos/mod.rs"]
mod demos;

use std::time::{Duration, Instant};

use spindle::sync::oneshot;
use spindle::task;
use spindle::time;

/// One stop of the tour: its header, what it shows, and how to run it. Each stop builds
/// its own runtime, as each asyncio demo calls `asyncio.run`.
struct Stop {
    title: &'static str,
    shows: &'static str,
    run: fn(),
}

fn stops() -> Vec<Stop> {
    let mut stops = vec![
        Stop {
            title: "gather",
            shows: "asyncio.gather: fetches of 2 s and 1 s take 2 s together, the shorter done first",
            run: || demos::timer_runtime().block_on(demos::gather::run()),
        },
        Stop {
            title: "count",
            shows: "countasync.py: One One One, Two Two Two in 1 s; sequentially 3 s",
            run: || demos::timer_runtime().block_on(demos::count::run()),
        },
        Stop {
            title: "chained",
            shows: "chained.py: dependent steps in order within a chain, chains side by side",
            run: || demos::timer_runtime().block_on(demos::chained::run()),
        },
        Stop {
            title: "queue",
            shows: "asyncq.py: producers and consumers over a work queue, then Queue::join",
            run: || demos::timer_runtime().block_on(demos::queue::run()),
        },
        Stop {
            title: "chess",
            shows: "a simultaneous exhibition: 24 boards, 12 h one at a time, 1 h at once",
            run: || demos::timer_runtime().block_on(demos::chess::run()),
        },
        Stop {
            title: "subprocess",
            shows: "child processes side by side, and a conversation over pipes",
            run: || demos::io_runtime().block_on(demos::subprocess::run()),
        },
        Stop {
            title: "blocking",
            shows: "a blocking call in a task, caught by slow-poll detection, fixed with spawn_blocking",
            run: demos::blocking::run,
        },
        Stop {
            title: "echo_server",
            shows: "start_server/open_connection: a TCP echo server and three clients",
            run: || {
                demos::io_runtime()
                    .block_on(demos::echo::run())
                    .expect("echo demo")
            },
        },
    ];
    #[cfg(feature = "hyper")]
    stops.push(Stop {
        title: "http_server",
        shows: "hyper 1.x on spindle: HTTP/1.1 and HTTP/2, no tokio runtime",
        run: || {
            demos::io_runtime()
                .block_on(demos::http::run())
                .expect("http demo")
        },
    });
    stops.push(Stop {
        title: "extras",
        shows: "wait_for, Task.cancel, exceptions, call_soon_threadsafe, all_tasks",
        run: || demos::io_runtime().block_on(extras()),
    });
    stops
}

fn main() {
    let started = Instant::now();
    let stops = stops();
    for (number, stop) in stops.iter().enumerate() {
        println!(
            "\n== {}/{} {}: {} ==",
            number + 1,
            stops.len(),
            stop.title,
            stop.shows
        );
        (stop.run)();
    }
    if cfg!(not(feature = "hyper")) {
        println!("\n(the http_server demo needs the hyper feature: --features hyper)");
    }
    println!(
        "\ntour finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The asyncio features that need no demo of their own, one line each.
async fn extras() {
    let timed_out = time::timeout(Duration::from_millis(50), std::future::pending::<()>()).await;
    println!("wait_for: a timeout around a future that never finishes gave {timed_out:?}");

    let forever = spindle::spawn(std::future::pending::<()>());
    forever.abort();
    let error = forever.await.expect_err("aborted");
    println!("Task.cancel: awaiting an aborted task gives {error:?}");

    let error = spindle::spawn(async { panic!("oops") })
        .await
        .expect_err("panicked");
    println!("exceptions: a panicking task does not take the runtime down: {error}");

    let handle = spindle::runtime::Handle::current();
    let (sender, receiver) = oneshot::channel();
    std::thread::spawn(move || {
        handle.spawn(async move {
            let _ = sender.send(task::id());
        });
    });
    let id = receiver.await.expect("sent");
    println!("call_soon_threadsafe: task {id} ran, spawned from a plain thread through a Handle");

    let _idle = task::Builder::new()
        .name("idle-listener")
        .spawn(std::future::pending::<()>())
        .expect("inside the runtime");
    task::yield_now().await;
    println!("all_tasks: the live task list, Handle::dump():");
    println!("{}", spindle::runtime::Handle::current().dump());
}
