//! `JoinSet` against the cooperative budget and re-entrant wakers: collecting more
//! finished tasks than one poll's budget neither spins nor loses a task, and a waker
//! the set replaces is dropped outside the set's lock.

mod support;

use spindle::task::JoinSet;
use support::Flavour;

flavour_tests!(join_next_collects_more_finished_tasks_than_the_budget);

/// Current-thread only: there, a task has stored its output before the next task runs,
/// so once every receiver is gone every task is finished. On a multi-thread runtime
/// the last receiver may drop before its task's output is stored, and
/// `try_join_next` rightly says "nothing yet".
#[test]
fn try_join_next_collects_more_finished_tasks_than_the_budget() {
    support::within(support::GENEROUS, || {
        try_join_next_collects_finished_tasks(Flavour::CurrentThread)
    });
}

/// Well over the 128 units one task poll starts with.
const TASKS: usize = 1000;

/// Spawns `TASKS` tasks into a set and waits until every one has finished (each
/// drops its receiver as it ends, which `closed` sees).
async fn set_of_finished_tasks() -> JoinSet<usize> {
    let (release, receiver) = spindle::sync::watch::channel(());
    let mut set = JoinSet::new();
    for index in 0..TASKS {
        let mut receiver = receiver.clone();
        set.spawn(async move {
            receiver
                .changed()
                .await
                .expect("the sender outlives the tasks");
            index
        });
    }
    drop(receiver);
    release.send_replace(());
    release.closed().await;
    set
}

fn try_join_next_collects_finished_tasks(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut set = set_of_finished_tasks().await;
        let mut seen = vec![false; TASKS];
        while let Some(result) = set.try_join_next() {
            seen[result.expect("task ran")] = true;
        }
        assert!(seen.iter().all(|&seen| seen), "every task was collected");
        assert!(set.is_empty());
    });
}

fn join_next_collects_more_finished_tasks_than_the_budget(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut set = set_of_finished_tasks().await;
        let mut count = 0;
        while let Some(result) = set.join_next().await {
            result.expect("task ran");
            count += 1;
        }
        assert_eq!(count, TASKS);
    });
}

/// A waker whose destructor drives the runtime, so that the set's member finishes and
/// wakes the set while the set replaces this waker with a newer one.
struct DriveRuntimeOnDrop(Option<spindle::runtime::Runtime>);

impl std::task::Wake for DriveRuntimeOnDrop {
    fn wake(self: std::sync::Arc<Self>) {}
}

impl Drop for DriveRuntimeOnDrop {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.block_on(spindle::task::yield_now());
        }
    }
}

#[test]
fn replacing_the_sets_waker_drops_the_old_one_outside_the_lock() {
    support::within(support::GENEROUS, || {
        let runtime = Flavour::CurrentThread.runtime();
        let mut set = JoinSet::new();
        set.spawn_on(async { 42 }, runtime.handle());
        let owner = std::task::Waker::from(std::sync::Arc::new(DriveRuntimeOnDrop(Some(runtime))));
        let mut cx = std::task::Context::from_waker(&owner);
        assert!(set.poll_join_next(&mut cx).is_pending());
        drop(owner);
        // Storing the no-op waker drops `owner`, which runs the task to completion.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(set.poll_join_next(&mut cx).is_pending());
        assert_eq!(
            set.try_join_next()
                .expect("the task finished")
                .expect("ran"),
            42
        );
    });
}
