//! spindle's multi-thread runtime, spindle::sync and spindle::time.

tokio_like_adapter!(spindle);

/// Timers: `spindle::time::sleep`.
pub fn sleep(duration: std::time::Duration) -> spindle::time::Sleep {
    spindle::time::sleep(duration)
}

crate::workloads!();
crate::timer_workloads!();

/// Every workload spindle runs.
///
/// TODO(io): when `spindle::net` is public, add the IO adapter pieces and extend
/// with `io_workloads()` (see `workloads.rs`).
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    let mut all = core_workloads();
    all.extend(timer_workloads());
    all
}
