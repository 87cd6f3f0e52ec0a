//! spindle's multi-thread runtime, spindle::sync and spindle::time.

tokio_like_adapter!(spindle);

/// Timers: `spindle::time::sleep`.
pub fn sleep(duration: std::time::Duration) -> spindle::time::Sleep {
    spindle::time::sleep(duration)
}

crate::workloads!();
crate::timer_workloads!();

/// IO: `spindle::net`, with the read/write extension traits of its streams.
pub use spindle::io::{AsyncReadExt, AsyncWriteExt};
pub use spindle::net::{TcpListener, TcpStream, UdpSocket};

crate::io_workloads!();

/// Every workload spindle runs.
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    let mut all = core_workloads();
    all.extend(timer_workloads());
    all.extend(io_workloads());
    all
}

impl Runtime {
    /// The same runtime with all four task hooks set to no-ops (issue 10): what
    /// the observability plumbing costs before a hook does any work.
    pub fn with_hooks(workers: usize) -> Runtime {
        let rt = spindle::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .on_task_spawn(|_| {})
            .on_task_terminate(|_| {})
            .on_before_task_poll(|_| {})
            .on_after_task_poll(|_| {})
            .build()
            .expect("build runtime");
        Runtime(rt)
    }
}
