//! Property tests of the wheel against the simplest model that is obviously right: a
//! `BTreeMap` ordered by (deadline, timer). `proptest` generates sequences of inserts,
//! cancels, reschedules and clock advances (with deadlines on every level's scale, up
//! to `u64::MAX`), and shrinks a failing sequence to a minimal one.
//!
//! After every advance, the timers the wheel fired must be exactly those the model
//! says are due, and, woken in the driver's order (sorted by deadline), in deadline
//! order; nothing fires early, nothing due is left behind, the pending count agrees,
//! and `next_wake` is never later than the earliest pending deadline.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};

use proptest::prelude::*;

use super::*;

/// Records its timer's number in a shared log when woken.
struct LoggingWaker {
    timer: u64,
    log: Arc<Mutex<Vec<u64>>>,
}

impl Wake for LoggingWaker {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push(self.timer);
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// A new timer `delay` nanoseconds after now.
    Insert { delay: u64 },
    /// Drop the timer at this position among the live ones (pending or fired).
    Cancel { pick: usize },
    /// Move the timer at this position to `delay` after now (re-arming a fired one).
    Reschedule { pick: usize, delay: u64 },
    /// Move the clock forward by `step`, first jumping to `next_wake` if `to_wake`.
    Advance { step: u64, to_wake: bool },
}

/// Delays on every scale the wheel has: within a tick, level 0, the middle levels,
/// beyond the top level, and the saturating end.
fn delay() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 1..TICK_NANOS,
        4 => 1..10_000_000u64,
        2 => 1..10_000_000_000u64,
        1 => 1..400 * 86_400_000_000_000u64,
        1 => Just(u64::MAX),
    ]
}

fn step() -> impl Strategy<Value = u64> {
    prop_oneof![
        // Zero after a jump to `next_wake` lands exactly on a deadline.
        2 => Just(0),
        4 => 0..2_000_000u64,
        2 => 0..10_000_000_000u64,
        1 => 0..100 * 86_400_000_000_000u64,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => delay().prop_map(|delay| Op::Insert { delay }),
        1 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        1 => (any::<usize>(), delay()).prop_map(|(pick, delay)| Op::Reschedule { pick, delay }),
        3 => (step(), any::<bool>()).prop_map(|(step, to_wake)| Op::Advance { step, to_wake }),
    ]
}

/// The wheel under test beside its model.
struct Harness {
    wheel: Wheel,
    now: u64,
    log: Arc<Mutex<Vec<u64>>>,
    next_timer: u64,
    /// Every live timer: its key, and its deadline while it is pending.
    live: BTreeMap<u64, (TimerKey, Option<u64>)>,
    /// The model: pending timers ordered by (deadline, timer).
    pending: BTreeMap<(u64, u64), ()>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            wheel: Wheel::new(),
            now: 0,
            log: Arc::default(),
            next_timer: 0,
            live: BTreeMap::new(),
            pending: BTreeMap::new(),
        }
    }

    fn waker(&self, timer: u64) -> Waker {
        Waker::from(Arc::new(LoggingWaker {
            timer,
            log: self.log.clone(),
        }))
    }

    fn deadline_after(&self, delay: u64) -> u64 {
        self.now.saturating_add(delay).max(self.now + 1)
    }

    fn pick(&self, pick: usize) -> Option<u64> {
        let len = self.live.len();
        (len > 0).then(|| *self.live.keys().nth(pick % len).unwrap())
    }

    fn apply(&mut self, op: Op) -> Result<(), TestCaseError> {
        match op {
            Op::Insert { delay } => {
                let timer = self.next_timer;
                self.next_timer += 1;
                let deadline = self.deadline_after(delay);
                let key = self.wheel.insert(deadline, Some(self.waker(timer)));
                self.live.insert(timer, (key, Some(deadline)));
                self.pending.insert((deadline, timer), ());
            }
            Op::Cancel { pick } => {
                if let Some(timer) = self.pick(pick) {
                    let (key, deadline) = self.live.remove(&timer).unwrap();
                    if let Some(deadline) = deadline {
                        self.pending.remove(&(deadline, timer));
                    }
                    let _ = self.wheel.remove(key);
                }
            }
            Op::Reschedule { pick, delay } => {
                if let Some(timer) = self.pick(pick) {
                    let deadline = self.deadline_after(delay);
                    let (key, old) = self.live[&timer];
                    if let Some(old) = old {
                        self.pending.remove(&(old, timer));
                    }
                    self.wheel.reschedule(key, deadline);
                    // A re-armed timer gets its waker from the next poll, as a Sleep does.
                    let _ = self.wheel.set_waker(key, &self.waker(timer));
                    self.live.insert(timer, (key, Some(deadline)));
                    self.pending.insert((deadline, timer), ());
                }
            }
            Op::Advance { step, to_wake } => self.advance(step, to_wake)?,
        }
        prop_assert_eq!(self.wheel.pending(), self.pending.len(), "pending count");
        Ok(())
    }

    fn advance(&mut self, step: u64, to_wake: bool) -> Result<(), TestCaseError> {
        let wake = self.wheel.next_wake();
        match (wake, self.pending.keys().next()) {
            (None, None) => {}
            (Some(wake), Some(&(earliest, _))) => {
                prop_assert!(
                    wake <= earliest,
                    "next_wake {} after deadline {}",
                    wake,
                    earliest
                );
                if to_wake {
                    self.now = self.now.max(wake);
                }
            }
            (wake, earliest) => {
                prop_assert!(false, "next_wake {:?} but earliest {:?}", wake, earliest)
            }
        }
        self.now = self.now.saturating_add(step);
        let now = self.now;

        let mut fired = Vec::new();
        let count = self.wheel.fire_expired(now, &mut fired);
        prop_assert!(
            fired.iter().all(|&(deadline, _)| deadline <= now),
            "fired early"
        );
        // Woken as the driver wakes them: sorted by deadline.
        fired.sort_by_key(|&(deadline, _)| deadline);
        self.log.lock().unwrap().clear();
        for (_, waker) in fired {
            waker.wake();
        }
        let woken = std::mem::take(&mut *self.log.lock().unwrap());

        let due: Vec<(u64, u64)> = self
            .pending
            .range(..=(now, u64::MAX))
            .map(|(&entry, _)| entry)
            .collect();
        prop_assert_eq!(count, due.len(), "fired count at {}", now);
        let woken_deadlines: Vec<u64> = woken
            .iter()
            .map(|timer| self.live[timer].1.expect("a woken timer was pending"))
            .collect();
        let due_deadlines: Vec<u64> = due.iter().map(|&(deadline, _)| deadline).collect();
        prop_assert_eq!(woken_deadlines, due_deadlines, "deadline order at {}", now);
        let mut woken_sorted = woken.clone();
        woken_sorted.sort_unstable();
        let mut due_timers: Vec<u64> = due.iter().map(|&(_, timer)| timer).collect();
        due_timers.sort_unstable();
        prop_assert_eq!(woken_sorted, due_timers, "fired set at {}", now);

        for (deadline, timer) in due {
            self.pending.remove(&(deadline, timer));
            let entry = self.live.get_mut(&timer).unwrap();
            prop_assert_eq!(self.wheel.state(entry.0), TimerState::Fired);
            entry.1 = None;
        }
        for (&(_, timer), _) in self.pending.iter() {
            prop_assert_eq!(self.wheel.state(self.live[&timer].0), TimerState::Pending);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn wheel_fires_what_a_sorted_map_says_is_due_in_deadline_order(
        ops in proptest::collection::vec(op(), 1..200)
    ) {
        let mut harness = Harness::new();
        for op in ops {
            harness.apply(op)?;
        }
        // Drain: everything left fires once the clock reaches the end of time.
        harness.advance(u64::MAX, false)?;
        prop_assert_eq!(harness.wheel.pending(), 0);
        prop_assert_eq!(harness.wheel.next_wake(), None);
    }
}
