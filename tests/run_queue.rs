//! Property tests of the multi-thread scheduler's run queues against a model.
//!
//! `proptest` generates trees of tasks: each task runs in segments, spawns some
//! children in each segment, and yields between segments. Every segment logs itself.
//!
//! On one worker the order is fully determined by the queue policy, so it is checked
//! against a model of that policy, a few lines long: a task spawned by the running
//! task takes the LIFO slot and pushes the slot's previous occupant to the back of the
//! FIFO local queue; a yielding task is deferred: set aside until the worker runs out
//! of other work (and polls the drivers), then queued at the back in the order it
//! yielded; after a task, the worker runs the LIFO slot, at most three times in a
//! row, then pushes the slot's task to the back; otherwise it pops the front of the
//! local queue. (The periodic driver poll also requeues deferred tasks; the test sets
//! `event_interval` beyond the program's length so that it never happens mid-run.) On two workers (stealing,
//! cross-thread wakes) the order is free, so the check is that every segment ran
//! exactly once, each task's segments in order, and no child before its spawner.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{mpsc, Arc, Mutex};

use proptest::prelude::*;
use spindle::runtime::{Builder, Runtime};

mod support;

use support::GENEROUS;

/// One task of a generated program: what it spawns in each of its segments.
#[derive(Debug, Clone)]
struct Program {
    segments: Vec<Vec<Program>>,
}

/// A program with every task numbered in preorder.
#[derive(Debug)]
struct Node {
    id: u32,
    segments: Vec<Vec<Arc<Node>>>,
}

fn number(program: &Program, next: &mut u32) -> Arc<Node> {
    let id = *next;
    *next += 1;
    let segments = program
        .segments
        .iter()
        .map(|children| children.iter().map(|child| number(child, next)).collect())
        .collect();
    Arc::new(Node { id, segments })
}

fn program() -> impl Strategy<Value = Program> {
    let leaf = (1..4usize).prop_map(|segments| Program {
        segments: vec![Vec::new(); segments],
    });
    leaf.prop_recursive(4, 64, 3, |inner| {
        proptest::collection::vec(proptest::collection::vec(inner, 0..3), 1..4)
            .prop_map(|segments| Program { segments })
    })
}

type Log = Arc<Mutex<Vec<(u32, usize)>>>;

/// The task that runs `node`: logs each segment, spawns its children, yields between.
/// The task that runs `node`: logs each segment, spawns its children, yields between
/// segments, and reports its end on `done`.
fn run(
    node: Arc<Node>,
    log: Log,
    done: mpsc::Sender<()>,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        for (segment, children) in node.segments.iter().enumerate() {
            if segment > 0 {
                spindle::task::yield_now().await;
            }
            log.lock().unwrap().push((node.id, segment));
            for child in children {
                drop(spindle::spawn(run(
                    child.clone(),
                    log.clone(),
                    done.clone(),
                )));
            }
        }
        let _ = done.send(());
    })
}

/// Spawns the root from outside the runtime (so it enters through the injector) and
/// waits until all `tasks` tasks have ended.
fn run_on(rt: &Runtime, root: &Arc<Node>, tasks: u32) -> Vec<(u32, usize)> {
    let log = Log::default();
    let (done_tx, done_rx) = mpsc::channel();
    drop(rt.spawn(run(root.clone(), log.clone(), done_tx)));
    for _ in 0..tasks {
        done_rx.recv_timeout(GENEROUS).expect("every task ends");
    }
    let log = log.lock().unwrap();
    log.clone()
}

/// How many tasks in a row the worker takes from the LIFO slot (its constant).
const MAX_LIFO_POLLS_IN_A_ROW: usize = 3;

/// The single-worker policy, replayed on the program: the order segments run in.
fn model(root: &Arc<Node>) -> Vec<(u32, usize)> {
    struct Queues {
        lifo: Option<(Arc<Node>, usize)>,
        local: VecDeque<(Arc<Node>, usize)>,
        deferred: Vec<(Arc<Node>, usize)>,
        log: Vec<(u32, usize)>,
    }
    impl Queues {
        /// One poll: the segment runs, its spawns take the LIFO slot in turn, and a
        /// yield (when a segment follows) is deferred.
        fn poll(&mut self, (node, segment): (Arc<Node>, usize)) {
            self.log.push((node.id, segment));
            for child in &node.segments[segment] {
                if let Some(previous) = self.lifo.replace((child.clone(), 0)) {
                    self.local.push_back(previous);
                }
            }
            if segment + 1 < node.segments.len() {
                self.deferred.push((node.clone(), segment + 1));
            }
        }
    }
    let mut queues = Queues {
        lifo: None,
        local: VecDeque::new(),
        deferred: Vec::new(),
        log: Vec::new(),
    };
    let mut next = Some((root.clone(), 0));
    while let Some(task) = next {
        queues.poll(task);
        let mut in_a_row = 0;
        while let Some(task) = queues.lifo.take() {
            if in_a_row >= MAX_LIFO_POLLS_IN_A_ROW {
                queues.local.push_back(task);
                break;
            }
            in_a_row += 1;
            queues.poll(task);
        }
        next = queues.lifo.take().or_else(|| queues.local.pop_front());
        if next.is_none() {
            // Out of work: the drivers are polled and the yielded tasks queued again.
            queues.local.extend(queues.deferred.drain(..));
            next = queues.local.pop_front();
        }
    }
    queues.log
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn one_worker_runs_tasks_in_the_order_of_the_queue_model(program in program()) {
        let mut tasks = 0;
        let root = number(&program, &mut tasks);
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .event_interval(u32::MAX)
            .build()
            .unwrap();
        let ran = run_on(&rt, &root, tasks);
        prop_assert_eq!(ran, model(&root));
    }

    #[test]
    fn two_workers_run_every_segment_once_in_causal_order(program in program()) {
        let mut tasks = 0;
        let root = number(&program, &mut tasks);
        let rt = Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let ran = run_on(&rt, &root, tasks);
        let mut expected = model(&root);
        let mut seen = ran.clone();
        seen.sort_unstable();
        expected.sort_unstable();
        prop_assert_eq!(seen, expected, "every segment exactly once");
        let position: HashMap<(u32, usize), usize> =
            ran.iter().enumerate().map(|(index, &entry)| (entry, index)).collect();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            for (segment, children) in node.segments.iter().enumerate() {
                if segment > 0 {
                    prop_assert!(position[&(node.id, segment - 1)] < position[&(node.id, segment)]);
                }
                for child in children {
                    prop_assert!(position[&(node.id, segment)] < position[&(child.id, 0)]);
                    stack.push(child.clone());
                }
            }
        }
    }
}
