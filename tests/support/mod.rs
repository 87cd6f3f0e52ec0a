//! Shared by the integration tests: both runtime flavours, and small helpers.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use spindle::runtime::{Builder, Runtime};

#[derive(Clone, Copy, Debug)]
pub enum Flavour {
    MultiThread,
    CurrentThread,
}

impl Flavour {
    /// A builder of this flavour; the multi-thread one has two workers, so stealing
    /// and cross-thread wakes happen even on a one-core machine.
    pub fn builder(self) -> Builder {
        match self {
            Flavour::MultiThread => {
                let mut builder = Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
            Flavour::CurrentThread => Builder::new_current_thread(),
        }
    }

    pub fn runtime(self) -> Runtime {
        self.builder().enable_all().build().expect("runtime builds")
    }

    pub fn paused_runtime(self) -> Runtime {
        self.builder()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("runtime builds")
    }
}

/// Counts how many times values of this type were dropped.
pub struct DropCounter(pub Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A safety net for blocking receives: a failing test reports instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(30);

/// Runs each named test function on both runtime flavours, each under the
/// [`GENEROUS`] deadline of [`within`], so a hang fails with the test's name.
#[macro_export]
macro_rules! flavour_tests {
    ($($test:ident),* $(,)?) => {
        mod multi_thread {
            $( #[test] fn $test() {
                $crate::support::within($crate::support::GENEROUS, || super::$test(super::Flavour::MultiThread));
            } )*
        }
        mod current_thread {
            $( #[test] fn $test() {
                $crate::support::within($crate::support::GENEROUS, || super::$test(super::Flavour::CurrentThread));
            } )*
        }
    };
}

pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|message| message.to_string())
            .unwrap_or_default(),
    }
}

/// Runs `scenario` on its own thread and fails the test if it takes longer than
/// `limit`: a runtime that hangs would otherwise hang the test run (the stuck thread
/// is leaked). Under a slow harness such as valgrind (`SPINDLE_TEST_SLOW` set), the
/// limit is stretched twentyfold.
pub fn within<T: Send + 'static>(
    limit: Duration,
    scenario: impl FnOnce() -> T + Send + 'static,
) -> T {
    let limit = if std::env::var_os("SPINDLE_TEST_SLOW").is_some() {
        limit * 20
    } else {
        limit
    };
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    // The scenario thread keeps the test's name (a simulation report's replay
    // command names the test from it).
    let name = std::thread::current()
        .name()
        .unwrap_or("scenario")
        .to_owned();
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scenario));
            let _ = done_tx.send(outcome);
        })
        .expect("spawn the scenario thread");
    match done_rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            thread.join().expect("scenario thread");
            value
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the scenario hung for {limit:?}"),
    }
}

/// The binary of example `name`, built by `cargo test` beside this test's own binary
/// (`target/<profile>/deps/examples-HASH` -> `target/<profile>/examples/NAME`).
pub fn example_binary(name: &str) -> std::path::PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    let binary = profile_dir.join("examples").join(name);
    assert!(
        binary.exists(),
        "example binary {} is missing. `cargo test` builds the examples only when run \
         without target filters (`cargo test --workspace`); before `cargo test --test \
         examples`, run `cargo build --examples` (with `--features hyper` for http_server)",
        binary.display()
    );
    binary
}

/// Accepts `connections` connections and echoes each until its client half-closes.
pub async fn echo_server(listener: spindle::net::TcpListener, connections: usize) {
    use spindle::io::{AsyncReadExt, AsyncWriteExt};
    let mut handles = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (mut stream, _) = listener.accept().await.expect("accept");
        handles.push(spindle::spawn(async move {
            let mut buffer = vec![0u8; 4096];
            loop {
                let read = stream.read(&mut buffer).await.expect("server read");
                if read == 0 {
                    break;
                }
                stream
                    .write_all(&buffer[..read])
                    .await
                    .expect("server write");
            }
        }));
    }
    for handle in handles {
        handle.await.expect("echo task");
    }
}

/// `len` bytes that differ with `seed`, so a byte delivered to the wrong connection
/// or out of place shows.
pub fn payload(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 7) % 251) as u8)
        .collect()
}

/// Runs `f`, which must panic, and returns the file its panic reports as the location.
/// The hook records only on a thread inside this function and hands every other panic to
/// the previous hook, so tests running in parallel are not affected.
pub fn panic_file(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    use std::cell::{Cell, RefCell};
    thread_local! {
        static RECORDING: Cell<bool> = const { Cell::new(false) };
        static SEEN: RefCell<Option<String>> = const { RefCell::new(None) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if RECORDING.with(Cell::get) {
                let file = info.location().map(|l| l.file().to_string());
                SEEN.with(|seen| *seen.borrow_mut() = file);
            } else {
                previous(info);
            }
        }));
    });
    RECORDING.with(|r| r.set(true));
    let outcome = std::panic::catch_unwind(f);
    RECORDING.with(|r| r.set(false));
    assert!(outcome.is_err(), "expected a panic");
    SEEN.with(|seen| seen.borrow_mut().take())
        .expect("the panic reported a location")
}
