//! The options of `#[spindle::main]` and `#[spindle::test]` that tokio 1.54 has:
//! `flavor = "local"`, `name`, `unhandled_panic`, and `crate` for a renamed re-export.
//! Each test body runs under the attribute's own runtime; a hang there would show as
//! the test harness's timeout, so the bodies only await things that finish.

use std::rc::Rc;

use spindle::runtime::{Handle, RuntimeFlavor};

/// spindle under another name, as a program that renamed the dependency sees it.
mod renamed {
    pub use spindle as rt;
}

#[spindle::test(flavor = "local")]
async fn local_flavor_runs_not_send_futures_and_spawn_local() {
    let shared = Rc::new(20);
    let inner = shared.clone();
    let spawned = spindle::task::spawn_local(async move { *inner + 1 })
        .await
        .unwrap();
    assert_eq!(spawned + *shared, 41);
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
}

#[spindle::test(name = "named by the attribute")]
async fn name_option_names_the_runtime() {
    assert_eq!(Handle::current().name(), Some("named by the attribute"));
}

#[spindle::test(flavor = "multi_thread", worker_threads = 2, name = "pool")]
async fn name_option_works_on_the_multi_thread_flavor() {
    assert_eq!(Handle::current().name(), Some("pool"));
    assert_eq!(Handle::current().metrics().num_workers(), 2);
}

#[spindle::test(flavor = "current_thread", unhandled_panic = "shutdown_runtime")]
#[should_panic]
async fn unhandled_panic_shutdown_runtime_fails_the_test() {
    drop(spindle::spawn(async {
        panic!("nobody holds this task's result")
    }));
    // The runtime shuts down once the task has run; returning instead fails the test.
    for _ in 0..10_000 {
        spindle::task::yield_now().await;
    }
}

#[spindle::test(flavor = "current_thread", unhandled_panic = "ignore")]
async fn unhandled_panic_ignore_reports_the_panic_to_the_join_handle() {
    let result = spindle::spawn(async { panic!("reported to the handle") }).await;
    assert!(result.unwrap_err().is_panic());
}

#[renamed::rt::test(crate = "renamed::rt")]
async fn crate_option_expands_through_the_given_path() {
    assert_eq!(renamed::rt::spawn(async { 3 }).await.unwrap(), 3);
}

#[renamed::rt::main(crate = "renamed::rt", flavor = "local")]
async fn local_main() -> usize {
    let value = Rc::new(5);
    *value
}

#[test]
fn main_with_local_flavor_returns_its_value() {
    assert_eq!(local_main(), 5);
}
