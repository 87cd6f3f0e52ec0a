//! asyncio's subprocesses: several child processes run at once, and a conversation
//! with one over its pipes.
//!
//! Three shell commands that each sleep 1 s (times `SPINDLE_DEMO_SCALE`; 0 on virtual
//! time, where the children do not wait) run side by side, so all three take about
//! 1 s, not 3 s. Their outputs are gathered in the order the commands were given. Then
//! `tr` upper-cases what is written to its stdin, as asyncio's `communicate` does.

use std::process::Stdio;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::process::Command;
use spindle::time::Instant;

use super::{scale, show};

/// The child's wait, in seconds: real children wait in real time, so virtual time
/// (scale 0) makes them not wait at all.
fn child_sleep() -> String {
    format!("{:.3}", scale())
}

/// Runs `sh -c script` and returns its stdout, trimmed.
async fn shell(script: String) -> String {
    let output = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .expect("sh runs");
    assert!(output.status.success(), "`{script}` failed: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Runs the demo.
pub async fn run() {
    let started = Instant::now();
    let commands: Vec<_> = ["first", "second", "third"]
        .into_iter()
        .map(|name| {
            let script = format!("sleep {}; echo \"{name}: child $$ slept\"", child_sleep());
            println!("started: sh -c '{script}'");
            spindle::spawn(shell(script))
        })
        .collect();
    for command in commands {
        println!("output: {}", command.await.expect("command task"));
    }
    println!(
        "three children that each slept {} s finished in {}",
        child_sleep(),
        show(started.elapsed())
    );

    let mut child = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tr runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = child.stdout.take().expect("piped stdout");
    // Write and read at once, so a large input could not fill both pipes and deadlock.
    let (written, upper_cased) = spindle::join!(
        async move {
            stdin.write_all(b"hello from spindle\n").await?;
            stdin.shutdown().await // end of input: tr finishes
        },
        async move {
            let mut text = String::new();
            stdout.read_to_string(&mut text).await.map(|_| text)
        }
    );
    written.expect("wrote to tr");
    let status = child.wait().await.expect("tr exits");
    println!(
        "tr a-z A-Z answered {:?} and exited with {status}",
        upper_cased.expect("read from tr").trim()
    );
}
