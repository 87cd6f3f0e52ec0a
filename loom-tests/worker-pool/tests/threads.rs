//! The same scenario as the loom model, on real threads: what an ordinary test run
//! checks. It passes for the correct pool; for the planted bug it passes too, nearly
//! always, which is why the loom model exists (`examples/planted_bug_on_threads.rs`
//! counts how rarely real threads hit it).

#![cfg(not(loom))]

use spindle_loom_worker_pool::Pool;

#[test]
fn wait_idle_returns_with_every_finished_job_on_real_threads() {
    for _ in 0..200 {
        let pool = Pool::new(2);
        let mut results = futures::executor::block_on(async {
            for job in 0..8 {
                pool.submit(move || job).await;
            }
            pool.wait_idle().await
        });
        results.sort_unstable();
        assert_eq!(results, (0..8).collect::<Vec<_>>());
    }
}
