//! asyncio's `countasync.py`: three counters each print "One", wait a second, and
//! print "Two".
//!
//! Run concurrently, all three say "One" before any says "Two", and the whole takes
//! about 1 s; run one after another (`countsync.py`), it is One Two, One Two, One Two
//! in about 3 s. The waiting is what overlaps.

use spindle::time::{sleep, Instant};

use super::{seconds, show};

async fn count() {
    println!("One");
    sleep(seconds(1.0)).await;
    println!("Two");
}

/// Runs the demo: concurrently first, then sequentially.
pub async fn run() {
    println!("concurrently (asyncio.gather(count(), count(), count())):");
    let started = Instant::now();
    spindle::join!(count(), count(), count());
    println!("concurrently: {}", show(started.elapsed()));

    println!("sequentially (count(); count(); count()):");
    let started = Instant::now();
    for _ in 0..3 {
        count().await;
    }
    println!("sequentially: {}", show(started.elapsed()));
}
