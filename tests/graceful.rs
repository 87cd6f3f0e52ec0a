//! Graceful shutdown: `Handle::shutdown_token` and `Runtime::shutdown_graceful`, on both
//! runtime flavours. (The signal wiring of `#[spindle::main(graceful_shutdown)]` is in
//! `graceful_signal.rs`.)

mod support;

use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use spindle::io::{AsyncBufReadExt, AsyncWriteExt};
use spindle::net::TcpListener;
use spindle::runtime::DrainOutcome;
use support::{DropCounter, Flavour, GENEROUS};

flavour_tests!(
    tasks_finish_their_async_cleanup_after_the_token_is_cancelled,
    a_task_ignoring_the_token_is_dropped_at_the_deadline_and_named,
    stop_now_ends_the_drain_early_and_drops_what_is_left,
    a_server_under_load_answers_every_accepted_request_while_draining,
    a_drain_with_no_tasks_is_clean,
    the_deadline_holds_on_a_runtime_without_a_timer,
);

fn tasks_finish_their_async_cleanup_after_the_token_is_cancelled(flavour: Flavour) {
    let rt = flavour.runtime();
    let cleaned_up = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let token = rt.handle().shutdown_token();
        let cleaned_up = cleaned_up.clone();
        rt.spawn(async move {
            token.cancelled().await;
            // Cleanup that itself needs the runtime: a timer and a yield.
            spindle::time::sleep(Duration::from_millis(1)).await;
            spindle::task::yield_now().await;
            cleaned_up.fetch_add(1, SeqCst);
        });
    }

    let report = rt.shutdown_graceful(GENEROUS);

    assert_eq!(report.outcome(), DrainOutcome::Drained, "{report}");
    assert!(report.remaining_tasks().is_empty());
    assert_eq!(cleaned_up.load(SeqCst), 100);
}

fn a_task_ignoring_the_token_is_dropped_at_the_deadline_and_named(flavour: Flavour) {
    // A paused clock: the deadline arrives as soon as everything is idle.
    let rt = flavour.paused_runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    rt.block_on(async {
        let (polled, was_polled) = spindle::sync::oneshot::channel();
        spindle::task::Builder::new()
            .name("stubborn")
            .spawn(async move {
                let _counter = counter;
                polled.send(()).expect("the test waits");
                std::future::pending::<()>().await;
            })
            .expect("spawn");
        was_polled.await.expect("the task ran");
    });
    let well_behaved = rt.handle().shutdown_token();
    rt.spawn(async move { well_behaved.cancelled().await });

    let report = rt.shutdown_graceful(Duration::from_secs(10));

    assert_eq!(report.outcome(), DrainOutcome::TimedOut, "{report}");
    let [stubborn] = report.remaining_tasks() else {
        panic!("expected exactly the stubborn task, got {report}");
    };
    assert_eq!(stubborn.name.as_deref(), Some("stubborn"));
    assert!(stubborn.spawned_at.file().ends_with("graceful.rs"));
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the stubborn task's future was dropped"
    );
    let text = report.to_string();
    assert!(
        text.contains("timed out") && text.contains("\"stubborn\""),
        "{text}"
    );
}

fn stop_now_ends_the_drain_early_and_drops_what_is_left(flavour: Flavour) {
    let rt = flavour.runtime();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    rt.spawn(async move {
        let _counter = counter;
        std::future::pending::<()>().await;
    });
    let (stop, stop_requested) = spindle::sync::oneshot::channel::<()>();
    stop.send(()).expect("the receiver is alive");

    let report = rt.shutdown_graceful_or(GENEROUS, async {
        let _ = stop_requested.await;
    });

    assert_eq!(report.outcome(), DrainOutcome::EndedEarly, "{report}");
    assert_eq!(report.remaining_tasks().len(), 1);
    assert_eq!(drops.load(SeqCst), 1);
}

fn the_deadline_holds_on_a_runtime_without_a_timer(flavour: Flavour) {
    let rt = flavour.builder().build().expect("runtime builds");
    rt.spawn(std::future::pending::<()>());
    let report = rt.shutdown_graceful(Duration::from_millis(10));
    assert_eq!(report.outcome(), DrainOutcome::TimedOut, "{report}");
    assert_eq!(report.remaining_tasks().len(), 1);
}

fn a_drain_with_no_tasks_is_clean(flavour: Flavour) {
    let rt = flavour.runtime();
    let report = rt.shutdown_graceful(GENEROUS);
    assert!(report.is_drained(), "{report}");
}

/// 100 clients each have a request accepted and in flight when the shutdown starts;
/// handlers answer only once the token is cancelled, so every answer is given during
/// the drain. The accept loop stops at the token, so the port is closed afterwards.
fn a_server_under_load_answers_every_accepted_request_while_draining(flavour: Flavour) {
    const CLIENTS: usize = 100;
    let rt = flavour.runtime();
    let token = rt.handle().shutdown_token();
    let (listening, listener_addr) = spindle::sync::oneshot::channel();
    let (accepted, mut accepted_requests) = spindle::sync::mpsc::unbounded_channel::<()>();
    rt.spawn(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listening
            .send(listener.local_addr().expect("address"))
            .expect("the test waits");
        loop {
            spindle::select! {
                connection = listener.accept() => {
                    let (socket, _) = connection.expect("accept");
                    let token = token.clone();
                    let accepted = accepted.clone();
                    spindle::spawn(async move {
                        let (reader, mut writer) = socket.into_split();
                        let mut reader = spindle::io::BufReader::new(reader);
                        let mut request = String::new();
                        reader.read_line(&mut request).await.expect("read the request");
                        accepted.send(()).expect("the test waits");
                        token.cancelled().await;
                        let answer = format!("answer to {request}");
                        writer.write_all(answer.as_bytes()).await.expect("write the answer");
                    });
                }
                _ = token.cancelled() => break,
            }
        }
    });
    let addr = rt.block_on(listener_addr).expect("the server listens");

    // Blocking clients on their own threads, so a current-thread runtime can serve
    // them from `block_on` meanwhile.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            std::thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect(addr).expect("connect");
                stream
                    .write_all(format!("request {client}\n").as_bytes())
                    .expect("send");
                let mut answer = String::new();
                BufReader::new(stream)
                    .read_line(&mut answer)
                    .expect("read the answer");
                answer
            })
        })
        .collect();
    rt.block_on(async {
        for _ in 0..CLIENTS {
            accepted_requests
                .recv()
                .await
                .expect("every request is accepted");
        }
    });

    let report = rt.shutdown_graceful(GENEROUS);

    assert_eq!(report.outcome(), DrainOutcome::Drained, "{report}");
    for (client, answer) in clients.into_iter().enumerate() {
        assert_eq!(
            answer.join().expect("client thread"),
            format!("answer to request {client}\n")
        );
    }
    let refused = std::net::TcpStream::connect(addr).expect_err("the port is closed");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn shutdown_graceful_inside_a_runtime_panics_with_advice() {
    let outer = Flavour::CurrentThread.runtime();
    let inner = Flavour::CurrentThread.runtime();
    let message = outer.block_on(async move {
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            inner.shutdown_graceful(GENEROUS)
        }))
        .expect_err("it panics");
        support::panic_message(payload)
    });
    assert!(
        message.contains("shutdown_graceful called from inside a runtime"),
        "{message}"
    );
}
