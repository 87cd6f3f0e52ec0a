//! tracing with tracing-subscriber inside spawned tasks: spans entered in a task
//! follow its events across `.await` points, on spindle through the patch.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use spindle_ecosystem::run_with_deadline;
use tracing::Instrument;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("capture lock")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn events_in_tasks_carry_their_spans() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _default = tracing::subscriber::set_global_default(subscriber);
    run_with_deadline(Duration::from_secs(30), async {
        let tasks: Vec<_> = (0..3)
            .map(|job| {
                tokio::spawn(
                    async move {
                        tokio::task::yield_now().await;
                        tracing::info!(step = "after-yield", "working");
                    }
                    .instrument(tracing::info_span!("job", id = job)),
                )
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
    });
    let output = String::from_utf8(captured.0.lock().expect("capture lock").clone()).expect("utf8");
    for job in 0..3 {
        assert!(
            output
                .lines()
                .any(|line| line.contains(&format!("job{{id={job}}}"))
                    && line.contains("after-yield")),
            "no event of job {job} inside its span in:\n{output}"
        );
    }
}
