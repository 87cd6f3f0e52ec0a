//! Models of how a worker goes to sleep (`executor/src/scheduler/multi_thread/`): the
//! real `Idle` counters and sleeper list and the real `Parker`/`Unparker` over a real
//! driver, driven the way `Worker::park` and `Handle::notify_parked` drive them. The
//! run queue is a loom `Mutex<VecDeque>` standing in for crossbeam's injector.
//!
//! What they prove: work that arrives while the last searching worker parks is never
//! stranded (the worker either finds it on its re-check or is unparked for it; a lost
//! wake-up shows as a loom deadlock), an unpark racing a park, on the driver or on
//! a condvar, is never lost, and a worker that leaves the sleepers on its own because
//! its driver woke tasks into its own queue leaves no remote work unclaimed.

#![cfg(loom)]

use std::collections::VecDeque;

use loom::sync::{Arc, Mutex};
use spindle_executor::loom_hooks::{Idle, WorkerParker, WorkerUnparker};
use spindle_loom_tests::model;

/// `Handle::notify_parked`: wake the worker `Idle` picks, if it picks one.
fn notify_parked(idle: &Idle, unparkers: &[WorkerUnparker]) {
    if let Some(worker) = idle.worker_to_notify() {
        unparkers[worker].unpark();
    }
}

#[test]
fn work_pushed_while_the_last_searcher_parks_is_never_stranded() {
    model(
        "work_pushed_while_the_last_searcher_parks_is_never_stranded",
        || {
            let idle = Arc::new(Idle::new(1));
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let mut parker = WorkerParker::group(1).pop().expect("one parker");
            let unparkers = Arc::new([parker.unparker()]);

            // Worker 0 has been searching and found nothing.
            assert!(idle.transition_worker_to_searching());

            let remote = {
                let (idle, queue, unparkers) = (idle.clone(), queue.clone(), unparkers.clone());
                loom::thread::spawn(move || {
                    // `schedule_remote`: publish the task, then look for a sleeper.
                    queue.lock().unwrap().push_back("task");
                    notify_parked(&idle, &unparkers[..]);
                })
            };

            // `Worker::park`.
            if idle.transition_worker_to_parked(0, true) && !queue.lock().unwrap().is_empty() {
                notify_parked(&idle, &unparkers[..]);
            }
            loop {
                parker.park();
                if idle.was_notified(0) {
                    break;
                }
            }
            // Awake and searching again: the task is there to be found.
            assert_eq!(queue.lock().unwrap().pop_front(), Some("task"));
            assert!(idle.transition_worker_from_searching());
            remote.join().unwrap();
        },
    );
}

#[test]
fn a_searcher_that_finds_work_hands_more_work_to_a_sleeper() {
    model(
        "a_searcher_that_finds_work_hands_more_work_to_a_sleeper",
        || {
            let idle = Arc::new(Idle::new(2));
            let queue = Arc::new(Mutex::new(VecDeque::from(["first"])));
            let mut parkers = WorkerParker::group(2);
            let mut sleeper = parkers.pop().expect("worker 1");
            let unparkers = Arc::new([parkers[0].unparker(), sleeper.unparker()]);

            // Worker 1 is asleep; worker 0 searches.
            assert!(!idle.transition_worker_to_parked(1, false));
            assert!(idle.transition_worker_to_searching());

            let remote = {
                let (idle, queue, unparkers) = (idle.clone(), queue.clone(), unparkers.clone());
                loom::thread::spawn(move || {
                    queue.lock().unwrap().push_back("second");
                    notify_parked(&idle, &unparkers[..]);
                })
            };

            // Worker 0 takes the first task; as the last searcher it wakes a helper.
            let first = queue.lock().unwrap().pop_front();
            assert!(first.is_some());
            if idle.transition_worker_from_searching() {
                notify_parked(&idle, &unparkers[..]);
            }
            remote.join().unwrap();

            // Either the remote push or worker 0 woke worker 1: it must wake, not hang.
            loop {
                sleeper.park();
                if idle.was_notified(1) {
                    break;
                }
            }
            assert_eq!(
                queue.lock().unwrap().len(),
                1,
                "one task left for the helper"
            );
        },
    );
}

#[test]
fn a_driver_holder_that_wakes_its_own_tasks_strands_no_remote_work() {
    model(
        "a_driver_holder_that_wakes_its_own_tasks_strands_no_remote_work",
        || {
            let idle = Arc::new(Idle::new(2));
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let mut parkers = WorkerParker::group(2);
            let mut sleeper = parkers.pop().expect("worker 1");
            let unparkers = Arc::new([parkers[0].unparker(), sleeper.unparker()]);

            // Both workers parked: worker 1 on its condvar, worker 0 in the driver.
            assert!(!idle.transition_worker_to_parked(1, false));
            assert!(!idle.transition_worker_to_parked(0, false));

            let remote = {
                let (idle, queue, unparkers) = (idle.clone(), queue.clone(), unparkers.clone());
                loom::thread::spawn(move || {
                    queue.lock().unwrap().push_back("remote");
                    notify_parked(&idle, &unparkers[..]);
                })
            };
            let helper = {
                let (idle, queue, unparkers) = (idle.clone(), queue.clone(), unparkers.clone());
                loom::thread::spawn(move || {
                    loop {
                        sleeper.park();
                        if idle.was_notified(1) {
                            break;
                        }
                    }
                    // Awake and searching: look once, then stop searching.
                    let found = queue.lock().unwrap().pop_front();
                    if idle.transition_worker_from_searching() && found.is_some() {
                        notify_parked(&idle, &unparkers[..]);
                    }
                    found
                })
            };

            // `Worker::park` on worker 0: its driver woke a task into its own LIFO slot
            // (no notify), so it leaves the sleepers itself, unless a notifier took it.
            let is_searching = if idle.was_notified(0) {
                true
            } else {
                !idle.unpark_worker_found_work(0)
            };
            // `run_task` of the local task: the last searcher to find work wakes a
            // helper; then the worker loop looks at the injector.
            if is_searching && idle.transition_worker_from_searching() {
                notify_parked(&idle, &unparkers[..]);
            }
            let mine = queue.lock().unwrap().pop_front();
            remote.join().unwrap();
            let helpers = helper.join().unwrap();
            // The remote task was taken by exactly one worker; a helper that nobody
            // woke would have shown as a loom deadlock.
            assert_eq!(
                usize::from(mine.is_some()) + usize::from(helpers.is_some()),
                1
            );
        },
    );
}

#[test]
fn unpark_racing_park_is_never_lost_on_the_driver_or_a_condvar() {
    model(
        "unpark_racing_park_is_never_lost_on_the_driver_or_a_condvar",
        || {
            let parkers = WorkerParker::group(2);
            let unparkers: Vec<WorkerUnparker> =
                parkers.iter().map(WorkerParker::unparker).collect();
            // One thread a parker: the first to take the driver sleeps in it, the other
            // on its condvar. Each parks once; a spurious return is allowed by contract,
            // so each then parks until unparked, which a loom deadlock would expose.
            let sleepers: Vec<_> = parkers
                .into_iter()
                .map(|mut parker| loom::thread::spawn(move || parker.park()))
                .collect();
            for unparker in &unparkers {
                unparker.unpark();
            }
            for sleeper in sleepers {
                sleeper.join().unwrap();
            }
        },
    );
}
