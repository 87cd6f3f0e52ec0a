//! asyncio's most common pitfall: a blocking call inside a task. It stalls the worker
//! it runs on, and every task queued behind it, for as long as it blocks.
//!
//! asyncio's debug mode warns about callbacks slower than 100 ms; spindle does the
//! same for every runtime ([`Builder::slow_poll_threshold`]), naming the task and where
//! it was spawned while it is still blocking. The demo makes the mistake (a 500 ms
//! `std::thread::sleep` inside a task on a one-worker runtime), shows the report, then
//! fixes it by moving the call into [`spawn_blocking`], where nothing is reported and
//! a ticker task on the worker keeps ticking meanwhile.
//!
//! These durations are not scaled: the watchdog measures real time, and the call has
//! to block well past the threshold to be caught on a busy machine.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use spindle::runtime::{Builder, SlowPoll};
use spindle::task::{self, spawn_blocking};
use spindle::time::{interval, Instant};

use super::show;

const THRESHOLD: Duration = Duration::from_millis(100);
const BLOCKING_CALL: Duration = Duration::from_millis(500);
/// A bound on waiting for the watchdog's last word about a poll, so the demo ends even
/// on a machine too loaded for the watchdog to run.
const REPORT_BOUND: Duration = Duration::from_secs(10);

/// Ticks every 50 ms until aborted, counting in `ticks`: a stalled worker shows as a
/// count far below elapsed / 50 ms.
fn spawn_ticker(ticks: Arc<AtomicU32>) -> task::JoinHandle<()> {
    task::Builder::new()
        .name("ticker")
        .spawn(async move {
            let mut every_50_ms = interval(Duration::from_millis(50));
            loop {
                every_50_ms.tick().await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
        .expect("inside the runtime")
}

/// Runs `fetch` as a task named `name`, while a ticker shares the worker, and prints
/// the slow-poll reports about it, waiting for the report of the poll's end if the
/// watchdog saw it begin.
async fn run_beside_ticker<F>(name: &str, fetch: F, reports: &Mutex<mpsc::Receiver<SlowPoll>>)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let ticks = Arc::new(AtomicU32::new(0));
    let ticker = spawn_ticker(ticks.clone());
    let started = Instant::now();
    task::Builder::new()
        .name(name)
        .spawn(fetch)
        .expect("inside the runtime")
        .await
        .expect("the fetch finished");
    ticker.abort();
    println!(
        "  {name} took {}; meanwhile the 50 ms ticker on the worker ticked {} times",
        show(started.elapsed()),
        ticks.load(Ordering::Relaxed)
    );

    let reports = reports.lock().expect("reports lock");
    let mut reported = 0;
    // A report while the poll blocked is followed by one when it ended.
    loop {
        let report = match reports.try_recv() {
            Ok(report) => report,
            Err(_) if reported == 0 => break,
            Err(_) => match reports.recv_timeout(REPORT_BOUND) {
                Ok(report) => report,
                Err(_) => break,
            },
        };
        reported += 1;
        println!("  slow poll reported: {report}");
        if !report.still_running {
            break;
        }
    }
    println!("  {reported} slow-poll reports about {name}");
}

/// Runs the demo on its own runtime (it needs one worker and the slow-poll hook).
pub fn run() {
    let (report_sender, reports) = mpsc::channel();
    let report_sender = Mutex::new(report_sender);
    let runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .slow_poll_threshold(Some(THRESHOLD))
        .on_slow_poll(move |report| {
            let _ = report_sender
                .lock()
                .expect("sender lock")
                .send(report.clone());
        })
        .build()
        .expect("a runtime: threads and an event poller could not be created");
    let reports = Mutex::new(reports);

    runtime.block_on(async {
        println!(
            "the mistake: std::thread::sleep({}) inside a task, on the only worker",
            show(BLOCKING_CALL)
        );
        let blocking = async { std::thread::sleep(BLOCKING_CALL) };
        run_beside_ticker("blocking-fetch", blocking, &reports).await;

        println!("the fix: the same call through spawn_blocking, on the blocking pool");
        let fixed = async {
            spawn_blocking(|| std::thread::sleep(BLOCKING_CALL))
                .await
                .expect("the blocking call ran");
        };
        run_beside_ticker("fixed-fetch", fixed, &reports).await;
    });
}
