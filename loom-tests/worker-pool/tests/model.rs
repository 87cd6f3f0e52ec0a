//! The loom model of the worker pool: `wait_idle` returns, and sees every job submitted
//! before it. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p spindle-loom-worker-pool --release`.

#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use loom::future::block_on;
use spindle_loom_worker_pool::Pool;

/// Submits two jobs to a pool of two and waits for it to go idle.
fn two_jobs_then_wait_idle(pool: Pool) {
    block_on(async {
        pool.submit(|| 1).await;
        pool.submit(|| 2).await;
        let mut results = pool.wait_idle().await;
        results.sort_unstable();
        assert_eq!(results, [1, 2], "wait_idle missed a finished job");
    });
}

#[test]
fn wait_idle_returns_with_every_finished_job() {
    static ITERATIONS: AtomicUsize = AtomicUsize::new(0);
    loom::model(|| {
        ITERATIONS.fetch_add(1, Relaxed);
        two_jobs_then_wait_idle(Pool::new(2));
    });
    eprintln!(
        "loom explored {} interleavings of the correct pool",
        ITERATIONS.load(Relaxed)
    );
}

/// loom reports the lost wake-up as a deadlock: the waiting thread is blocked and
/// nothing is left to wake it. Unwinding that blocked thread drops spindle's `Notified`
/// after loom has torn its execution down, which aborts the process, so the model runs
/// in a child process (this test binary again) and the test checks what it reported.
#[test]
fn loom_finds_the_wake_up_lost_between_check_and_listen() {
    const CHILD: &str = "SPINDLE_WORKER_POOL_PLANTED_BUG_MODEL";
    if std::env::var_os(CHILD).is_some() {
        loom::model(|| two_jobs_then_wait_idle(Pool::with_planted_bug(2)));
        return;
    }
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let child = std::process::Command::new(test_binary)
        .args([
            "--exact",
            "loom_finds_the_wake_up_lost_between_check_and_listen",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the planted-bug model in a child process");
    let report = String::from_utf8_lossy(&child.stderr);
    assert!(
        !child.status.success(),
        "loom missed the planted bug:\n{report}"
    );
    let finding = report
        .lines()
        .find(|line| line.starts_with("deadlock"))
        .unwrap_or_else(|| panic!("expected loom's deadlock report, got:\n{report}"));
    eprintln!("loom's finding on the planted bug: {finding}");
}
