//! Timers fire in deadline order and never early, fired by a driver loop thread.

mod support;

use std::sync::{Arc, Mutex};
use std::task::{Poll, Wake, Waker};
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use spindle_timers::time::{self, Instant};
use support::{poll_noop, poll_once, CountingWaker, DriverLoop, Rng};

/// Records, at wake time, which timer fired and the real time it fired at.
struct FireRecorder {
    index: usize,
    log: Arc<Mutex<Vec<(usize, std::time::Instant)>>>,
    fired: Arc<CountingWaker>,
}

impl Wake for FireRecorder {
    fn wake(self: Arc<Self>) {
        let now = std::time::Instant::now();
        self.log
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .push((self.index, now));
        self.fired.wake_by_ref();
    }
}

#[test]
fn ten_thousand_random_timers_fire_in_deadline_order_and_never_early() {
    const TIMERS: usize = 10_000;
    let driver_loop = DriverLoop::start();
    let _entered = driver_loop.handle().enter();
    let log = Arc::new(Mutex::new(Vec::with_capacity(TIMERS)));
    let fired = CountingWaker::new();
    let mut rng = Rng(0x5eed);
    let start = Instant::now();
    let mut sleeps = Vec::with_capacity(TIMERS);
    let mut registered = 0;
    for index in 0..TIMERS {
        let deadline = start + Duration::from_micros(50_000 + rng.below(250_000));
        let mut sleep = time::sleep_until(deadline);
        let waker = Waker::from(Arc::new(FireRecorder {
            index,
            log: Arc::clone(&log),
            fired: Arc::clone(&fired),
        }));
        if poll_once(&mut sleep, &waker).is_pending() {
            registered += 1;
        }
        sleeps.push(sleep);
    }

    fired.wait_for(registered);

    let log = log.lock().unwrap_or_else(|poison| poison.into_inner());
    assert_eq!(
        log.len(),
        registered,
        "each registered timer fires exactly once"
    );
    let mut previous = start;
    for &(index, fired_at) in log.iter() {
        let deadline = sleeps[index].deadline();
        assert!(
            fired_at >= deadline.into_std(),
            "timer {index} fired {:?} early",
            deadline.into_std() - fired_at
        );
        assert!(
            deadline >= previous,
            "timer {index} fired out of deadline order"
        );
        previous = deadline;
    }
    for sleep in &mut sleeps {
        assert_eq!(poll_noop(sleep), Poll::Ready(()));
    }
    assert_eq!(driver_loop.driver().pending_timers(), 0);

    // Informational, not asserted: how late the wakes were on this machine.
    let mut lateness: Vec<Duration> = log
        .iter()
        .map(|&(index, fired_at)| fired_at - sleeps[index].deadline().into_std())
        .collect();
    lateness.sort_unstable();
    if let (Some(median), Some(max)) = (lateness.get(lateness.len() / 2), lateness.last()) {
        eprintln!("wake lateness: median {median:?}, max {max:?}");
    }
}

#[test]
fn sleeps_awaited_on_another_thread_complete_never_before_their_deadline() {
    let driver_loop = DriverLoop::start();
    let handle = driver_loop.handle();
    let mut rng = Rng(7);
    let delays: Vec<Duration> = (0..1_000)
        .map(|_| Duration::from_micros(rng.below(100_000)))
        .collect();
    let worker = std::thread::spawn(move || {
        let _entered = handle.enter();
        futures::executor::block_on(async {
            let mut running: FuturesUnordered<_> = delays
                .into_iter()
                .map(|delay| async move {
                    let sleep = time::sleep(delay);
                    let deadline = sleep.deadline();
                    sleep.await;
                    (deadline, std::time::Instant::now())
                })
                .collect();
            let mut completed = 0;
            while let Some((deadline, completed_at)) = running.next().await {
                assert!(
                    completed_at >= deadline.into_std(),
                    "a sleep completed early"
                );
                completed += 1;
            }
            completed
        })
    });
    let completed = worker.join().expect("the awaiting thread does not panic");
    assert_eq!(completed, 1_000);
}
