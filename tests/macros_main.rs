//! `#[spindle::main]` and `#[spindle::test]`: each option changes the runtime the body
//! runs on, as seen from inside the body.
//!
//! `#[spindle::main]` works on any `async fn`, not only on `main`, so these tests call
//! attributed functions from ordinary `#[test]`s and assert what they report.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::Duration;

use spindle::runtime::{Handle, RuntimeFlavor};

fn current_flavor() -> RuntimeFlavor {
    Handle::current().runtime_flavor()
}

/// Spawns `tasks` tasks that each block their worker thread until all of them have
/// arrived, and reports whether they all met. They can only meet when the runtime has
/// at least `tasks` workers; the wait is bounded so a missing worker fails the test
/// instead of hanging it.
async fn blocking_tasks_meet(tasks: usize) -> bool {
    let arrivals = Arc::new((Mutex::new(0_usize), Condvar::new()));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let arrivals = Arc::clone(&arrivals);
            spindle::spawn(async move {
                let (count, all_arrived) = &*arrivals;
                let mut count = count.lock().unwrap();
                *count += 1;
                all_arrived.notify_all();
                let (count, _) = all_arrived
                    .wait_timeout_while(count, Duration::from_secs(10), |count| *count < tasks)
                    .unwrap();
                *count == tasks
            })
        })
        .collect();
    let mut all_met = true;
    for handle in handles {
        all_met &= handle.await.unwrap();
    }
    all_met
}

/// The distinct threads that `tasks` spawned tasks ran on.
async fn threads_running_tasks(tasks: usize) -> HashSet<ThreadId> {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            spindle::spawn(async {
                spindle::task::yield_now().await;
                thread::current().id()
            })
        })
        .collect();
    let mut threads = HashSet::new();
    for handle in handles {
        threads.insert(handle.await.unwrap());
    }
    threads
}

#[spindle::main]
async fn main_with_defaults() -> RuntimeFlavor {
    current_flavor()
}

#[test]
fn main_defaults_to_the_multi_thread_flavor() {
    assert_eq!(main_with_defaults(), RuntimeFlavor::MultiThread);
}

#[spindle::main(flavor = "current_thread")]
async fn main_on_current_thread() -> (RuntimeFlavor, ThreadId) {
    let spawned_on = spindle::spawn(async { thread::current().id() })
        .await
        .unwrap();
    (current_flavor(), spawned_on)
}

#[test]
fn main_current_thread_runs_tasks_on_the_calling_thread() {
    let (flavor, spawned_on) = main_on_current_thread();
    assert_eq!(flavor, RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_on, thread::current().id());
}

#[spindle::main(flavor = "multi_thread", worker_threads = 2)]
async fn main_with_two_workers() -> (RuntimeFlavor, bool, HashSet<ThreadId>) {
    (
        current_flavor(),
        blocking_tasks_meet(2).await,
        threads_running_tasks(200).await,
    )
}

#[test]
fn main_worker_threads_sets_the_number_of_workers() {
    let (flavor, two_met, threads) = main_with_two_workers();
    assert_eq!(flavor, RuntimeFlavor::MultiThread);
    assert!(
        two_met,
        "two blocked tasks could not run at once on 2 workers"
    );
    assert!(
        threads.len() <= 2,
        "tasks ran on {} threads with worker_threads = 2",
        threads.len()
    );
    assert!(!threads.contains(&thread::current().id()));
}

// `worker_threads` without `flavor` is enough for `main`, whose default is multi-thread.
#[spindle::main(worker_threads = 3)]
async fn main_with_three_workers() -> bool {
    blocking_tasks_meet(3).await
}

#[test]
fn main_worker_threads_alone_keeps_the_multi_thread_default() {
    assert!(main_with_three_workers());
}

#[spindle::main(flavor = "current_thread")]
async fn main_returning_result(text: &str) -> Result<u32, std::num::ParseIntError> {
    let parsed: u32 = text.parse()?;
    Ok(parsed + 1)
}

#[test]
fn main_body_can_use_question_mark_and_return_a_result() {
    assert_eq!(main_returning_result("41"), Ok(42));
    assert!(main_returning_result("forty-one").is_err());
}

#[spindle::test]
async fn test_defaults_to_the_current_thread_flavor() {
    assert_eq!(current_flavor(), RuntimeFlavor::CurrentThread);
    let test_thread = thread::current().id();
    let spawned_on = spindle::spawn(async { thread::current().id() })
        .await
        .unwrap();
    assert_eq!(spawned_on, test_thread);
}

#[spindle::test(flavor = "multi_thread")]
async fn test_multi_thread_flavor_runs_a_multi_thread_runtime() {
    assert_eq!(current_flavor(), RuntimeFlavor::MultiThread);
}

#[spindle::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_worker_threads_sets_the_number_of_workers() {
    assert!(blocking_tasks_meet(2).await);
    assert!(threads_running_tasks(200).await.len() <= 2);
}

#[spindle::test(flavor = "multi_thread", worker_threads = 1)]
async fn test_single_worker_runs_every_task_on_one_thread() {
    assert_eq!(threads_running_tasks(100).await.len(), 1);
}

#[spindle::test]
async fn test_can_return_a_result() -> Result<(), String> {
    let value = spindle::spawn(async { 5 })
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(value, 5);
    Ok(())
}

#[spindle::test]
#[should_panic(expected = "boom inside the test body")]
async fn test_panics_propagate_to_the_harness() {
    panic!("boom inside the test body");
}

// `start_paused = false` is the default, spelled out; it must be accepted.
#[spindle::test(start_paused = false)]
async fn test_start_paused_false_runs_like_the_default() {
    assert_eq!(current_flavor(), RuntimeFlavor::CurrentThread);
}

// `start_paused = true`: the clock starts paused, so a long sleep completes at once by
// auto-advance while the clock reports the whole hour as elapsed.
#[spindle::test(start_paused = true)]
async fn test_start_paused_starts_with_a_paused_clock() {
    let start = spindle::time::Instant::now();
    spindle::time::sleep(Duration::from_secs(3600)).await;
    assert!(start.elapsed() >= Duration::from_secs(3600));
}

/// A re-export of spindle under another path, as a crate that wraps spindle would
/// offer it. Its `Builder` counts the runtimes built through it, so the tests can tell
/// that the generated code used this path and not `::spindle`.
mod wrapper {
    pub mod runtime {
        use std::cell::Cell;
        use std::io;

        pub use spindle::runtime::Runtime;

        thread_local! {
            // Per thread, because the tests run in parallel and each builds its
            // runtime on its own thread.
            static BUILT: Cell<usize> = const { Cell::new(0) };
        }

        pub fn built_on_this_thread() -> usize {
            BUILT.with(Cell::get)
        }

        pub struct Builder(spindle::runtime::Builder);

        impl Builder {
            pub fn new_current_thread() -> Builder {
                Builder(spindle::runtime::Builder::new_current_thread())
            }

            pub fn new_multi_thread() -> Builder {
                Builder(spindle::runtime::Builder::new_multi_thread())
            }

            pub fn worker_threads(&mut self, count: usize) -> &mut Self {
                self.0.worker_threads(count);
                self
            }

            pub fn enable_all(&mut self) -> &mut Self {
                self.0.enable_all();
                self
            }

            pub fn build(&mut self) -> io::Result<Runtime> {
                BUILT.with(|built| built.set(built.get() + 1));
                self.0.build()
            }
        }
    }
}

/// A plain re-export, the common case for `crate = "..."`.
mod reexported {
    pub use spindle::*;
}

#[spindle::main(crate = "wrapper", flavor = "current_thread")]
async fn main_through_wrapper() -> RuntimeFlavor {
    current_flavor()
}

#[spindle::main(crate = "crate::wrapper", worker_threads = 1)]
async fn main_through_wrapper_multi_thread() -> RuntimeFlavor {
    current_flavor()
}

#[spindle::main(crate = "reexported")]
async fn main_through_reexport() -> u32 {
    reexported::spawn(async { 9 }).await.unwrap()
}

#[test]
fn main_crate_option_builds_the_runtime_through_the_given_path() {
    assert_eq!(main_through_wrapper(), RuntimeFlavor::CurrentThread);
    assert_eq!(
        main_through_wrapper_multi_thread(),
        RuntimeFlavor::MultiThread
    );
    assert_eq!(wrapper::runtime::built_on_this_thread(), 2);
    assert_eq!(main_through_reexport(), 9);
}

#[spindle::test(crate = "wrapper")]
async fn test_crate_option_builds_the_runtime_through_the_given_path() {
    assert_eq!(wrapper::runtime::built_on_this_thread(), 1);
    assert_eq!(current_flavor(), RuntimeFlavor::CurrentThread);
}
