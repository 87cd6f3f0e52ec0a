//! Runs the loom model's scenario with the planted bug on real threads many times and
//! counts how often `wait_idle` misses a finished job: the reason the bug needs loom.
//!
//! `cargo run --release -p spindle-loom-worker-pool --example planted_bug_on_threads`

use spindle_loom_worker_pool::Pool;

fn main() {
    const RUNS: usize = 20_000;
    let mut misses = 0;
    for _ in 0..RUNS {
        let pool = Pool::with_planted_bug(1);
        let results = futures::executor::block_on(async {
            pool.submit(|| some_work(1)).await;
            pool.submit(|| some_work(2)).await;
            pool.wait_idle().await
        });
        if results.len() != 2 {
            misses += 1;
        }
    }
    println!("planted bug seen in {misses} of {RUNS} runs on real threads");
}

/// A job that computes for a few microseconds, as real jobs do, and returns `id`.
fn some_work(id: u64) -> u64 {
    let sum: u64 = (0..5_000u64).map(std::hint::black_box).sum();
    assert_eq!(sum, 5_000 * 4_999 / 2);
    id
}
