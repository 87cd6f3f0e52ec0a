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
