//! `#[spindle::test(simulate = N)]`: the body runs under N seeds of `spindle::sim`,
//! derived from the test's name.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use spindle::task::yield_now;

#[spindle::test(simulate = 200)]
async fn simulated_counter_with_an_atomic_add_passes_every_seed() {
    let count = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..3 {
        let count = count.clone();
        handles.push(spindle::spawn(async move {
            yield_now().await;
            count.fetch_add(1, Ordering::SeqCst);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[spindle::test(simulate = 50)]
#[should_panic(expected = "SPINDLE_SEED=")]
async fn simulated_lost_update_fails_with_the_replay_command() {
    let count = Arc::new(spindle::sync::Mutex::new(0));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let count = count.clone();
        handles.push(spindle::spawn(async move {
            let seen = *count.lock().await;
            yield_now().await;
            *count.lock().await = seen + 1;
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(*count.lock().await, 2, "an update was lost");
}

#[test]
fn seeds_are_derived_from_the_name() {
    let a = spindle::sim::seeds_for("a_test", 10);
    assert_eq!(a, spindle::sim::seeds_for("a_test", 10));
    assert_ne!(a, spindle::sim::seeds_for("another_test", 10));
    assert_eq!(a.end - a.start, 10);
}
