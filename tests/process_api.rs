//! tokio's remaining `process::Command` API on spindle, both flavours: `arg0`, ids,
//! process groups, `pre_exec`, `get_kill_on_drop`, `into_std`, and child pipes handed
//! to another child's stdio.

use std::future::Future;
use std::io;
use std::process::Stdio;

use spindle::io::AsyncWriteExt;
use spindle::process::Command;

mod support;

use support::{Flavour, GENEROUS};

flavour_tests!(
    arg0_replaces_the_name_the_child_sees,
    uid_and_gid_of_the_current_user_are_accepted,
    process_group_zero_puts_the_child_in_a_group_of_its_own,
    a_failing_pre_exec_fails_the_spawn_with_its_error,
    kill_on_drop_is_reported_back,
    into_std_keeps_the_program_and_arguments,
    a_child_pipe_becomes_the_next_childs_stdin,
);

/// Runs the future `scenario` makes on a fresh runtime of `flavour`, under a deadline.
fn on<F: Future<Output = ()> + 'static>(flavour: Flavour, scenario: fn() -> F) {
    support::within(GENEROUS, move || flavour.runtime().block_on(scenario()));
}

fn arg0_replaces_the_name_the_child_sees(flavour: Flavour) {
    on(flavour, || async {
        let output = Command::new("sh")
            .arg0("renamed-shell")
            .args(["-c", "echo $0"])
            .output()
            .await
            .unwrap();
        assert!(output.status.success());
        assert_eq!(String::from_utf8(output.stdout).unwrap(), "renamed-shell\n");
    });
}

fn uid_and_gid_of_the_current_user_are_accepted(flavour: Flavour) {
    on(flavour, || async {
        // SAFETY: getuid and getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let output = Command::new("id")
            .uid(uid)
            .gid(gid)
            .arg("-u")
            .output()
            .await
            .unwrap();
        assert!(output.status.success());
        assert_eq!(
            String::from_utf8(output.stdout).unwrap().trim(),
            uid.to_string()
        );
    });
}

fn process_group_zero_puts_the_child_in_a_group_of_its_own(flavour: Flavour) {
    on(flavour, || async {
        let mut child = Command::new("cat")
            .process_group(0)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap() as libc::pid_t;
        // SAFETY: getpgid takes a pid and touches no memory; `cat` waits on its stdin,
        // so it is alive.
        let group = unsafe { libc::getpgid(pid) };
        // SAFETY: as above, for our own process.
        let ours = unsafe { libc::getpgid(0) };
        assert_eq!(group, pid);
        assert_ne!(group, ours);
        drop(child.stdin.take());
        assert!(child.wait().await.unwrap().success());
    });
}

fn a_failing_pre_exec_fails_the_spawn_with_its_error(flavour: Flavour) {
    on(flavour, || async {
        let mut command = Command::new("true");
        // SAFETY: the closure only builds an error from a constant: no allocation, no
        // locks, async-signal-safe.
        unsafe {
            command.pre_exec(|| Err(io::Error::from_raw_os_error(libc::EPERM)));
        }
        let err = command.spawn().unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
    });
}

fn kill_on_drop_is_reported_back(_flavour: Flavour) {
    let mut command = Command::new("true");
    assert!(!command.get_kill_on_drop());
    command.kill_on_drop(true);
    assert!(command.get_kill_on_drop());
}

fn into_std_keeps_the_program_and_arguments(_flavour: Flavour) {
    let mut command = Command::new("echo");
    command.args(["one", "two"]);
    let std = command.into_std();
    assert_eq!(std.get_program(), "echo");
    assert_eq!(std.get_args().collect::<Vec<_>>(), ["one", "two"]);
}

fn a_child_pipe_becomes_the_next_childs_stdin(flavour: Flavour) {
    on(flavour, || async {
        let mut first = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let first_out: Stdio = first.stdout.take().unwrap().try_into().unwrap();
        let second = Command::new("tr")
            .args(["a-z", "A-Z"])
            .stdin(first_out)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first_in = first.stdin.take().unwrap();
        first_in.write_all(b"piped along\n").await.unwrap();
        drop(first_in);
        let output = second.wait_with_output().await.unwrap();
        assert!(first.wait().await.unwrap().success());
        assert_eq!(String::from_utf8(output.stdout).unwrap(), "PIPED ALONG\n");
    });
}
