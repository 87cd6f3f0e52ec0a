//! Runs the loom model's scenario with the planted bug on real threads many times and
//! counts how often the lost wake-up strikes: the reason the bug needs loom. A run
//! whose `wait_idle` has not returned within a second counts as hung (the real bug
//! would wait forever).
//!
//! `cargo run --release -p spindle-loom-worker-pool --example planted_bug_on_threads`

use std::time::Duration;

use spindle_loom_worker_pool::Pool;

fn main() {
    const RUNS: usize = 20_000;
    let runtime = spindle::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let mut hung = 0;
    for _ in 0..RUNS {
        let pool = Pool::with_planted_bug(2);
        let finished = runtime.block_on(async {
            pool.submit(|| 1).await;
            pool.submit(|| 2).await;
            spindle::time::timeout(Duration::from_secs(1), pool.wait_idle()).await
        });
        if finished.is_err() {
            hung += 1;
        }
    }
    println!("planted bug struck in {hung} of {RUNS} runs on real threads");
}
