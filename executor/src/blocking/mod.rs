//! The blocking pool: threads for synchronous work that must not stall a worker.
//!
//! `spawn_blocking` wraps the closure in a task cell (the same cell as async tasks, so
//! the `JoinHandle` and `JoinError` are the same) and queues it on a crossbeam-channel
//! MPMC queue (behind `channel_seam.rs`, which swaps in a loom stand-in for the models).
//! Up to `max_blocking_threads` threads take from it; an idle thread
//! waits in `recv_timeout(thread_keep_alive)` and exits when that times out.
//!
//! Accounting is exact, so a queued task never waits for a busy thread while the cap
//! allows a new one: `num_idle` counts idle threads minus queued tasks. A spawn claims
//! an idle thread by decrementing it, or starts a thread when none is free; a thread
//! that finishes a task adds itself back; a thread may only time out and exit while
//! `num_idle > 0`, so it never leaves a queued task behind.

mod channel_seam;
mod pool;
mod task;

pub(crate) use pool::Spawner;
