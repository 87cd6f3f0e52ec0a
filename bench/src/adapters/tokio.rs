//! tokio's multi-thread runtime and tokio::sync.

tokio_like_adapter!(tokio);

/// Timers: `tokio::time::sleep`.
pub fn sleep(duration: std::time::Duration) -> tokio::time::Sleep {
    tokio::time::sleep(duration)
}

crate::workloads!();
crate::timer_workloads!();

/// Every workload tokio runs.
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    let mut all = core_workloads();
    all.extend(timer_workloads());
    all
}
