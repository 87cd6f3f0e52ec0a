//! Shared by the ecosystem tests: a deadline for each test, so a hang fails with the
//! test's name.

use std::future::Future;
use std::time::Duration;

/// Runs `test` on a fresh multi-thread runtime built through the patched `tokio`
/// crate, and fails if it takes longer than `limit`.
pub fn run_with_deadline<F: Future<Output = ()> + Send + 'static>(limit: Duration, test: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime builds");
    runtime.block_on(async move {
        if tokio::time::timeout(limit, test).await.is_err() {
            panic!("the test hung for {limit:?}");
        }
    });
}
