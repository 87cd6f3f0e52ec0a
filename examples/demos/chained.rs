//! asyncio's `chained.py`: three chains of two dependent steps each.
//!
//! In each chain `part2` needs `part1`'s result, so the two run in order; the three
//! chains run concurrently. Each part sleeps a "random" 0 to 2 s, and the whole takes
//! as long as the slowest chain, not the sum of all six parts. The waits are drawn
//! from a seeded generator before the chains start (asyncio draws them as it goes, but
//! on one thread; here the chains run on several), so every run is alike.

use std::time::Duration;

use spindle::time::{sleep, Instant};

use super::{seconds, show, SeededRandom};

async fn part1(n: u32, wait: f64) -> String {
    println!("part1({n}) sleeping for {wait} seconds.");
    sleep(seconds(wait)).await;
    let result = format!("result{n}-1");
    println!("Returning part1({n}) == {result}.");
    result
}

async fn part2(n: u32, arg: String, wait: f64) -> String {
    println!("part2({n}, {arg}) sleeping for {wait} seconds.");
    sleep(seconds(wait)).await;
    let result = format!("result{n}-2 derived from {arg}");
    println!("Returning part2({n}, {arg}) == {result}.");
    result
}

/// One chain: part1, then part2 on its result. Returns the time it took.
async fn chain(n: u32, waits: (f64, f64)) -> Duration {
    let started = Instant::now();
    let first = part1(n, waits.0).await;
    let second = part2(n, first, waits.1).await;
    let took = started.elapsed();
    println!("-->Chained result{n} => {second} (took {}).", show(took));
    took
}

/// Runs the demo.
pub async fn run() {
    let mut random = SeededRandom::new(444);
    // Up to 2 s, in tenths.
    let mut random_wait = || random.between(0, 20) as f64 / 10.0;
    let started = Instant::now();
    let chains: Vec<_> = (1..=3)
        .map(|n| {
            let waits = (random_wait(), random_wait());
            spindle::spawn(chain(n, waits))
        })
        .collect();
    let mut sum = Duration::ZERO;
    for chain in chains {
        sum += chain.await.expect("chain finished");
    }
    println!(
        "Program finished in {}; the chains alone add up to {}.",
        show(started.elapsed()),
        show(sum)
    );
}
