//! Model checks of the wheel against a plain map of deadlines, driven by a seeded
//! pseudo-random sequence of inserts, cancels, reschedules and clock jumps.

use super::*;
use std::collections::HashMap;
use std::task::Waker;

/// splitmix64: a tiny deterministic generator, so failures replay exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    /// A delay drawn from several scales, so every level and the wrap get exercised.
    fn delay(&mut self) -> u64 {
        match self.below(8) {
            0 => self.below(TICK_NANOS),
            1 | 2 => self.below(10_000_000),
            3 => self.below(10_000_000_000),
            4 => self.below(3_600_000_000_000),
            5 => self.below(200 * 86_400_000_000_000),
            6 => u64::MAX,
            _ => self.below(1_000_000),
        }
    }

    fn step(&mut self) -> u64 {
        match self.below(10) {
            0 => self.below(100 * 86_400_000_000_000),
            1 => self.below(10_000_000_000),
            _ => self.below(2_000_000),
        }
    }
}

fn run_model(seed: u64, operations: usize) {
    let mut rng = Rng(seed);
    let mut wheel = Wheel::new();
    let mut now: u64 = 0;
    // key index -> (key, deadline, fired)
    let mut model: HashMap<u32, (TimerKey, u64, bool)> = HashMap::new();
    let mut fired = Vec::new();
    for _ in 0..operations {
        match rng.below(10) {
            0..=3 => {
                let deadline = now.saturating_add(rng.delay()).max(now + 1);
                let key = wheel.insert(deadline, Some(Waker::noop().clone()));
                model.insert(key.0, (key, deadline, false));
            }
            4 => {
                if let Some(&index) = model.keys().nth(rng.below(model.len() as u64) as usize) {
                    let (key, _, _) = model[&index];
                    let _ = wheel.remove(key);
                    model.remove(&index);
                }
            }
            5 => {
                if let Some(&index) = model.keys().nth(rng.below(model.len() as u64) as usize) {
                    let deadline = now.saturating_add(rng.delay()).max(now + 1);
                    let entry = model.get_mut(&index).expect("key from the map");
                    wheel.reschedule(entry.0, deadline);
                    entry.1 = deadline;
                    entry.2 = false;
                }
            }
            _ => {
                if let Some(wake) = wheel.next_wake() {
                    let earliest = model
                        .values()
                        .filter(|(_, _, fired)| !fired)
                        .map(|&(_, deadline, _)| deadline)
                        .min()
                        .expect("the wheel has a wake time, so a timer is pending");
                    assert!(
                        wake <= earliest,
                        "next_wake {wake} is after the earliest deadline {earliest}"
                    );
                    // Half the time jump straight to the wake time, as a parked worker does.
                    if rng.below(2) == 0 {
                        now = now.max(wake);
                    }
                }
                now = now.saturating_add(rng.step());
                fired.clear();
                let count = wheel.fire_expired(now, &mut fired);
                let mut expected = 0;
                for (key, deadline, was_fired) in model.values_mut() {
                    let due = *deadline <= now;
                    if due && !*was_fired {
                        expected += 1;
                        *was_fired = true;
                    }
                    let state = wheel.state(*key);
                    assert_eq!(
                        state == TimerState::Fired,
                        due,
                        "timer due at {deadline} is {state:?} at {now}"
                    );
                }
                assert_eq!(count, expected, "fired count at {now}");
                assert!(
                    fired.len() <= expected,
                    "only fired timers hand back wakers"
                );
                assert!(
                    fired.iter().all(|&(deadline, _)| deadline <= now),
                    "fired early"
                );
            }
        }
        let pending = model.values().filter(|(_, _, fired)| !fired).count();
        assert_eq!(wheel.pending(), pending, "pending count");
        if pending == 0 {
            assert_eq!(wheel.next_wake(), None);
        }
    }
}

#[test]
fn random_operations_match_a_model_of_exact_deadlines() {
    for seed in 0..40 {
        run_model(seed, 2_000);
    }
}

#[test]
fn timer_due_later_in_the_current_tick_stays_until_its_exact_deadline() {
    let mut wheel = Wheel::new();
    let mut fired = Vec::new();
    let key = wheel.insert(TICK_NANOS * 5 + 70_000, None);
    assert_eq!(wheel.fire_expired(TICK_NANOS * 5 + 10_000, &mut fired), 0);
    assert_eq!(wheel.state(key), TimerState::Pending);
    assert_eq!(wheel.next_wake(), Some(TICK_NANOS * 5 + 70_000));
    assert_eq!(wheel.fire_expired(TICK_NANOS * 5 + 69_999, &mut fired), 0);
    assert_eq!(wheel.fire_expired(TICK_NANOS * 5 + 70_000, &mut fired), 1);
    assert_eq!(wheel.state(key), TimerState::Fired);
}

#[test]
fn next_wake_of_a_far_timer_is_its_exact_deadline() {
    let mut wheel = Wheel::new();
    let deadline = 3_600_000_000_123;
    wheel.insert(deadline, None);
    assert_eq!(wheel.next_wake(), Some(deadline));
    let mut fired = Vec::new();
    assert_eq!(wheel.fire_expired(deadline - 1, &mut fired), 0);
    assert_eq!(wheel.next_wake(), Some(deadline));
    assert_eq!(wheel.fire_expired(deadline, &mut fired), 1);
    assert_eq!(wheel.next_wake(), None);
}

#[test]
fn deadline_at_u64_max_cascades_without_overflow_and_never_fires() {
    let mut wheel = Wheel::new();
    let key = wheel.insert(u64::MAX, None);
    let mut fired = Vec::new();
    let mut now = 0u64;
    for _ in 0..20 {
        now += 90 * 86_400_000_000_000;
        assert_eq!(wheel.fire_expired(now, &mut fired), 0);
        let wake = wheel.next_wake().expect("still pending");
        assert!(wake > now);
    }
    assert_eq!(wheel.state(key), TimerState::Pending);
    assert_eq!(wheel.fire_expired(u64::MAX, &mut fired), 1);
}

#[test]
fn removed_slot_is_reused_by_the_next_insert() {
    let mut wheel = Wheel::new();
    let first = wheel.insert(1_000_000, None);
    let _ = wheel.remove(first);
    assert_eq!(wheel.pending(), 0);
    let second = wheel.insert(2_000_000, None);
    assert_eq!(first, second);
}
