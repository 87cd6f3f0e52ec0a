//! The deterministic simulation (`spindle::sim`) finds planted bugs in user-style code:
//! each buggy version fails within 1000 seeds, its printed seed replays the same failure
//! at the same step, and the fixed version passes every seed. A deadlock is reported as
//! such, naming both blocked tasks.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use spindle::sim::{self, FailureKind, Report};
use spindle::sync::{mpsc, oneshot, CancellationToken, Mutex, Notify};
use spindle::task::{self, yield_now};

mod support;

use support::{within, GENEROUS};

const SEEDS: std::ops::Range<u64> = 0..1000;

/// Asserts the bug is found within [`SEEDS`], and that replaying its seed alone fails
/// the same way at the same step.
fn found_and_replayed<M, F>(mut make: M) -> Report
where
    M: FnMut() -> F,
    F: Future,
{
    let report = sim::try_check(SEEDS, &mut make).expect_err("the planted bug was not found");
    assert!(report
        .text
        .contains(&format!("SPINDLE_SEED={}", report.seed)));
    let replay = sim::Builder::new()
        .seed(report.seed)
        .build()
        .unwrap()
        .try_block_on(make())
        .map(drop)
        .expect_err("the printed seed did not replay the failure");
    assert_eq!(replay.kind, report.kind);
    assert_eq!(
        replay.steps, report.steps,
        "the replay failed at another step"
    );
    assert_eq!(without_ids(&replay.message), without_ids(&report.message));
    report
}

/// `message` with the digits of task ids (global, so they differ between runs) removed.
fn without_ids(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("Id(") {
        out.push_str(&rest[..at + 3]);
        rest = rest[at + 3..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Two tasks read a counter, await, and write it back incremented.
async fn counter(fixed: bool) {
    let count = Arc::new(Mutex::new(0));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let count = count.clone();
        handles.push(spindle::spawn(async move {
            if fixed {
                let mut guard = count.lock().await;
                let seen = *guard;
                yield_now().await;
                *guard = seen + 1;
            } else {
                let seen = *count.lock().await;
                yield_now().await; // e.g. a call to another service
                *count.lock().await = seen + 1;
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(*count.lock().await, 2, "an update was lost");
}

#[test]
fn lost_update_across_an_await_is_found_and_replayed() {
    within(GENEROUS, || {
        let report = found_and_replayed(|| counter(false));
        assert_eq!(report.kind, FailureKind::Panic);
        assert!(report.message.contains("an update was lost"), "{report}");
    });
}

#[test]
fn lost_update_fixed_passes_every_seed() {
    within(GENEROUS, || sim::check(SEEDS, || counter(true)));
}

/// Two requests register the same user: check the map, await, insert.
async fn register_twice(fixed: bool) {
    let users: Arc<Mutex<HashMap<&str, u32>>> = Arc::default();
    let created = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for id in 0..2 {
        let users = users.clone();
        let created = created.clone();
        handles.push(spindle::spawn(async move {
            if fixed {
                let mut map = users.lock().await;
                if !map.contains_key("ada") {
                    yield_now().await;
                    map.insert("ada", id);
                    created.fetch_add(1, Ordering::SeqCst);
                }
            } else {
                let absent = !users.lock().await.contains_key("ada");
                if absent {
                    yield_now().await; // e.g. hashing the password
                    users.lock().await.insert("ada", id);
                    created.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
        // The second request arrives a little later: the bug needs the schedule
        // to interleave them.
        yield_now().await;
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(
        created.load(Ordering::SeqCst),
        1,
        "the user was created twice"
    );
}

#[test]
fn check_then_act_on_a_mutex_guarded_map_is_found_and_replayed() {
    within(GENEROUS, || {
        let report = found_and_replayed(|| register_twice(false));
        assert!(report.message.contains("created twice"), "{report}");
    });
}

#[test]
fn check_then_act_fixed_passes_every_seed() {
    within(GENEROUS, || sim::check(SEEDS, || register_twice(true)));
}

/// A waiter checks a flag, then waits on a `Notify`; the setter notifies waiters.
async fn notify_waiter(fixed: bool) {
    let ready = Arc::new(AtomicBool::new(false));
    let notify = Arc::new(Notify::new());
    let waiter = {
        let ready = ready.clone();
        let notify = notify.clone();
        spindle::spawn(async move {
            if fixed {
                let notified = notify.notified();
                let mut notified = std::pin::pin!(notified);
                notified.as_mut().enable();
                if !ready.load(Ordering::SeqCst) {
                    yield_now().await;
                    notified.await;
                }
            } else if !ready.load(Ordering::SeqCst) {
                yield_now().await; // e.g. logging that it waits
                notify.notified().await;
            }
        })
    };
    let setter = spindle::spawn(async move {
        ready.store(true, Ordering::SeqCst);
        notify.notify_waiters();
    });
    setter.await.unwrap();
    waiter.await.unwrap();
}

#[test]
fn lost_notify_notification_is_found_as_a_deadlock() {
    within(GENEROUS, || {
        let report = found_and_replayed(|| notify_waiter(false));
        assert_eq!(report.kind, FailureKind::Deadlock, "{report}");
    });
}

#[test]
fn notify_fixed_passes_every_seed() {
    within(GENEROUS, || sim::check(SEEDS, || notify_waiter(true)));
}

/// A server answers requests until shutdown; a client sends one request, then
/// shuts the server down and expects its answer.
async fn request_then_shutdown(fixed: bool) {
    let token = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<(u32, oneshot::Sender<u32>)>();
    let server = {
        let token = token.clone();
        spindle::spawn(async move {
            loop {
                spindle::select! {
                    _ = token.cancelled() => break,
                    Some((request, reply)) = rx.recv() => {
                        let _ = reply.send(request * 2);
                    }
                }
            }
            if fixed {
                // Answer what was accepted before shutting down.
                while let Ok((request, reply)) = rx.try_recv() {
                    let _ = reply.send(request * 2);
                }
            }
        })
    };
    let client = spindle::spawn(async move {
        let (reply_tx, reply_rx) = oneshot::channel();
        tx.send((21, reply_tx)).unwrap();
        yield_now().await;
        token.cancel();
        reply_rx.await.expect("the request was dropped at shutdown")
    });
    assert_eq!(client.await.unwrap(), 42);
    server.await.unwrap();
}

#[test]
fn request_shutdown_ordering_bug_is_found_and_replayed() {
    within(GENEROUS, || {
        let report = found_and_replayed(|| request_then_shutdown(false));
        assert!(report.message.contains("dropped at shutdown"), "{report}");
    });
}

#[test]
fn request_shutdown_fixed_passes_every_seed() {
    within(GENEROUS, || {
        sim::check(SEEDS, || request_then_shutdown(true))
    });
}

#[test]
fn oneshot_deadlock_is_reported_naming_both_tasks() {
    within(GENEROUS, || {
        let report = sim::Builder::new()
            .seed(7)
            .build()
            .unwrap()
            .try_block_on(async {
                let (to_alice, alice_rx) = oneshot::channel::<()>();
                let (to_bob, bob_rx) = oneshot::channel::<()>();
                let alice = task::Builder::new()
                    .name("alice")
                    .spawn(async move {
                        let _keep = to_bob;
                        alice_rx.await.ok();
                    })
                    .unwrap();
                let bob = task::Builder::new()
                    .name("bob")
                    .spawn(async move {
                        let _keep = to_alice;
                        bob_rx.await.ok();
                    })
                    .unwrap();
                alice.await.unwrap();
                bob.await.unwrap();
            })
            .expect_err("the deadlock was not reported");
        assert_eq!(report.kind, FailureKind::Deadlock);
        assert!(report.text.contains("deadlock"), "{report}");
        assert!(report.text.contains("\"alice\""), "{report}");
        assert!(report.text.contains("\"bob\""), "{report}");
        assert!(report.text.contains("sim_bugs.rs"), "{report}");
    });
}

#[test]
fn timers_advance_virtually_and_the_trace_replays() {
    within(GENEROUS, || {
        let run = |seed| {
            let sim = sim::Builder::new().seed(seed).build().unwrap();
            sim.block_on(async {
                let start = spindle::time::Instant::now();
                let mut handles = Vec::new();
                for i in 0..3u64 {
                    handles.push(spindle::spawn(async move {
                        spindle::time::sleep(std::time::Duration::from_secs(3600 * i)).await;
                        i
                    }));
                }
                let mut sum = 0;
                for handle in handles {
                    sum += handle.await.unwrap();
                }
                assert!(start.elapsed() >= std::time::Duration::from_secs(7200));
                sum
            })
        };
        assert_eq!(run(1), 3);
        assert_eq!(run(2), 3);
    });
}
