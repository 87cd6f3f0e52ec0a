//! `spindle::signal` with real signals sent to this test process by the `kill` program.
//!
//! Signal dispositions are process-wide, so every test in this binary uses its own
//! signal (SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGINT): tests run in parallel threads,
//! and a test running on both flavours only counts on seeing at least one delivery.

use std::pin::pin;

use futures::poll;
use spindle::signal::unix::{signal, SignalKind};

mod support;

use support::Flavour;

flavour_tests!(
    recv_resolves_after_the_signal_is_sent,
    every_listener_of_a_signal_is_woken,
    a_signal_sent_before_recv_is_not_lost,
);

/// Sends `name` (e.g. "USR1") to this process, as another process would.
fn send_to_self(name: &str) {
    let status = std::process::Command::new("kill")
        .args(["-s", name, &std::process::id().to_string()])
        .status()
        .expect("the kill program runs");
    assert!(status.success(), "kill -s {name} failed");
}

fn recv_resolves_after_the_signal_is_sent(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut user1 = signal(SignalKind::user_defined1()).unwrap();
        send_to_self("USR1");
        assert_eq!(user1.recv().await, Some(()));
    });
}

fn every_listener_of_a_signal_is_woken(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut first = signal(SignalKind::user_defined2()).unwrap();
        let mut second = signal(SignalKind::user_defined2()).unwrap();
        // Both listeners exist before the signal is sent; each waits in its own task.
        let first = spindle::spawn(async move { first.recv().await });
        let second = spindle::spawn(async move { second.recv().await });
        spindle::task::yield_now().await;
        send_to_self("USR2");
        assert_eq!(first.await.unwrap(), Some(()));
        assert_eq!(second.await.unwrap(), Some(()));
    });
}

fn a_signal_sent_before_recv_is_not_lost(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut late = signal(SignalKind::hangup()).unwrap();
        let mut witness = signal(SignalKind::hangup()).unwrap();
        send_to_self("HUP");
        // Once the witness saw it, the delivery is over before `late` ever polls.
        assert_eq!(witness.recv().await, Some(()));
        assert_eq!(late.recv().await, Some(()));
    });
}

#[test]
fn deliveries_between_two_recvs_coalesce_and_are_not_lost() {
    Flavour::MultiThread.runtime().block_on(async {
        let mut listener = signal(SignalKind::window_change()).unwrap();
        let mut witness = signal(SignalKind::window_change()).unwrap();
        send_to_self("WINCH");
        assert_eq!(witness.recv().await, Some(()));
        send_to_self("WINCH");
        assert_eq!(witness.recv().await, Some(()));
        // Two deliveries happened while `listener` was not polled: at least one shows.
        assert_eq!(listener.recv().await, Some(()));
    });
}

#[test]
fn ctrl_c_resolves_on_sigint() {
    Flavour::CurrentThread.runtime().block_on(async {
        let mut ctrl_c = pin!(spindle::signal::ctrl_c());
        // The first poll installs the handler; only then is SIGINT safe to send.
        assert!(poll!(ctrl_c.as_mut()).is_pending());
        send_to_self("INT");
        ctrl_c.await.unwrap();
    });
}

#[test]
fn signal_listener_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<spindle::signal::unix::Signal>();
}

#[test]
fn uncatchable_and_fault_signals_are_refused_with_invalid_input() {
    for (signum, name) in [
        (9, "SIGKILL"),
        (19, "SIGSTOP"),
        (11, "SIGSEGV"),
        (4, "SIGILL"),
    ] {
        let err = signal(SignalKind::from_raw(signum)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(name), "{err}");
    }
    let err = signal(SignalKind::from_raw(0)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn task_dump_is_taken_on_each_signal() {
    let rt = spindle::runtime::Runtime::new().unwrap();
    let (dumps_tx, dumps_rx) = std::sync::mpsc::channel();
    let dumps_tx = std::sync::Mutex::new(dumps_tx);
    let _waiting = rt.block_on(async {
        spindle::debug::on_signal_dump(spindle::signal::unix::SignalKind::alarm(), move |dump| {
            let _ = dumps_tx.lock().unwrap().send(dump.to_string());
        })
        .unwrap();
        let waiting = spindle::task::Builder::new()
            .name("waiting-for-the-dump")
            .spawn(std::future::pending::<()>())
            .unwrap();
        // Let the listener task install its handler before the signal is sent.
        spindle::task::yield_now().await;
        // In a Vec so that clippy does not take the handle for a forgotten await.
        vec![waiting]
    });
    let status = std::process::Command::new("kill")
        .args(["-s", "ALRM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let dump = dumps_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("a dump after the signal");
    assert!(dump.contains("waiting-for-the-dump"), "{dump}");
}
