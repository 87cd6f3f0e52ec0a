//! The engine of `#[spindle::main(graceful_shutdown = "10s")]`: ctrl-c or SIGTERM starts
//! a graceful shutdown, a second one ends it at once.
//!
//! The first signal cancels the runtime's shutdown token
//! ([`Handle::shutdown_token`](crate::runtime::Handle::shutdown_token)) and gives `main`
//! and every task the configured time to wind down: `main` usually stops accepting work
//! when it sees the token, returns, and the spawned tasks finish what they had started.
//! When `main` returns, with or without a signal, the runtime drains its tasks with
//! [`Runtime::shutdown_graceful_or`] for what is left of the time, and a report of any
//! task still alive at the end goes to stderr. A second signal, or the deadline, ends
//! the wait; if a signal started the shutdown and it did not complete, the process
//! exits with status 128 + the signal's number, as a process killed by it would.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::runtime::Runtime;
use crate::signal::unix::{signal, Signal, SignalKind};

/// ctrl-c (SIGINT) and SIGTERM, the signals that ask a server to stop.
struct StopSignals {
    listeners: Vec<(SignalKind, Signal)>,
}

impl StopSignals {
    fn listen() -> StopSignals {
        let mut listeners = Vec::new();
        for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
            match signal(kind) {
                Ok(listener) => listeners.push((kind, listener)),
                // Leave the default action (exit) in place rather than fail to start.
                Err(error) => eprintln!(
                    "spindle: graceful shutdown cannot listen for signal {}: {error}; that \
                     signal will stop the process at once",
                    kind.as_raw_value()
                ),
            }
        }
        StopSignals { listeners }
    }

    /// The next stop signal to arrive; never completes when none could be listened for.
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<SignalKind> {
        for (kind, listener) in &mut self.listeners {
            if listener.poll_recv(cx).is_ready() {
                return Poll::Ready(*kind);
            }
        }
        Poll::Pending
    }

    async fn next(&mut self) -> SignalKind {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }
}

/// How `main` ended.
enum MainEnd<T> {
    /// It returned, and no stop signal came first.
    Returned(T),
    /// A stop signal came; `main` returned within the time given.
    ReturnedAfterSignal(T, SignalKind, Instant),
    /// A stop signal came and `main` had not returned when the time ran out or a second
    /// signal came.
    CutShort(SignalKind),
}

/// Runs `main` on `runtime` with ctrl-c / SIGTERM wired to a graceful shutdown of up to
/// `timeout`, then drains the runtime. Called by `#[spindle::main(graceful_shutdown)]`.
pub fn block_on_with_graceful_shutdown<F: Future>(
    runtime: Runtime,
    timeout: Duration,
    main: F,
) -> F::Output {
    let mut signals = StopSignals::listen();
    let token = runtime.handle().shutdown_token();
    let end = runtime.block_on(async {
        let mut main = pin!(main);
        let first = std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = main.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            signals.poll_next(cx).map(Err)
        })
        .await;
        let kind = match first {
            Ok(output) => return MainEnd::Returned(output),
            Err(kind) => kind,
        };
        let signalled_at = Instant::now();
        eprintln!(
            "spindle: signal {} received: shutting down gracefully (up to {:.1}s); send it \
             again to stop at once",
            kind.as_raw_value(),
            timeout.as_secs_f64()
        );
        token.cancel();
        let mut deadline = pin!(crate::time::sleep(timeout));
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = main.as_mut().poll(cx) {
                return Poll::Ready(MainEnd::ReturnedAfterSignal(output, kind, signalled_at));
            }
            if signals.poll_next(cx).is_ready() || deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(MainEnd::CutShort(kind));
            }
            Poll::Pending
        })
        .await
    });

    // What is left of the time for the spawned tasks, once `main` is done.
    let (output, signalled, left) = match end {
        MainEnd::Returned(output) => (Some(output), None, timeout),
        MainEnd::ReturnedAfterSignal(output, kind, at) => (
            Some(output),
            Some(kind),
            timeout.saturating_sub(at.elapsed()),
        ),
        MainEnd::CutShort(kind) => {
            eprintln!("spindle: main did not return in time; it was dropped");
            (None, Some(kind), Duration::ZERO)
        }
    };
    let report = runtime.shutdown_graceful_or(left, async {
        signals.next().await;
    });
    if !report.is_drained() {
        eprintln!("spindle: {report}");
    }
    match (output, signalled) {
        (Some(output), None) => output,
        (Some(output), Some(_)) if report.is_drained() => output,
        (_, Some(kind)) => std::process::exit(128 + kind.as_raw_value()),
        (None, None) => unreachable!("main is only cut short after a signal"),
    }
}
