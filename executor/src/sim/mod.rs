//! Deterministic simulation: run a future under a seeded schedule, find the
//! interleaving that breaks it, and replay it.
//!
//! A simulation is a mode of the current-thread scheduler, not a second scheduler:
//! when a `SimState` is installed in the runtime's config, the scheduler's pop draws
//! the next task from the whole ready set with a seeded RNG (a random walk, or
//! PCT-style priorities with change points, chosen per seed), and an idle runtime
//! jumps the paused clock to the next timer deadline instead of sleeping. With
//! nothing ready and no timer pending the run is a deadlock, reported with every
//! blocked task. Tasks are numbered by the order they are first scheduled in the
//! run, so the trace depends on nothing but the seed (no global ids, addresses, real
//! time or thread ids). The multi-thread scheduler has no sim branch at all.
//!
//! # Guide: find a lost update, then replay it
//!
//! Two deposits read a balance, await something (an audit-log call, here a yield),
//! and write the balance back: one deposit is lost when the other task runs in
//! between. [`try_check`] runs the scenario under 1000 seeds and returns the first
//! failing seed's [`Report`] ([`check`] panics with it instead, which is what a
//! test wants); the report names the seed, the replay command
//! (`SPINDLE_SEED=<seed> cargo test <test name> -- --exact`), the step count and the
//! last steps (task number, name, spawn site). Building a simulation for that seed
//! replays the failure at the same step:
//!
//! ```
//! use std::sync::Arc;
//!
//! use spindle_executor::{sim, spawn, task::yield_now};
//! use spindle_sync::Mutex;
//!
//! async fn two_deposits() {
//!     let balance = Arc::new(Mutex::new(100));
//!     let mut deposits = Vec::new();
//!     for _ in 0..2 {
//!         let balance = balance.clone();
//!         deposits.push(spawn(async move {
//!             let seen = *balance.lock().await;
//!             yield_now().await; // the audit-log call
//!             *balance.lock().await = seen + 10;
//!         }));
//!     }
//!     for deposit in deposits {
//!         deposit.await.unwrap();
//!     }
//!     assert_eq!(*balance.lock().await, 120, "a deposit was lost");
//! }
//!
//! let report = sim::try_check(0..1000, two_deposits).unwrap_err();
//! assert!(report.text.contains(&format!("SPINDLE_SEED={}", report.seed)));
//!
//! let replay = sim::Builder::new()
//!     .seed(report.seed)
//!     .build()
//!     .unwrap()
//!     .try_block_on(two_deposits())
//!     .unwrap_err();
//! assert_eq!(replay.steps, report.steps);
//! ```
//!
//! Holding one guard across the read, the await and the write fixes it, and
//! `sim::check(0..1000, two_deposits)` then passes every seed. In a test,
//! `#[spindle::test(simulate = 1000)]` does the same with seeds derived from the
//! test's name. `SPINDLE_SEED=<n>` replays one seed, `SPINDLE_SIM_SEEDS=<count>`
//! changes how many run, and `SPINDLE_SIM_CHECK=1` runs each seed twice and fails,
//! naming the first divergent step, if the two step traces differ.
//!
//! # What runs inside
//!
//! What runs on a current-thread runtime with timers (the tests cover the sync
//! `Mutex`, `Notify`, `mpsc`, `oneshot`, `CancellationToken`, `select!` and timers on
//! the virtual clock). `select!`'s first branch is drawn from the seed. Not (yet) simulated: there is no IO driver,
//! so real sockets fail to register; `spawn_blocking` closures run on the real
//! blocking pool, and while one runs the simulation waits for it in real time, so
//! its timing can change the schedule.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::runtime::Runtime;
use crate::task::{Id, Notified};

/// The default step limit: a run that takes more task polls is reported as a hang.
pub const DEFAULT_MAX_STEPS: u64 = 100_000;

/// How many of the last steps a report shows.
const REPORT_STEPS: usize = 12;

/// The panic message a deadlock unwinds with (the report replaces it).
const DEADLOCK: &str = "spindle::sim: deadlock";
/// The panic message a step-limit hang unwinds with.
const HANG: &str = "spindle::sim: step limit reached";

/// Builds a simulation runtime for one seed.
#[derive(Debug, Clone)]
pub struct Builder {
    seed: u64,
    max_steps: u64,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// A builder for seed 0 with [`DEFAULT_MAX_STEPS`].
    pub fn new() -> Builder {
        Builder {
            seed: 0,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }

    /// The seed the schedule is drawn from.
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.seed = seed;
        self
    }

    /// The number of task polls after which the run is reported as a hang.
    pub fn max_steps(&mut self, max_steps: u64) -> &mut Self {
        self.max_steps = max_steps;
        self
    }

    /// Builds the runtime: current-thread, timers on a paused clock, no IO driver.
    ///
    /// # Errors
    ///
    /// Fails when the runtime's drivers cannot be created.
    pub fn build(&self) -> io::Result<Sim> {
        let state = Arc::new(SimState::new(self.seed, self.max_steps));
        let mut builder = crate::runtime::Builder::new_current_thread();
        builder.enable_time().start_paused(true).event_interval(1);
        builder.sim = Some(state.clone());
        Ok(Sim {
            runtime: Some(builder.build()?),
            state,
        })
    }
}

/// A simulation runtime for one seed.
#[derive(Debug)]
pub struct Sim {
    runtime: Option<Runtime>,
    state: Arc<SimState>,
}

/// Why a seed failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The future (or a task whose panic it observed) panicked.
    Panic,
    /// No task could run, no timer was pending.
    Deadlock,
    /// The step limit was reached.
    Hang,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Panic => "panic",
            FailureKind::Deadlock => "deadlock",
            FailureKind::Hang => "hang (step limit)",
        })
    }
}

/// The report of a failed seed: printed, it names the seed, the replay command, the
/// step count, the last steps and (for a deadlock) every blocked task.
#[derive(Debug, Clone)]
pub struct Report {
    /// The seed that failed.
    pub seed: u64,
    /// What went wrong.
    pub kind: FailureKind,
    /// Task polls before the failure.
    pub steps: u64,
    /// The panic message, when there was one.
    pub message: String,
    /// The whole report, as printed.
    pub text: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Sim {
    /// Runs `future` under this seed and returns its output; a failure panics with
    /// the [`Report`].
    #[track_caller]
    pub fn block_on<F: Future>(self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(report) => panic!("{report}"),
        }
    }

    /// Runs `future` under this seed; a panic, deadlock or hang comes back as a
    /// [`Report`].
    pub fn try_block_on<F: Future>(mut self, future: F) -> Result<F::Output, Report> {
        let Some(runtime) = self.runtime.take() else {
            unreachable!("a Sim's runtime is taken only here");
        };
        let result = catch_unwind(AssertUnwindSafe(|| runtime.block_on(future)));
        let output = match result {
            Ok(output) => Ok(output),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string panic payload)".to_owned());
                let kind = match message.as_str() {
                    DEADLOCK => FailureKind::Deadlock,
                    HANG => FailureKind::Hang,
                    _ => FailureKind::Panic,
                };
                Err(self.report(kind, message, &runtime))
            }
        };
        drop(runtime);
        output
    }

    /// The hash of the step trace so far (task numbers in the order they ran).
    pub fn trace_hash(&self) -> u64 {
        self.state.lock().trace_hash
    }

    fn report(&self, kind: FailureKind, message: String, runtime: &Runtime) -> Report {
        use fmt::Write;
        let inner = self.state.lock();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "spindle::sim: seed {} failed after {} steps: {kind}",
            inner.seed, inner.steps
        );
        if kind == FailureKind::Panic {
            let _ = writeln!(text, "  panicked: {message}");
        }
        let test = std::thread::current()
            .name()
            .filter(|name| *name != "main")
            .unwrap_or("<test name>")
            .to_owned();
        let _ = writeln!(
            text,
            "replay: SPINDLE_SEED={} cargo test {test} -- --exact",
            inner.seed
        );
        if kind == FailureKind::Deadlock {
            let _ = writeln!(text, "blocked tasks:");
            for task in runtime.handle().dump().tasks() {
                let number = inner
                    .numbers
                    .get(&task.id)
                    .map_or("?".to_owned(), |n| n.to_string());
                let _ = writeln!(
                    text,
                    "  task #{number} {:?} spawned at {}",
                    task.name.as_deref().unwrap_or("-"),
                    task.spawned_at
                );
            }
        }
        let _ = writeln!(text, "last steps:");
        for step in &inner.last {
            let _ = writeln!(
                text,
                "  step {}: task #{} {:?} spawned at {}",
                step.step,
                step.task,
                step.name.as_deref().unwrap_or("-"),
                step.site
            );
        }
        Report {
            seed: inner.seed,
            kind,
            steps: inner.steps,
            message,
            text,
        }
    }
}

/// Runs a fresh future from `make` under every seed of `seeds` and panics with the
/// report of the first failing one.
///
/// `SPINDLE_SEED=<n>` runs seed `n` alone; `SPINDLE_SIM_SEEDS=<count>` runs `count`
/// seeds from the range's start; `SPINDLE_SIM_CHECK=1` runs each seed twice and fails
/// if the two step traces differ, naming the first divergent step.
#[track_caller]
pub fn check<M, F>(seeds: Range<u64>, make: M)
where
    M: FnMut() -> F,
    F: Future,
{
    if let Err(report) = try_check(seeds, make) {
        panic!("{report}");
    }
}

/// As [`check`], but returns the first failing seed's report instead of panicking.
pub fn try_check<M, F>(seeds: Range<u64>, mut make: M) -> Result<(), Report>
where
    M: FnMut() -> F,
    F: Future,
{
    let seeds = seeds_from_env(seeds);
    let determinism = std::env::var("SPINDLE_SIM_CHECK").is_ok_and(|value| value == "1");
    for seed in seeds {
        let (first, trace) = run_traced(seed, &mut make);
        if determinism {
            let (second, again) = run_traced(seed, &mut make);
            if let Some(step) = trace
                .iter()
                .zip(&again)
                .position(|(a, b)| a != b)
                .or((trace.len() != again.len()).then(|| trace.len().min(again.len())))
            {
                panic!(
                    "spindle::sim: seed {seed} is not deterministic: the two runs diverge at \
                     step {}",
                    step + 1
                );
            }
            drop(second);
        }
        first?;
    }
    Ok(())
}

/// `count` seeds derived from `name` (a stable FNV-1a hash, the same on every run and
/// machine): what `#[spindle::test(simulate = N)]` runs.
pub fn seeds_for(name: &str, count: u64) -> Range<u64> {
    let start = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    }) >> 16;
    start..start + count
}

fn run_traced<M, F>(seed: u64, make: &mut M) -> (Result<(), Report>, Vec<u64>)
where
    M: FnMut() -> F,
    F: Future,
{
    let sim = match Builder::new().seed(seed).build() {
        Ok(sim) => sim,
        Err(error) => panic!("spindle::sim: cannot build the runtime: {error}"),
    };
    let state = sim.state.clone();
    let result = sim.try_block_on(make()).map(drop);
    let trace = std::mem::take(&mut state.lock().trace);
    (result, trace)
}

fn seeds_from_env(seeds: Range<u64>) -> Range<u64> {
    if let Some(seed) = env_u64("SPINDLE_SEED") {
        return seed..seed.saturating_add(1);
    }
    if let Some(count) = env_u64("SPINDLE_SIM_SEEDS") {
        return seeds.start..seeds.start.saturating_add(count);
    }
    seeds
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    match value.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name} must be a non-negative integer, not {value:?}"),
    }
}

/// `select!`'s first branch while simulating: drawn from the seed, so the branch
/// order replays with the schedule. `None` outside a simulation.
#[doc(hidden)]
pub fn __select_first_branch(branches: usize) -> Option<usize> {
    crate::runtime::context::with_scheduler(|cx| match cx {
        Some(crate::scheduler::Context::CurrentThread(cx)) => {
            cx.sim().map(|sim| sim.lock().rng.below(branches.max(1)))
        }
        _ => None,
    })
}

/// splitmix64: small, seedable, good enough to draw schedules.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug)]
enum Policy {
    /// Every step, a uniformly random ready task.
    RandomWalk,
    /// The ready task of highest priority; at each change point the task picked gets
    /// a priority below every initial one (PCT).
    Pct {
        priorities: HashMap<u64, u64>,
        change_points: Vec<u64>,
        lowered: u64,
    },
}

#[derive(Debug)]
struct Step {
    step: u64,
    task: u64,
    name: Option<Arc<str>>,
    site: &'static Location<'static>,
}

#[derive(Debug)]
struct Inner {
    seed: u64,
    max_steps: u64,
    rng: Rng,
    policy: Policy,
    steps: u64,
    /// Task numbers in spawn-order of first scheduling, keyed by the global id (only
    /// looked up, never iterated, so the map's order cannot leak into the schedule).
    numbers: HashMap<Id, u64>,
    trace: Vec<u64>,
    trace_hash: u64,
    last: VecDeque<Step>,
}

/// The seeded schedule a simulating current-thread runtime draws from.
#[derive(Debug)]
pub(crate) struct SimState {
    inner: Mutex<Inner>,
}

impl SimState {
    fn new(seed: u64, max_steps: u64) -> SimState {
        let mut rng = Rng(seed);
        let policy = if rng.next() % 2 == 0 {
            Policy::RandomWalk
        } else {
            // A few change points within the first stretch of the run.
            let depth = 1 + rng.below(3);
            let horizon = max_steps.clamp(1, 200);
            let mut change_points: Vec<u64> = (0..depth).map(|_| rng.next() % horizon).collect();
            change_points.sort_unstable();
            Policy::Pct {
                priorities: HashMap::new(),
                change_points,
                lowered: 0,
            }
        };
        SimState {
            inner: Mutex::new(Inner {
                seed,
                max_steps,
                rng,
                policy,
                steps: 0,
                numbers: HashMap::new(),
                trace: Vec::new(),
                trace_hash: 0xcbf2_9ce4_8422_2325,
                last: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Draws the next task to poll from `ready`, or `None` when it is empty.
    pub(crate) fn pick(&self, ready: &mut VecDeque<Notified>) -> Option<Notified> {
        if ready.is_empty() {
            return None;
        }
        let mut guard = self.lock();
        let inner = &mut *guard;
        if inner.steps >= inner.max_steps {
            drop(guard);
            std::panic::resume_unwind(Box::new(HANG));
        }
        // Tasks are numbered as they are first seen, in queue order: the queue's
        // order is itself a function of the seed.
        let numbers: Vec<u64> = ready
            .iter()
            .map(|task| {
                let fresh = inner.numbers.len() as u64 + 1;
                *inner.numbers.entry(task.header().id).or_insert(fresh)
            })
            .collect();
        let index = match &mut inner.policy {
            Policy::RandomWalk => inner.rng.below(ready.len()),
            Policy::Pct {
                priorities,
                change_points,
                lowered,
            } => {
                let rng = &mut inner.rng;
                let mut best = 0;
                let mut best_priority = 0;
                for (i, number) in numbers.iter().enumerate() {
                    let priority = *priorities
                        .entry(*number)
                        .or_insert_with(|| (1 << 32) + (rng.next() >> 32));
                    if priority > best_priority {
                        best = i;
                        best_priority = priority;
                    }
                }
                if change_points.first() == Some(&inner.steps) {
                    change_points.remove(0);
                    *lowered += 1;
                    priorities.insert(numbers[best], *lowered);
                }
                best
            }
        };
        let task = ready.swap_remove_back(index)?;
        let number = numbers[index];
        inner.steps += 1;
        inner.trace.push(number);
        inner.trace_hash = (inner.trace_hash ^ number).wrapping_mul(0x100_0000_01b3);
        if inner.last.len() == REPORT_STEPS {
            inner.last.pop_front();
        }
        let site = &task.header().site;
        inner.last.push_back(Step {
            step: inner.steps,
            task: number,
            name: site.name().cloned(),
            site: site.location(),
        });
        Some(task)
    }

    /// Nothing can run and nothing is pending: ends the run with a deadlock report.
    pub(crate) fn deadlocked(&self) -> ! {
        std::panic::resume_unwind(Box::new(DEADLOCK))
    }
}
