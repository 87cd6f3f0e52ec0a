//! tokio's multi-thread runtime and tokio::sync.

tokio_like_adapter!(tokio);

/// Timers: `tokio::time::sleep`.
pub fn sleep(duration: std::time::Duration) -> tokio::time::Sleep {
    tokio::time::sleep(duration)
}

crate::workloads!();
crate::timer_workloads!();

/// IO: `tokio::net`, with the read/write extension traits of its streams.
pub use tokio::io::{AsyncReadExt, AsyncWriteExt};
pub use tokio::net::{TcpListener, TcpStream, UdpSocket};

crate::io_workloads!();

/// Every workload tokio runs.
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    let mut all = core_workloads();
    all.extend(timer_workloads());
    all.extend(io_workloads());
    all
}
