//! Timeout: the value when the future wins, `Elapsed` when the deadline does.

mod support;

use std::future::{pending, ready};
use std::time::Duration;

use spindle_timers::time::{self, error::Elapsed, Instant};
use spindle_timers::Driver;
use support::{expect_panic, DriverLoop};

#[test]
fn timeout_of_a_ready_future_is_its_value() {
    let driver = Driver::new(true);
    let outcome = driver.block_on(async { time::timeout(Duration::from_secs(1), ready(42)).await });
    assert_eq!(outcome, Ok(42));
}

#[test]
fn timeout_of_a_pending_future_is_elapsed_at_its_deadline() {
    let driver = Driver::new(true);
    let (outcome, waited) = driver.block_on(async {
        let start = Instant::now();
        let outcome = time::timeout(Duration::from_secs(3600), pending::<()>()).await;
        (outcome, Instant::now() - start)
    });
    assert_eq!(outcome, Err(Elapsed::default_for_test()));
    assert_eq!(waited, Duration::from_secs(3600));
}

#[test]
fn timeout_on_the_real_clock_is_never_early() {
    let driver_loop = DriverLoop::start();
    let _entered = driver_loop.handle().enter();
    let deadline = Instant::now() + Duration::from_millis(20);
    let outcome = futures::executor::block_on(time::timeout_at(deadline, pending::<()>()));
    assert!(outcome.is_err());
    assert!(std::time::Instant::now() >= deadline.into_std());
}

#[test]
fn future_ready_before_the_deadline_wins_over_a_later_timeout() {
    let driver = Driver::new(true);
    let outcome = driver.block_on(async {
        time::timeout(Duration::from_secs(10), async {
            time::sleep(Duration::from_secs(5)).await;
            "done"
        })
        .await
    });
    assert_eq!(outcome, Ok("done"));
}

#[test]
fn timeout_of_duration_max_does_not_overflow() {
    let driver = Driver::new(true);
    let outcome = driver.block_on(async { time::timeout(Duration::MAX, ready(1)).await });
    assert_eq!(outcome, Ok(1));
}

/// A future that is ready with its label at once.
struct Labelled(u32);

impl std::future::Future for Labelled {
    type Output = u32;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<u32> {
        std::task::Poll::Ready(self.0)
    }
}

#[test]
fn timeout_gives_access_to_its_future() {
    let driver = Driver::new(true);
    let _entered = driver.handle().enter();
    let mut timeout = time::timeout(Duration::from_secs(1), Labelled(5));
    assert_eq!(timeout.get_ref().0, 5);
    timeout.get_mut().0 = 6;
    assert_eq!(timeout.into_inner().0, 6);
}

#[test]
fn elapsed_reads_as_a_timed_out_error() {
    let driver = Driver::new(true);
    let elapsed = driver
        .block_on(async { time::timeout(Duration::from_millis(1), pending::<()>()).await })
        .expect_err("the pending future cannot win");
    assert_eq!(elapsed.to_string(), "deadline has elapsed");
    let io: std::io::Error = elapsed.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn timeout_of_a_future_that_spends_the_whole_budget_still_elapses() {
    let driver = Driver::new(true);
    let outcome = driver.block_on(async {
        time::timeout(Duration::from_millis(1), async {
            loop {
                spindle_sync::coop::consume_budget().await;
                time::advance(Duration::from_millis(1)).await;
            }
        })
        .await
    });
    assert!(outcome.is_err());
}

#[test]
fn timeout_outside_a_runtime_panics_naming_the_call() {
    let message = expect_panic(|| time::timeout(Duration::from_millis(1), ready(())));
    assert!(
        message.contains("spindle::time::timeout called outside a runtime"),
        "{message}"
    );
    let message = expect_panic(|| time::timeout_at(Instant::now(), ready(())));
    assert!(
        message.contains("spindle::time::timeout_at called outside a runtime"),
        "{message}"
    );
}

/// `Elapsed` has no public constructor (as in tokio); get one from a real timeout.
trait ElapsedForTest {
    fn default_for_test() -> Elapsed;
}

impl ElapsedForTest for Elapsed {
    fn default_for_test() -> Elapsed {
        let driver = Driver::new(true);
        match driver.block_on(async { time::timeout(Duration::ZERO, pending::<()>()).await }) {
            Err(elapsed) => elapsed,
            Ok(()) => unreachable!("pending never completes"),
        }
    }
}
