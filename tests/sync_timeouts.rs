//! `mpsc::Sender::send_timeout` on a runtime: the primitive sleeps on the runtime's
//! timer through the hook the timers register, so the paused test clock applies.

mod support;

use std::time::Duration;

use spindle::sync::mpsc::{self, error::SendTimeoutError};
use support::Flavour;

flavour_tests!(
    send_timeout_on_a_full_channel_times_out_and_returns_the_value,
    send_timeout_succeeds_once_the_receiver_makes_room,
);

fn send_timeout_on_a_full_channel_times_out_and_returns_the_value(flavour: Flavour) {
    flavour.paused_runtime().block_on(async {
        let (tx, _rx) = mpsc::channel::<u32>(1);
        tx.send(1).await.expect("room for one");
        let start = spindle::time::Instant::now();
        match tx.send_timeout(2, Duration::from_secs(5)).await {
            Err(SendTimeoutError::Timeout(value)) => assert_eq!(value, 2),
            other => panic!("expected a timeout, got {other:?}"),
        }
        // On the paused clock the wait is exactly the timeout.
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    });
}

fn send_timeout_succeeds_once_the_receiver_makes_room(flavour: Flavour) {
    flavour.paused_runtime().block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.send(1).await.expect("room for one");
        let receiver = spindle::spawn(async move {
            spindle::time::sleep(Duration::from_secs(1)).await;
            let first = rx.recv().await;
            (first, rx.recv().await)
        });
        tx.send_timeout(2, Duration::from_secs(60))
            .await
            .expect("the receiver makes room before the timeout");
        drop(tx);
        assert_eq!(receiver.await.expect("receiver task"), (Some(1), Some(2)));
    });
}
