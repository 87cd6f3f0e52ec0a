//! An axum 0.8 hello-world for the real-client benchmarks (`bench/real-clients.sh`,
//! workload `axum`): the same source built twice, on spindle through the
//! `[patch.crates-io]` of this workspace (`axum_spindle`), and on the real tokio by
//! `bench/axum-tokio` (`axum_tokio`), so wrk sees the runtime and nothing else.
//!
//! It takes the options of the other real-client servers (`--workers`, `--address`,
//! `--exit-after`), prints `http1=ADDRESS` once bound, and serves `GET /` with
//! `Hello, World!` until killed or the deadline passes.

use axum::routing::get;
use axum::Router;

#[path = "../../bench/examples/real/options.rs"]
mod options;

fn main() {
    let options = options::parse("axum_hello");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers)
        .enable_all()
        .build()
        .expect("building the runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.address)
            .await
            .expect("binding the HTTP port");
        println!("http1={}", listener.local_addr().expect("the bound address"));
        let app = Router::new().route("/", get(|| async { "Hello, World!" }));
        let deadline = tokio::time::sleep(options.exit_after);
        axum::serve(listener, app)
            .with_graceful_shutdown(deadline)
            .await
            .expect("serving");
    });
    // Open keep-alive connections may still be in hyper's hands; do not wait for them.
    runtime.shutdown_background();
}
