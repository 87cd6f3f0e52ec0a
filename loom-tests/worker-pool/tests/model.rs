//! The loom model of the worker pool: `wait_idle` must see every job submitted
//! before it. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p spindle-loom-worker-pool --release`.

#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use loom::future::block_on;
use spindle_loom_worker_pool::Pool;

/// Submits two jobs to a pool of one and waits for it to go idle.
fn two_jobs_then_wait_idle(pool: Pool) {
    block_on(async {
        pool.submit(|| 1).await;
        pool.submit(|| 2).await;
        let mut results = pool.wait_idle().await;
        results.sort_unstable();
        assert_eq!(results, [1, 2], "wait_idle lost a finished job");
    });
}

#[test]
fn wait_idle_sees_every_finished_job() {
    static ITERATIONS: AtomicUsize = AtomicUsize::new(0);
    loom::model(|| {
        ITERATIONS.fetch_add(1, Relaxed);
        two_jobs_then_wait_idle(Pool::new(1));
    });
    eprintln!(
        "loom explored {} interleavings of the correct pool",
        ITERATIONS.load(Relaxed)
    );
}

#[test]
#[should_panic(expected = "wait_idle lost a finished job")]
fn loom_finds_the_permit_released_before_the_result_is_recorded() {
    loom::model(|| two_jobs_then_wait_idle(Pool::with_planted_bug(1)));
}
