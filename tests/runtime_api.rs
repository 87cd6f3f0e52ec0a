//! tokio's runtime API on spindle: ids and names, metrics under tokio's names,
//! `worker_index`, `LocalRuntime`, `is_rt_shutdown_err`, `TryCurrentError`, and the
//! misuse a runtime dropped inside another runtime is.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use spindle::runtime::{self, Builder, Handle, LocalOptions, LocalRuntime, Runtime};
use spindle::task;

mod support;

use support::{within, Flavour, GENEROUS};

fn handle_id_is_stable_and_differs_between_runtimes(flavour: Flavour) {
    within(GENEROUS, move || {
        let first = flavour.runtime();
        let second = flavour.runtime();
        let inside = first.block_on(async { Handle::current().id() });
        assert_eq!(inside, first.handle().id());
        assert_ne!(first.handle().id(), second.handle().id());
        assert_eq!(
            first.handle().id().to_string(),
            format!("{}", first.handle().id())
        );
    });
}

fn builder_name_is_the_handle_name(flavour: Flavour) {
    within(GENEROUS, move || {
        let named = flavour.builder().name("ingest").build().unwrap();
        assert_eq!(named.handle().name(), Some("ingest"));
        assert_eq!(flavour.runtime().handle().name(), None);
    });
}

fn worker_index_is_a_worker_number_on_workers_only(flavour: Flavour) {
    within(GENEROUS, move || {
        let rt = flavour.runtime();
        let workers = rt.metrics().num_workers();
        let in_task = rt
            .block_on(async { spindle::spawn(async { runtime::worker_index() }).await })
            .unwrap();
        let index = in_task.expect("a spawned task runs on a worker");
        assert!(index < workers, "{index} >= {workers}");
        let on_blocking_pool = rt
            .block_on(rt.spawn_blocking(runtime::worker_index))
            .unwrap();
        assert_eq!(on_blocking_pool, None);
        assert_eq!(runtime::worker_index(), None);
    });
}

fn park_unpark_count_grows_by_two_per_park_and_is_even_while_running(flavour: Flavour) {
    within(GENEROUS, move || {
        let (parked_tx, parked_rx) = mpsc::channel::<()>();
        let parked_tx = std::sync::Mutex::new(parked_tx);
        let rt = flavour
            .builder()
            .enable_all()
            .on_thread_park(move || {
                let _ = parked_tx.lock().unwrap().send(());
            })
            .build()
            .unwrap();
        rt.block_on(async {
            // Finishes only once a worker has parked, so the runtime must park first.
            let parked = spindle::task::spawn_blocking(move || parked_rx.recv_timeout(GENEROUS));
            spindle::spawn(async move { parked.await.unwrap().unwrap() })
                .await
                .unwrap();
            let metrics = Handle::current().metrics();
            let parks: u64 = (0..metrics.num_workers())
                .map(|worker| metrics.worker_park_count(worker))
                .sum();
            assert!(parks >= 1, "a worker parked");
            let _busy: Duration = (0..metrics.num_workers())
                .map(|worker| metrics.worker_total_busy_duration(worker))
                .sum();
        });
        // On the current-thread runtime the driving thread is running right now.
        if let Flavour::CurrentThread = flavour {
            let metrics = rt.metrics();
            rt.block_on(async {
                let count = metrics.worker_park_unpark_count(0);
                assert_eq!(count % 2, 0, "even while the worker runs");
                assert_eq!(count, 2 * metrics.worker_park_count(0));
            });
        }
    });
}

flavour_tests!(
    handle_id_is_stable_and_differs_between_runtimes,
    builder_name_is_the_handle_name,
    worker_index_is_a_worker_number_on_workers_only,
    park_unpark_count_grows_by_two_per_park_and_is_even_while_running,
);

#[test]
fn worker_index_on_the_multi_thread_block_on_thread_is_none() {
    within(GENEROUS, || {
        let rt = Flavour::MultiThread.runtime();
        assert_eq!(rt.block_on(async { runtime::worker_index() }), None);
    });
}

#[test]
fn try_current_outside_a_runtime_reports_missing_context() {
    let error = Handle::try_current().unwrap_err();
    assert!(error.is_missing_context());
    assert!(!error.is_thread_local_destroyed());
}

#[test]
fn try_current_from_a_thread_local_destructor_reports_it_destroyed() {
    struct ReportOnDrop(Option<mpsc::Sender<(bool, bool)>>);
    impl Drop for ReportOnDrop {
        fn drop(&mut self) {
            if let Some(report) = self.0.take() {
                let outcome = match Handle::try_current() {
                    Ok(_) => (false, false),
                    Err(error) => (
                        error.is_missing_context(),
                        error.is_thread_local_destroyed(),
                    ),
                };
                let _ = report.send(outcome);
            }
        }
    }
    thread_local! {
        static REPORTER: std::cell::RefCell<ReportOnDrop> =
            const { std::cell::RefCell::new(ReportOnDrop(None)) };
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // The runtime context is initialised after REPORTER, so it is destroyed first.
        REPORTER.with(|reporter| reporter.borrow_mut().0 = Some(tx));
        let _ = Handle::try_current();
    })
    .join()
    .unwrap();
    let (missing, destroyed) = rx.recv_timeout(GENEROUS).unwrap();
    // Either order of destruction is allowed by std; the two flags never agree.
    assert_ne!(missing, destroyed);
}

#[test]
fn io_after_the_runtime_shut_down_is_a_shutdown_error() {
    within(GENEROUS, || {
        let rt = Flavour::CurrentThread.runtime();
        let listener = rt
            .block_on(spindle::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        drop(rt);
        let other = Flavour::CurrentThread.runtime();
        let error = other.block_on(listener.accept()).unwrap_err();
        assert!(runtime::is_rt_shutdown_err(&error), "{error}");
        assert!(!runtime::is_rt_shutdown_err(&std::io::Error::other(
            "connection reset"
        )));
    });
}

#[test]
fn dropping_a_runtime_inside_a_runtime_panics_naming_the_misuse() {
    within(GENEROUS, || {
        let outer = Flavour::MultiThread.runtime();
        let caught = catch_unwind(AssertUnwindSafe(|| {
            outer.block_on(async {
                let _inner = Builder::new_current_thread().build().unwrap();
            })
        }));
        let payload = caught.expect_err("dropping a runtime inside block_on must panic");
        let message = payload
            .downcast_ref::<&'static str>()
            .expect("the payload is a &'static str, as tokio's");
        assert!(message.contains("Cannot drop a runtime"), "{message}");
        assert!(message.contains("shutdown_background"), "{message}");
    });
}

#[test]
fn shutting_a_runtime_down_without_waiting_inside_a_runtime_is_allowed() {
    within(GENEROUS, || {
        let outer = Flavour::MultiThread.runtime();
        outer.block_on(async {
            Builder::new_current_thread()
                .build()
                .unwrap()
                .shutdown_background();
            Builder::new_current_thread()
                .build()
                .unwrap()
                .shutdown_timeout(Duration::ZERO);
        });
    });
}

#[test]
fn a_runtime_may_be_dropped_inside_spawn_blocking() {
    within(GENEROUS, || {
        let outer = Flavour::MultiThread.runtime();
        let inner = Builder::new_current_thread().build().unwrap();
        outer
            .block_on(outer.spawn_blocking(move || drop(inner)))
            .unwrap();
    });
}

#[test]
fn catch_unwind_around_block_on_compiles_without_assert_unwind_safe() {
    within(GENEROUS, || {
        let rt = Flavour::CurrentThread.runtime();
        let handle = rt.handle().clone();
        let caught = catch_unwind(|| rt.block_on(async { panic!("inside block_on") }));
        assert!(caught.is_err());
        assert_eq!(
            catch_unwind(|| handle.block_on(async { 5 })).unwrap(),
            5,
            "Handle is UnwindSafe too"
        );
    });
}

#[test]
fn local_runtime_runs_not_send_tasks_from_spawn_local_and_enter() {
    within(GENEROUS, || {
        let rt = LocalRuntime::new().unwrap();
        let shared = Rc::new(std::cell::Cell::new(0));
        let from_method = {
            let shared = shared.clone();
            rt.spawn_local(async move { shared.set(shared.get() + 1) })
        };
        let from_free_fn = {
            let _entered = rt.enter();
            let shared = shared.clone();
            task::spawn_local(async move { shared.set(shared.get() + 10) })
        };
        let blocking = rt.spawn_blocking(|| 100);
        let total = rt.block_on(async {
            from_method.await.unwrap();
            from_free_fn.await.unwrap();
            blocking.await.unwrap() + shared.get()
        });
        assert_eq!(total, 111);
        assert_eq!(rt.metrics().num_workers(), 1);
        assert_eq!(
            rt.handle().runtime_flavor(),
            runtime::RuntimeFlavor::CurrentThread
        );
    });
}

#[test]
fn local_runtime_shutdown_drops_its_local_tasks() {
    within(GENEROUS, || {
        struct SetOnDrop(Rc<std::cell::Cell<bool>>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        for shutdown_background in [false, true] {
            let rt = Builder::new_current_thread()
                .enable_all()
                .build_local(LocalOptions::default())
                .unwrap();
            let dropped = Rc::new(std::cell::Cell::new(false));
            let guard = SetOnDrop(dropped.clone());
            rt.spawn_local(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            if shutdown_background {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(GENEROUS);
            }
            assert!(dropped.get(), "the pending local task was dropped");
        }
    });
}

#[test]
fn runtime_metrics_has_tokio_stable_names() {
    within(GENEROUS, || {
        let rt: Runtime = Flavour::MultiThread.runtime();
        let metrics = rt.metrics();
        assert_eq!(metrics.num_workers(), 2);
        assert_eq!(metrics.num_alive_tasks(), 0);
        assert_eq!(metrics.global_queue_depth(), 0);
        let task = rt.spawn(std::future::pending::<()>());
        assert_eq!(rt.metrics().num_alive_tasks(), 1);
        task.abort();
        let _ = rt.block_on(task);
    });
}

#[test]
fn max_io_events_per_busy_tick_is_accepted_and_zero_is_refused() {
    within(GENEROUS, || {
        let rt = Builder::new_current_thread()
            .enable_io()
            .max_io_events_per_tick(128)
            .max_io_events_per_busy_tick(8)
            .build()
            .unwrap();
        assert_eq!(rt.block_on(async { 1 }), 1);
        let caught = catch_unwind(|| {
            Builder::new_current_thread().max_io_events_per_busy_tick(0);
        });
        let message = support::panic_message(caught.unwrap_err());
        assert!(message.contains("max_io_events_per_busy_tick"), "{message}");
    });
}

#[test]
fn shutdown_timeout_of_duration_max_waits_without_overflowing() {
    for flavour in [Flavour::CurrentThread, Flavour::MultiThread] {
        within(GENEROUS, move || {
            let rt = flavour.runtime();
            rt.spawn_blocking(|| ());
            rt.shutdown_timeout(Duration::MAX);
        });
    }
}

#[test]
fn shutdown_drops_tasks_before_waiting_for_a_thread_blocked_in_place_on_them() {
    within(GENEROUS, || {
        let rt = Flavour::MultiThread.runtime();
        let (sender, receiver) = mpsc::channel::<()>();
        let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
        rt.spawn(async move {
            task::block_in_place(move || {
                blocked_tx.send(()).unwrap();
                // Returns once the task holding the sender is dropped.
                let _ = receiver.recv();
            })
        });
        rt.spawn(async move {
            let _sender = sender;
            std::future::pending::<()>().await;
        });
        blocked_rx.recv_timeout(GENEROUS).unwrap();
        drop(rt); // would wait forever if the holder were dropped after the wait
    });
}

#[test]
fn a_runtime_kept_in_a_thread_local_is_dropped_when_the_thread_exits() {
    within(GENEROUS, || {
        thread_local! {
            static RUNTIME: Runtime = Builder::new_current_thread().enable_all().build().unwrap();
        }
        let ran = std::thread::spawn(|| {
            RUNTIME.with(|rt| rt.block_on(async { spindle::spawn(async { 2 }).await.unwrap() }))
        })
        .join()
        .expect("the thread (and the runtime's drop at its exit) did not panic");
        assert_eq!(ran, 2);
    });
}
