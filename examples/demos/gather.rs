//! asyncio's `gather`: two simulated fetches, of 2 s and 1 s, run side by side.
//!
//! Both start at once; the shorter finishes first, and the pair takes about 2 s, the
//! longer of the two, rather than the 3 s of running them one after the other. The
//! results come back in the order the fetches were given, as asyncio's `gather`
//! returns them, whatever order they finished in.

use spindle::time::{sleep, Instant};

use super::{seconds, show};

/// One simulated download: waits `duration_seconds` (scaled) and returns its page.
async fn fetch(url: &'static str, duration_seconds: f64) -> String {
    let started = Instant::now();
    println!("fetch {url}: started, takes {duration_seconds} s");
    sleep(seconds(duration_seconds)).await;
    println!("fetch {url}: done after {}", show(started.elapsed()));
    format!("<page of {url}>")
}

/// Runs the demo.
pub async fn run() {
    let started = Instant::now();
    // Each fetch is its own task, as with asyncio.create_task; join! awaits both.
    let (slow, fast) = spindle::join!(
        spindle::spawn(fetch("slow.example", 2.0)),
        spindle::spawn(fetch("fast.example", 1.0)),
    );
    let pages = [slow.expect("slow fetch"), fast.expect("fast fetch")];
    println!("gather returned {pages:?}");
    println!(
        "both fetches took {} together, not the {} of one after the other",
        show(started.elapsed()),
        show(seconds(3.0))
    );
}
