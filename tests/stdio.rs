//! `spindle::io::{stdin, stdout, stderr}`: the test binary re-runs itself as a child
//! process that echoes its standard input to its standard output or error through
//! spindle's handles, and the parent checks every byte came back.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use spindle::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use support::Flavour;

/// Set in the child's environment to `<flavour>:<stdout|stderr>`.
const CHILD_MODE: &str = "SPINDLE_STDIO_TEST_CHILD";
/// The echoed bytes sit between these markers, apart from what libtest prints.
const BEGIN: &[u8] = b"<<spindle-stdio-begin>>";
const END: &[u8] = b"<<spindle-stdio-end>>";

/// The child's side, run only when re-executed by a parent test (a no-op otherwise):
/// reads all of stdin in reads of varying size, then writes it back between markers.
#[test]
fn stdio_child() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let (flavour, target) = mode
        .split_once(':')
        .unwrap_or_else(|| panic!("bad {CHILD_MODE}: {mode}"));
    let flavour = match flavour {
        "multi_thread" => Flavour::MultiThread,
        "current_thread" => Flavour::CurrentThread,
        other => panic!("bad flavour in {CHILD_MODE}: {other}"),
    };
    flavour.runtime().block_on(async {
        let input = read_all(spindle::io::stdin()).await;
        match target {
            "stdout" => echo(spindle::io::stdout(), &input).await,
            "stderr" => echo(spindle::io::stderr(), &input).await,
            other => panic!("bad target in {CHILD_MODE}: {other}"),
        }
    });
}

async fn read_all(mut reader: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut input = Vec::new();
    let mut chunk = vec![0u8; 70_000];
    for size in [1usize, 10, 1000, 70_000].into_iter().cycle() {
        let count = reader.read(&mut chunk[..size]).await.expect("stdin reads");
        if count == 0 {
            return input;
        }
        input.extend_from_slice(&chunk[..count]);
    }
    unreachable!("the cycle never ends")
}

async fn echo(mut writer: impl AsyncWrite + Unpin, input: &[u8]) {
    writer.write_all(BEGIN).await.expect("echo writes");
    for chunk in input.chunks(8191) {
        writer.write_all(chunk).await.expect("echo writes");
    }
    writer.write_all(END).await.expect("echo writes");
    writer.flush().await.expect("echo flushes");
}

fn run_child(flavour: Flavour, target: &str, input: Vec<u8>) -> Output {
    let flavour = match flavour {
        Flavour::MultiThread => "multi_thread",
        Flavour::CurrentThread => "current_thread",
    };
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let mut child = Command::new(exe)
        .args(["--exact", "stdio_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_MODE, format!("{flavour}:{target}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary re-runs itself");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Write from another thread: the child echoes while reading, and a full pipe in
    // each direction would otherwise deadlock.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("the child runs");
    writer
        .join()
        .expect("the writer thread does not panic")
        .expect("the child reads all of its stdin");
    output
}

/// The bytes between the first BEGIN and the last END marker.
fn echoed(stream: &[u8]) -> &[u8] {
    let start = stream
        .windows(BEGIN.len())
        .position(|window| window == BEGIN)
        .expect("the begin marker is there")
        + BEGIN.len();
    let end = stream
        .windows(END.len())
        .rposition(|window| window == END)
        .expect("the end marker is there");
    &stream[start..end]
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

fn assert_echo(flavour: Flavour, target: &str, input: Vec<u8>) {
    let output = run_child(flavour, target, input.clone());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed: {stderr}");
    let stream = if target == "stdout" {
        &output.stdout
    } else {
        &output.stderr
    };
    let echoed = echoed(stream);
    assert_eq!(echoed.len(), input.len());
    let first_difference = echoed.iter().zip(&input).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "echoed bytes differ");
}

fn stdin_echoed_to_stdout_arrives_intact(flavour: Flavour) {
    assert_echo(flavour, "stdout", pattern(1024 * 1024 + 17));
}

fn stdin_echoed_to_stderr_arrives_intact(flavour: Flavour) {
    assert_echo(flavour, "stderr", pattern(300_001));
}

fn empty_stdin_reads_as_end_of_file(flavour: Flavour) {
    assert_echo(flavour, "stdout", Vec::new());
}

flavour_tests!(
    stdin_echoed_to_stdout_arrives_intact,
    stdin_echoed_to_stderr_arrives_intact,
    empty_stdin_reads_as_end_of_file,
);

#[cfg(feature = "tokio-io")]
#[test]
fn handles_implement_tokios_io_traits() {
    fn assert_read<T: tokio::io::AsyncRead>(_: &T) {}
    fn assert_write<T: tokio::io::AsyncWrite>(_: &T) {}
    assert_read(&spindle::io::stdin());
    assert_write(&spindle::io::stdout());
    assert_write(&spindle::io::stderr());
}
