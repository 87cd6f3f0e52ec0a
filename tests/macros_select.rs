//! `select!`: fairness, `biased;`, preconditions, pattern mismatch, `else`, the
//! all-disabled panic, dropping the losers, and handlers that act on the code around.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use spindle::sync::oneshot;

/// A future that is never ready and counts its polls and its drop.
struct Pending {
    polls: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
}

impl Pending {
    fn new() -> (Pending, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let future = Pending {
            polls: Arc::clone(&polls),
            drops: Arc::clone(&drops),
        };
        (future, polls, drops)
    }
}

impl Future for Pending {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Poll::Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// Ready on its first poll, and counts how often it was polled.
async fn ready_counting<T>(value: T, polls: &AtomicUsize) -> T {
    polls.fetch_add(1, Ordering::SeqCst);
    value
}

#[spindle::test]
async fn two_always_ready_branches_each_win_a_fair_share() {
    const ROUNDS: usize = 10_000;
    let mut wins = [0_usize; 2];
    for _ in 0..ROUNDS {
        let winner = spindle::select! {
            () = std::future::ready(()) => 0,
            () = std::future::ready(()) => 1,
        };
        wins[winner] += 1;
    }
    for (branch, &won) in wins.iter().enumerate() {
        assert!(
            won * 5 >= ROUNDS,
            "branch {branch} won {won} of {ROUNDS} rounds (wins: {wins:?})"
        );
    }
}

#[spindle::test]
async fn every_one_of_four_ready_branches_gets_its_turn() {
    const ROUNDS: usize = 10_000;
    let mut wins = [0_usize; 4];
    for _ in 0..ROUNDS {
        let winner = spindle::select! {
            value = async { 0 } => value,
            value = async { 1 } => value,
            value = async { 2 } => value,
            value = async { 3 } => value,
        };
        wins[winner] += 1;
    }
    // A fair pick gives each about a quarter; 15% leaves room for chance only.
    for (branch, &won) in wins.iter().enumerate() {
        assert!(
            won * 100 >= ROUNDS * 15,
            "branch {branch} won {won} of {ROUNDS} rounds (wins: {wins:?})"
        );
    }
}

#[spindle::test]
async fn biased_polls_branches_in_the_order_written() {
    let first_polls = AtomicUsize::new(0);
    let second_polls = AtomicUsize::new(0);
    for _ in 0..1_000 {
        let winner = spindle::select! {
            biased;
            value = ready_counting("first", &first_polls) => value,
            value = ready_counting("second", &second_polls) => value,
        };
        assert_eq!(winner, "first");
    }
    assert_eq!(first_polls.load(Ordering::SeqCst), 1_000);
    assert_eq!(second_polls.load(Ordering::SeqCst), 0);
}

#[spindle::test]
async fn biased_falls_through_to_the_first_ready_branch() {
    let (pending, polls, _) = Pending::new();
    let winner = spindle::select! {
        biased;
        () = pending => "pending",
        value = async { "ready" } => value,
    };
    assert_eq!(winner, "ready");
    assert_eq!(polls.load(Ordering::SeqCst), 1);
}

#[spindle::test]
async fn false_precondition_disables_its_branch_without_polling_it() {
    let ready_polls = AtomicUsize::new(0);
    for _ in 0..100 {
        let winner = spindle::select! {
            value = ready_counting(0, &ready_polls), if 1 + 1 == 3 => value,
            value = async { 1 } => value,
        };
        assert_eq!(winner, 1);
    }
    assert_eq!(ready_polls.load(Ordering::SeqCst), 0);
}

#[spindle::test]
async fn true_precondition_leaves_its_branch_enabled() {
    let enabled = true;
    let (pending, _, _) = Pending::new();
    let winner = spindle::select! {
        value = async { "enabled" }, if enabled => value,
        () = pending => "pending",
    };
    assert_eq!(winner, "enabled");
}

#[spindle::test]
async fn future_of_a_disabled_branch_is_still_evaluated_but_not_polled() {
    let (pending, polls, drops) = Pending::new();
    let outcome = spindle::select! {
        () = pending, if false => "pending",
        else => "else",
    };
    assert_eq!(outcome, "else");
    assert_eq!(polls.load(Ordering::SeqCst), 0);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[spindle::test]
async fn mismatched_pattern_lets_a_later_branch_win() {
    // Random start order: over 100 rounds the mismatching branches are tried first
    // in most rounds, and must never win.
    for _ in 0..100 {
        let winner = spindle::select! {
            Some(value) = async { None::<u32> } => value,
            Err(_) = async { Ok::<u32, ()>(3) } => 3,
            value = std::future::ready(7) => value + 100,
        };
        assert_eq!(winner, 107);
    }
}

#[spindle::test]
async fn else_runs_when_every_branch_is_disabled() {
    let outcome = spindle::select! {
        Some(value) = async { None::<u32> } => value,
        Ok(value) = async { Err::<u32, ()>(()) } => value,
        else => 99,
    };
    assert_eq!(outcome, 99);
}

#[spindle::test]
async fn else_does_not_run_while_a_branch_can_complete() {
    let outcome = spindle::select! {
        else => "else",
        value = async { "branch" } => value,
    };
    assert_eq!(outcome, "branch");
}

#[spindle::test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
async fn every_branch_disabled_without_else_panics() {
    let _: u32 = spindle::select! {
        Some(value) = async { None::<u32> } => value,
        value = async { 1 }, if false => value,
    };
}

#[spindle::test]
async fn losing_futures_are_dropped_before_the_handler_runs() {
    let (pending, polls, drops) = Pending::new();
    let drops_seen_by_handler = spindle::select! {
        () = pending => usize::MAX,
        () = async {} => drops.load(Ordering::SeqCst),
    };
    assert_eq!(drops_seen_by_handler, 1);
    assert!(polls.load(Ordering::SeqCst) <= 1);
}

#[spindle::test]
async fn select_waits_for_a_branch_woken_later() {
    let (value_tx, value_rx) = oneshot::channel();
    let (pending, _, _) = Pending::new();
    let sender = spindle::spawn(async move {
        spindle::task::yield_now().await;
        value_tx.send("sent later").unwrap();
    });
    let received = spindle::select! {
        Ok(value) = value_rx => value,
        () = pending => "never",
    };
    assert_eq!(received, "sent later");
    sender.await.unwrap();
}

#[spindle::test]
async fn handlers_can_break_continue_and_return_from_the_enclosing_code() {
    async fn first_even(values: &[u32]) -> Option<u32> {
        for &value in values {
            spindle::select! {
                odd = async { value }, if value % 2 == 1 => {
                    let _ = odd;
                    continue;
                }
                even = async { value }, if value % 2 == 0 => return Some(even),
            }
        }
        None
    }
    assert_eq!(first_even(&[1, 3, 4, 5]).await, Some(4));
    assert_eq!(first_even(&[1, 3]).await, None);

    let mut rounds = 0;
    loop {
        rounds += 1;
        spindle::select! {
            () = async {}, if rounds == 3 => break,
            else => continue,
        }
    }
    assert_eq!(rounds, 3);
}

#[spindle::test]
async fn handler_can_use_question_mark_and_await() {
    async fn parse_both(a: &str, b: &str) -> Result<u32, std::num::ParseIntError> {
        let total = spindle::select! {
            parsed = async { a.parse::<u32>() } => {
                let first = parsed?;
                first + async { b.parse::<u32>() }.await?
            }
        };
        Ok(total)
    }
    assert_eq!(parse_both("2", "3").await, Ok(5));
    assert!(parse_both("2", "x").await.is_err());
}

#[spindle::test]
async fn patterns_bind_by_value_with_mut_and_alternatives() {
    let text = spindle::select! {
        (mut text, _) = async { (String::from("a"), 1) } => {
            text.push('b');
            text
        }
    };
    assert_eq!(text, "ab");

    let either = spindle::select! {
        Ok(value) | Err(value) = async { Err::<u32, u32>(5) } => value,
    };
    assert_eq!(either, 5);

    let constant = spindle::select! {
        None = async { Some(1) } => 0,
        Some(2) = async { Some(1) } => 2,
        else => -1,
    };
    assert_eq!(constant, -1);
}

#[spindle::test]
async fn futures_can_be_borrowed_across_iterations_of_a_loop() {
    let (value_tx, mut value_rx) = oneshot::channel();
    let sender = spindle::spawn(async move {
        for _ in 0..3 {
            spindle::task::yield_now().await;
        }
        value_tx.send(11).unwrap();
    });
    let value = loop {
        spindle::select! {
            biased;
            Ok(value) = &mut value_rx => break value,
            () = spindle::task::yield_now() => {}
        }
    };
    assert_eq!(value, 11);
    sender.await.unwrap();
}

#[spindle::test]
async fn internal_names_do_not_shadow_the_callers_variables() {
    // Names the expansion uses internally; hygiene keeps them apart.
    let output = 1;
    let disabled = 2;
    let future_0 = 3;
    let winner = spindle::select! {
        value = async { output + disabled + future_0 } => value,
    };
    assert_eq!(winner, 6);
}

#[spindle::test]
async fn select_with_only_else_runs_else() {
    let outcome: u8 = spindle::select! {
        else => 4,
    };
    assert_eq!(outcome, 4);
}

#[spindle::test]
async fn many_branches_are_supported() {
    let winner = spindle::select! {
        biased;
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { None::<u8> } => v,
        Some(v) = async { Some(10_u8) } => v,
    };
    assert_eq!(winner, 10);
}

#[spindle::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_and_join_can_run_inside_spawned_tasks() {
    // `spawn` requires a `Send` future: this only compiles if the state the macros
    // keep across `.await` is `Send`.
    let task = spindle::spawn(async {
        let (value_tx, value_rx) = oneshot::channel();
        let (sent, received) = spindle::join!(async move { value_tx.send(3) }, async {
            spindle::select! {
                Ok(value) = value_rx => value,
                else => 0,
            }
        });
        let total: Result<(u32, u32), ()> =
            spindle::try_join!(async { Ok(received) }, async { Ok(1) });
        (sent.is_ok(), total)
    });
    assert_eq!(task.await.unwrap(), (true, Ok((3, 1))));
}
