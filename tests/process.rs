//! `spindle::process` with real child processes, on both runtime flavours: exit codes,
//! captured output, piping through `cat`, killing, and no zombies left behind.

use std::process::Stdio;
use std::time::Instant;

use spindle::io::{AsyncReadExt, AsyncWriteExt};
use spindle::process::Command;

mod support;

use support::{Flavour, GENEROUS};

/// Linux's signal number for SIGKILL (the test crate does not depend on libc).
const SIGKILL: i32 = 9;

flavour_tests!(
    output_captures_stdout_of_echo,
    status_reports_the_exit_code,
    a_megabyte_round_trips_through_cat_byte_for_byte,
    output_captures_stderr_separately,
    wait_returns_after_kill_with_the_signal_as_status,
    try_wait_is_none_while_running_and_some_after_exit,
    kill_on_drop_kills_and_reaps_the_child,
    dropped_unawaited_child_is_reaped_after_it_exits,
    env_current_dir_and_env_clear_are_honoured,
    missing_program_fails_with_not_found,
    many_children_at_once_are_all_reaped,
    sigchld_fallback_reports_exit_codes_of_many_children,
    sigchld_fallback_wait_returns_after_kill,
);

#[test]
fn process_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Command>();
    assert_send_sync::<spindle::process::Child>();
    assert_send_sync::<spindle::process::ChildStdin>();
    assert_send_sync::<spindle::process::ChildStdout>();
    assert_send_sync::<spindle::process::ChildStderr>();
}

#[test]
fn spawn_outside_a_runtime_panics_naming_the_call() {
    let panic = std::panic::catch_unwind(|| Command::new("true").spawn()).unwrap_err();
    let message = support::panic_message(panic);
    assert!(
        message.contains("Command::spawn called outside a runtime"),
        "{message}"
    );
}

fn output_captures_stdout_of_echo(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let output = Command::new("echo").arg("hello").output().await.unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout, b"hello\n");
        assert!(output.stderr.is_empty());
    });
}

fn status_reports_the_exit_code(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let status = Command::new("sh")
            .args(["-c", "exit 3"])
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(3));
        let status = Command::new("true").status().await.unwrap();
        assert!(status.success());
    });
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

fn a_megabyte_round_trips_through_cat_byte_for_byte(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let sent = payload(1024 * 1024 + 13);
        // More than a pipe buffer: writer and reader must run concurrently.
        let writer = spindle::spawn({
            let sent = sent.clone();
            async move {
                stdin.write_all(&sent).await.unwrap();
                // Dropping stdin closes the pipe: cat sees end of file.
            }
        });
        let mut received = Vec::new();
        stdout.read_to_end(&mut received).await.unwrap();
        writer.await.unwrap();
        assert_eq!(received.len(), sent.len());
        assert!(received == sent, "bytes differ");
        assert!(child.wait().await.unwrap().success());
    });
}

fn output_captures_stderr_separately(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let output = Command::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 1"])
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
    });
}

fn wait_returns_after_kill_with_the_signal_as_status(flavour: Flavour) {
    use std::os::unix::process::ExitStatusExt;
    flavour.runtime().block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // Keep stdin open so cat cannot exit on its own.
        let _stdin = child.stdin.take();
        child.kill().await.unwrap();
        let status = child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(SIGKILL));
        assert_eq!(child.id(), None);
        // Once reaped, killing again is a no-op that succeeds and keeps the status.
        child.start_kill().unwrap();
        child.kill().await.unwrap();
        assert_eq!(child.wait().await.unwrap(), status);
    });
}

fn try_wait_is_none_while_running_and_some_after_exit(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        assert!(child.try_wait().unwrap().is_none());
        drop(child.stdin.take());
        let status = child.wait().await.unwrap();
        assert!(status.success());
        assert_eq!(child.try_wait().unwrap(), Some(status));
    });
}

/// Yields until `gone(pid)` holds, failing after a generous deadline.
async fn until_gone(pid: u32, gone: fn(u32) -> bool) {
    let start = Instant::now();
    while !gone(pid) {
        assert!(start.elapsed() < GENEROUS, "process {pid} was never reaped");
        spindle::task::yield_now().await;
    }
}

/// No such process: it exited and was reaped (a zombie keeps its /proc entry, as it
/// keeps answering `kill(pid, 0)`, until its parent waits for it).
fn no_such_process(pid: u32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The pid is gone from /proc, or whatever holds it now is not a zombie.
fn not_a_zombie(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => {
            // The state follows the parenthesised command name.
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z')
        }
    }
}

fn kill_on_drop_kills_and_reaps_the_child(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        // Keep stdin open: only the kill can end cat.
        let stdin = child.stdin.take();
        drop(child);
        until_gone(pid, no_such_process).await;
        drop(stdin);
    });
}

fn dropped_unawaited_child_is_reaped_after_it_exits(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        // Dropping the Child closes its stdin: cat exits on its own, unawaited.
        drop(child);
        // Another child's spawn and wait sweep the orphans; SIGCHLD does too.
        assert!(Command::new("true").status().await.unwrap().success());
        until_gone(pid, not_a_zombie).await;
        until_gone(pid, no_such_process).await;
    });
}

fn env_current_dir_and_env_clear_are_honoured(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new("sh")
            .args(["-c", "echo \"$SPINDLE_TEST_VAR:$HOME:$(pwd)\""])
            .env_remove("HOME")
            .env("SPINDLE_TEST_VAR", "set")
            .current_dir(dir.path())
            .output()
            .await
            .unwrap();
        let expected_dir = dir.path().canonicalize().unwrap();
        let expected = format!("set::{}\n", expected_dir.display());
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);

        let output = Command::new("/usr/bin/env")
            .env_clear()
            .env("ONLY", "this")
            .output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"ONLY=this\n");
    });
}

fn missing_program_fails_with_not_found(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let err = Command::new("spindle-no-such-program-here")
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}

fn many_children_at_once_are_all_reaped(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut handles = Vec::new();
        for index in 0..100 {
            handles.push(spindle::spawn(async move {
                let status = Command::new("sh")
                    .args(["-c", &format!("exit {}", index % 7)])
                    .status()
                    .await
                    .unwrap();
                assert_eq!(status.code(), Some(index % 7));
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

fn sigchld_fallback_reports_exit_codes_of_many_children(flavour: Flavour) {
    flavour.runtime().block_on(async {
        let mut handles = Vec::new();
        for index in 0..20 {
            handles.push(spindle::spawn(async move {
                let status = Command::new("sh")
                    .args(["-c", &format!("exit {}", index % 5)])
                    .reap_with_sigchld(true)
                    .status()
                    .await
                    .unwrap();
                assert_eq!(status.code(), Some(index % 5));
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

fn sigchld_fallback_wait_returns_after_kill(flavour: Flavour) {
    use std::os::unix::process::ExitStatusExt;
    flavour.runtime().block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .reap_with_sigchld(true)
            .spawn()
            .unwrap();
        let _stdin = child.stdin.take();
        assert!(child.try_wait().unwrap().is_none());
        child.kill().await.unwrap();
        assert_eq!(child.wait().await.unwrap().signal(), Some(SIGKILL));
    });
}
