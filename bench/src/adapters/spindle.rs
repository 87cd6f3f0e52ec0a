//! spindle's multi-thread runtime and spindle::sync.

tokio_like_adapter!(spindle);

crate::workloads!();

/// Every workload spindle runs.
///
/// TODO(timers): when `spindle::time` is public, add
/// `pub fn sleep(d: Duration) -> spindle::time::Sleep`, invoke
/// `crate::timer_workloads!()` and extend with `timer_workloads()` as tokio does.
pub fn workloads() -> Vec<crate::harness::Workload<Runtime>> {
    core_workloads()
}
