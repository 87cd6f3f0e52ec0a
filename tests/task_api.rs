//! tokio's task API on spindle: `task::coop`, `JoinSet`'s id-returning joins, local
//! spawns and `FromIterator`/`Extend`, `LocalSet::{enter, id}`, `LocalKey::try_get`,
//! `TaskLocalFuture::take_value`, and `block_in_place` outside the runtime's budget.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use spindle::runtime::Builder;
use spindle::task::coop::{self, cooperative, has_budget_remaining};
use spindle::task::{self, JoinSet, LocalSet};

mod support;

use support::{within, Flavour, GENEROUS};

/// Always ready: only the budget can make a loop over it yield.
struct AlwaysReady;

impl Future for AlwaysReady {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Ready(())
    }
}

fn cooperative_future_spends_budget_until_the_task_yields(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            spindle::spawn(async {
                assert!(has_budget_remaining());
                let mut completed = 0;
                while has_budget_remaining() {
                    cooperative(AlwaysReady).await;
                    completed += 1;
                }
                assert_eq!(completed, 128, "one unit per completed wrapper");
                // Polled with no budget left, the wrapper yields before its inner future.
                let mut wrapped = std::pin::pin!(cooperative(AlwaysReady));
                let first = std::future::poll_fn(|cx| Poll::Ready(wrapped.as_mut().poll(cx))).await;
                assert!(first.is_pending());
                wrapped.await; // the next poll is in a fresh budget
                assert!(has_budget_remaining());
            })
            .await
            .unwrap();
        });
    });
}

fn coop_poll_proceed_refunds_without_progress(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            spindle::spawn(async {
                for _ in 0..1000 {
                    // Dropped without made_progress: refunded each time.
                    let guard = std::future::poll_fn(coop::poll_proceed).await;
                    drop(guard);
                }
                assert!(has_budget_remaining());
                for _ in 0..128 {
                    coop::consume_budget().await;
                }
                assert!(!has_budget_remaining());
                let inside = coop::unconstrained(async { has_budget_remaining() }).await;
                assert!(inside);
                let _: Option<coop::RestoreOnPending> = None;
            })
            .await
            .unwrap();
        });
    });
}

fn join_next_with_id_returns_the_finished_tasks_id(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let ok = set.spawn(async { 1 }).id();
            let failed = set.spawn(async { panic!("boom") }).id();
            let mut seen_ok = None;
            let mut seen_failed = None;
            while let Some(result) = set.join_next_with_id().await {
                match result {
                    Ok((id, value)) => seen_ok = Some((id, value)),
                    Err(error) => seen_failed = Some(error.id()),
                }
            }
            assert_eq!(seen_ok, Some((ok, 1)));
            assert_eq!(seen_failed, Some(failed));
        });
    });
}

fn try_join_next_with_id_returns_only_finished_tasks(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            let mut set: JoinSet<u32> = JoinSet::new();
            assert!(set.try_join_next_with_id().is_none());
            let (tx, rx) = spindle::sync::oneshot::channel();
            let id = set.spawn(async move { rx.await.unwrap() }).id();
            assert!(
                set.try_join_next_with_id().is_none(),
                "the task is still waiting"
            );
            tx.send(9).unwrap();
            let polled = std::future::poll_fn(|cx| set.poll_join_next_with_id(cx)).await;
            assert_eq!(polled.unwrap().unwrap(), (id, 9));
            assert!(set.try_join_next_with_id().is_none());
        });
    });
}

fn join_set_collects_and_extends_from_futures(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            let mut set: JoinSet<u32> = (1..=3).map(|n| async move { n }).collect();
            set.extend((4..=5).map(|n| async move { n }));
            assert_eq!(set.len(), 5);
            let mut outputs = set.join_all().await;
            outputs.sort_unstable();
            assert_eq!(outputs, [1, 2, 3, 4, 5]);
        });
    });
}

flavour_tests!(
    cooperative_future_spends_budget_until_the_task_yields,
    coop_poll_proceed_refunds_without_progress,
    join_next_with_id_returns_the_finished_tasks_id,
    try_join_next_with_id_returns_only_finished_tasks,
    join_set_collects_and_extends_from_futures,
    a_spawn_beside_a_pending_run_until_wakes_the_set,
);

#[test]
fn join_set_spawns_not_send_futures_on_a_local_set() {
    within(GENEROUS, || {
        let rt = Builder::new_current_thread().build().unwrap();
        let local = LocalSet::new();
        let mut set = JoinSet::new();
        let outside = Rc::new(40);
        set.spawn_local_on(async move { *outside }, &local);
        let total = local.block_on(&rt, async move {
            let inside = Rc::new(2);
            set.spawn_local(async move { *inside });
            set.join_all().await.into_iter().sum::<i32>()
        });
        assert_eq!(total, 42);
    });
}

#[test]
fn local_set_enter_makes_spawn_local_work_outside_run_until() {
    within(GENEROUS, || {
        let rt = Builder::new_current_thread().build().unwrap();
        let local = LocalSet::new();
        let task = {
            let _entered = local.enter();
            task::spawn_local(async { Rc::new("local") })
        };
        let caught = std::panic::catch_unwind(|| {
            task::spawn_local(async {});
        });
        assert!(caught.is_err(), "the guard was dropped: no set is current");
        assert_eq!(*local.block_on(&rt, task).unwrap(), "local");
    });
}

#[test]
fn local_set_ids_are_unique() {
    let ids: HashSet<_> = (0..4).map(|_| LocalSet::new().id()).collect();
    assert_eq!(ids.len(), 4);
    let local = LocalSet::new();
    assert_eq!(local.id(), local.id());
}

spindle::task_local! {
    static REQUEST: u32;
}

#[test]
fn task_local_try_get_and_take_value() {
    within(GENEROUS, || {
        let rt = Flavour::CurrentThread.runtime();
        rt.block_on(async {
            assert!(REQUEST.try_get().is_err());
            REQUEST
                .scope(5, async { assert_eq!(REQUEST.try_get().unwrap(), 5) })
                .await;

            let mut scoped: Pin<Box<task::futures::TaskLocalFuture<u32, _>>> =
                Box::pin(REQUEST.scope(6, async { REQUEST.try_get().is_err() }));
            assert_eq!(scoped.as_mut().take_value(), Some(6));
            assert_eq!(scoped.as_mut().take_value(), None);
            assert!(scoped.await, "the value was taken before the first poll");
        });
    });
}

#[test]
fn block_in_place_inside_block_on_may_enter_a_current_thread_runtime() {
    within(GENEROUS, || {
        let outer = Flavour::MultiThread.runtime();
        let output = outer.block_on(async {
            task::block_in_place(|| {
                let inner = Builder::new_current_thread().build().unwrap();
                inner.block_on(async { 7 })
            })
        });
        assert_eq!(output, 7);
    });
}

fn drain_200_messages_on_a_foreign_executor() -> usize {
    let (tx, mut rx) = spindle::sync::mpsc::unbounded_channel();
    for i in 0..200 {
        tx.send(i).unwrap();
    }
    drop(tx);
    futures::executor::block_on(async move {
        let mut received = 0;
        while rx.recv().await.is_some() {
            received += 1;
        }
        received
    })
}

#[test]
fn block_in_place_on_a_worker_is_outside_the_tasks_budget() {
    within(GENEROUS, || {
        let rt = Flavour::MultiThread.runtime();
        let received = rt.block_on(async {
            spindle::spawn(async { task::block_in_place(drain_200_messages_on_a_foreign_executor) })
                .await
                .unwrap()
        });
        assert_eq!(received, 200);
    });
}

#[test]
fn block_in_place_in_block_on_is_outside_the_budget() {
    within(GENEROUS, || {
        let rt = Flavour::MultiThread.runtime();
        let received =
            rt.block_on(async { task::block_in_place(drain_200_messages_on_a_foreign_executor) });
        assert_eq!(received, 200);
    });
}

#[test]
fn an_unawaited_blocking_task_lets_a_paused_clock_advance_when_it_finishes() {
    for flavour in [Flavour::CurrentThread, Flavour::MultiThread] {
        within(GENEROUS, move || {
            let rt = flavour.paused_runtime();
            rt.block_on(async {
                let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
                let blocking = task::spawn_blocking(move || release_rx.recv_timeout(GENEROUS));
                let started = spindle::time::Instant::now();
                let sleeper = spindle::spawn(async move {
                    // An hour of paused time: reached at once by auto-advance, but only
                    // after the blocking task is done.
                    spindle::time::sleep(std::time::Duration::from_secs(3600)).await;
                });
                spindle::task::yield_now().await;
                assert!(
                    !sleeper.is_finished(),
                    "no advance while blocking work runs"
                );
                release_tx.send(()).unwrap();
                sleeper.await.unwrap();
                assert!(started.elapsed() >= std::time::Duration::from_secs(3600));
                blocking.await.unwrap().unwrap();
            });
        });
    }
}

#[test]
fn a_future_whose_poll_panics_is_dropped_while_the_panic_unwinds() {
    struct Boom(Option<std::sync::mpsc::Sender<bool>>);
    impl Future for Boom {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            panic!("boom");
        }
    }
    impl Drop for Boom {
        fn drop(&mut self) {
            if let Some(report) = self.0.take() {
                let _ = report.send(std::thread::panicking());
            }
        }
    }
    for flavour in [Flavour::CurrentThread, Flavour::MultiThread] {
        within(GENEROUS, move || {
            let rt = flavour.runtime();
            let (tx, rx) = std::sync::mpsc::channel();
            let error = rt.block_on(rt.spawn(Boom(Some(tx)))).unwrap_err();
            assert!(error.is_panic());
            assert!(
                rx.recv_timeout(GENEROUS).unwrap(),
                "dropped during the unwind"
            );
        });
    }
}

/// On the current-thread runtime only: there the driver is polled by the one thread,
/// so the number of yields before the accept is seen does not depend on timing.
#[test]
fn a_yielding_task_runs_again_only_after_the_driver_saw_pending_io() {
    within(GENEROUS, move || {
        let rt = Flavour::CurrentThread.runtime();
        rt.block_on(async {
            spindle::spawn(async {
                let listener = spindle::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap();
                let address = listener.local_addr().unwrap();
                // Connected before the loop: the accept is ready once the driver looks.
                let _client = std::net::TcpStream::connect(address).unwrap();
                let accepted = std::sync::atomic::AtomicBool::new(false);
                let mut yields = 0;
                spindle::join!(
                    async {
                        while !accepted.load(std::sync::atomic::Ordering::SeqCst) {
                            task::yield_now().await;
                            yields += 1;
                            assert!(yields < 10, "yield_now was not deferred to a driver poll");
                        }
                    },
                    async {
                        listener.accept().await.unwrap();
                        accepted.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                );
            })
            .await
            .unwrap();
        });
    });
}

fn a_spawn_beside_a_pending_run_until_wakes_the_set(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        rt.block_on(async {
            let local = LocalSet::new();
            let run = local.run_until(std::future::pending::<()>());
            let spawned = async { local.spawn_local(async { 3 }).await.unwrap() };
            spindle::select! {
                _ = run => unreachable!("run_until of a pending future never ends"),
                value = spawned => assert_eq!(value, 3),
            }
        });
    });
}

#[test]
fn block_in_place_inside_a_local_set_panics_naming_the_rule() {
    within(GENEROUS, || {
        let rt = Flavour::MultiThread.runtime();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(LocalSet::new().run_until(async { task::block_in_place(|| ()) }))
        }));
        let message = support::panic_message(caught.unwrap_err());
        assert!(
            message.contains("can call blocking only when running on the multi-threaded runtime"),
            "{message}"
        );
    });
}

#[test]
fn a_task_may_yield_after_block_in_place_handed_its_worker_away() {
    within(GENEROUS, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let output = rt.block_on(async {
            spindle::spawn(async {
                task::block_in_place(|| ());
                // This thread has no core now: the yield must still be scheduled.
                task::yield_now().await;
                "resumed"
            })
            .await
            .unwrap()
        });
        assert_eq!(output, "resumed");
    });
}
