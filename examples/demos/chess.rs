//! asyncio's favourite picture of concurrency: Judit Polgár's simultaneous exhibition.
//!
//! She plays 24 boards at once. Each of her moves takes 5 s, each opponent's reply
//! 55 s, and a game is 30 move pairs. Played one board after another, the exhibition
//! would last 24 × 30 × (5 s + 55 s) = 12 h; played simultaneously, she moves on one
//! board while the 23 other opponents think, and it lasts about 24 × 30 × 5 s = 1 h.
//!
//! Judit is a [`Mutex`]: one board at a time has her attention, and the fair (FIFO)
//! lock passes her round the tables in order. Opponents think concurrently. Time is
//! compressed so that an exhibition hour passes in 3 s (times `SPINDLE_DEMO_SCALE`);
//! the totals are printed in exhibition time.

use std::sync::Arc;
use std::time::Duration;

use spindle::sync::Mutex;
use spindle::time::{sleep, Instant};

use super::{seconds, time_factor};

const BOARDS: u32 = 24;
const JUDIT_MOVE_SECONDS: f64 = 5.0;
const OPPONENT_MOVE_SECONDS: f64 = 55.0;
const MOVE_PAIRS: u32 = 30;
/// Exhibition seconds per real second: an exhibition hour passes in 3 s.
const COMPRESSION: f64 = 1200.0;

/// Real time for `exhibition_seconds` of play.
fn play(exhibition_seconds: f64) -> Duration {
    seconds(exhibition_seconds / COMPRESSION)
}

/// Real time measured back into exhibition time.
fn exhibition_time(real: Duration) -> Duration {
    Duration::from_secs_f64(real.as_secs_f64() * COMPRESSION / time_factor())
}

/// `1 h 0 min 25 s`.
fn clock(duration: Duration) -> String {
    let total = duration.as_secs();
    format!(
        "{} h {} min {} s",
        total / 3600,
        total / 60 % 60,
        total % 60
    )
}

async fn game(board: u32, judit: Arc<Mutex<()>>, started: Instant) {
    for _ in 0..MOVE_PAIRS {
        {
            let _her_attention = judit.lock().await;
            sleep(play(JUDIT_MOVE_SECONDS)).await;
        }
        sleep(play(OPPONENT_MOVE_SECONDS)).await;
    }
    println!(
        "board {board:>2}: game over at {}",
        clock(exhibition_time(started.elapsed()))
    );
}

/// Runs the demo.
pub async fn run() {
    let sequential_seconds =
        f64::from(BOARDS * MOVE_PAIRS) * (JUDIT_MOVE_SECONDS + OPPONENT_MOVE_SECONDS);
    println!(
        "{BOARDS} boards, {MOVE_PAIRS} move pairs each: Judit moves in {JUDIT_MOVE_SECONDS} s, \
         each opponent in {OPPONENT_MOVE_SECONDS} s"
    );
    let judit = Arc::new(Mutex::new(()));
    let started = Instant::now();
    let games: Vec<_> = (1..=BOARDS)
        .map(|board| spindle::spawn(game(board, judit.clone(), started)))
        .collect();
    for game in games {
        game.await.expect("game finished");
    }
    let real = started.elapsed();
    println!(
        "sequential exhibition: {} (computed: {BOARDS} × {MOVE_PAIRS} × ({JUDIT_MOVE_SECONDS} s + {OPPONENT_MOVE_SECONDS} s))",
        clock(Duration::from_secs_f64(sequential_seconds))
    );
    println!(
        "concurrent exhibition: {} (measured: {:.2} s on the runtime's clock)",
        clock(exhibition_time(real)),
        real.as_secs_f64()
    );
}
