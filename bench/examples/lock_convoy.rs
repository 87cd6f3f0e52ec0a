//! A pure lock convoy, for instruction counts of the semaphore's wait queue: 100 tasks
//! on a current-thread runtime each take spindle's `Mutex` 1 000 times and yield while
//! holding it, so every other locker queues and every hand-over goes through the queue.
//! One thread, so the count is the same on every run:
//!
//! ```sh
//! cargo build --release -p spindle-bench --example lock_convoy
//! valgrind --tool=callgrind --dump-instr=no target/release/examples/lock_convoy
//! ```

use std::sync::Arc;

const TASKS: usize = 100;
const LOCKS: usize = 1_000;

fn main() {
    let runtime = spindle::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime needs no OS resources that can run out here");
    let total = runtime.block_on(async {
        let mutex = Arc::new(spindle::sync::Mutex::new(0usize));
        let lockers: Vec<_> = (0..TASKS)
            .map(|_| {
                let mutex = Arc::clone(&mutex);
                spindle::spawn(async move {
                    for _ in 0..LOCKS {
                        let mut guard = mutex.lock().await;
                        *guard += 1;
                        spindle::task::yield_now().await;
                    }
                })
            })
            .collect();
        for locker in lockers {
            locker.await.expect("a locker panicked");
        }
        let total = *mutex.lock().await;
        total
    });
    assert_eq!(total, TASKS * LOCKS, "an increment was lost");
    println!("{total} increments through a {TASKS}-task convoy");
}
