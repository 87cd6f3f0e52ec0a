//! Child processes: [`Command`] builds and spawns one, [`Child`] waits for it and
//! gives its pipes as async readers and writers. The API is tokio's (and so, apart from
//! being async, `std::process`'s).
//!
//! # Design
//!
//! Spawning is `std::process::Command::spawn`; the parent's pipe ends are then made
//! non-blocking and registered with the current runtime's reactor. No exit is ever
//! found by polling on a timer:
//!
//! - On Linux ≥ 5.3 each child gets a pidfd (`pidfd_open`) registered with the reactor;
//!   it becomes readable when the process exits and [`Child::wait`] then reaps it with
//!   `waitpid(pid, WNOHANG)`.
//! - Elsewhere, or when `pidfd_open` is refused, the child gets a `SIGCHLD` listener
//!   (see [`signal`](crate::signal)) made at spawn time, and every `SIGCHLD` makes the
//!   waiter try `waitpid(pid, WNOHANG)` again.
//! - A [`Child`] dropped before its exit was collected joins a process-global orphan
//!   queue (killed first with [`Command::kill_on_drop`]). The signal dispatcher thread
//!   sweeps the queue after every `SIGCHLD`, and so does every spawn and every poll of
//!   a wait, so no zombie is left behind.
//!
//! Only our own children are waited for, each by its pid: children spawned by other
//! code in the process keep their exit statuses.
//!
//! ```
//! use spindle_reactor::process::Command;
//!
//! # let mut driver = spindle_reactor::Driver::new()?;
//! # driver.block_on(async {
//! let output = Command::new("echo").arg("hello").output().await?;
//! assert!(output.status.success());
//! assert_eq!(output.stdout, b"hello\n");
//! # Ok::<_, std::io::Error>(())
//! # })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod child;
mod pipe;
mod reap;

use std::ffi::OsStr;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

pub use child::Child;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
#[doc(hidden)]
pub use reap::orphan_count;

/// A process builder, like `std::process::Command`, whose spawn gives an async
/// [`Child`].
///
/// By default the child inherits stdin, stdout and stderr, except with
/// [`output`](Command::output), which captures stdout and stderr and gives the child an
/// empty stdin.
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    reap_with_sigchld: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command that runs `program` (looked up in `PATH` if it has no `/`).
    pub fn new<S: AsRef<OsStr>>(program: S) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds one argument.
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, value: V) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds afterwards).
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// The child's working directory.
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's stdin: `Stdio::piped()` gives [`Child::stdin`].
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's stdout: `Stdio::piped()` gives [`Child::stdout`].
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's stderr: `Stdio::piped()` gives [`Child::stderr`].
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`] before its exit was collected kills it with
    /// `SIGKILL` (default `false`: it keeps running, and is reaped when it exits).
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// Waits for this command's children with the `SIGCHLD` fallback even where pidfds
    /// work, so tests cover both strategies.
    #[doc(hidden)]
    pub fn reap_with_sigchld(&mut self, reap_with_sigchld: bool) -> &mut Command {
        self.reap_with_sigchld = reap_with_sigchld;
        self
    }

    /// Whether [`kill_on_drop`](Command::kill_on_drop) is set.
    pub fn get_kill_on_drop(&self) -> bool {
        self.kill_on_drop
    }

    /// Sets the child's user id (`setuid` before `exec`; needs the privilege to).
    pub fn uid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::uid(&mut self.std, id);
        self
    }

    /// Sets the child's group id (`setgid` before `exec`).
    pub fn gid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::gid(&mut self.std, id);
        self
    }

    /// Sets the child's `argv[0]` (by default the program as given to `new`).
    pub fn arg0<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        std::os::unix::process::CommandExt::arg0(&mut self.std, arg);
        self
    }

    /// Puts the child in process group `pgroup` (`setpgid`; 0 makes a new group whose
    /// id is the child's pid).
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        std::os::unix::process::CommandExt::process_group(&mut self.std, pgroup);
        self
    }

    /// Runs `f` in the child after `fork` and before `exec`; an error from it fails
    /// the spawn with that error.
    ///
    /// # Safety
    ///
    /// As for std's `CommandExt::pre_exec`: `f` runs in a forked copy of a
    /// multi-threaded process, so it may only do async-signal-safe work (no allocation,
    /// no locks another thread may have held at the fork).
    pub unsafe fn pre_exec<F>(&mut self, f: F) -> &mut Command
    where
        F: FnMut() -> io::Result<()> + Send + Sync + 'static,
    {
        // SAFETY: forwarded from this function's contract.
        unsafe { std::os::unix::process::CommandExt::pre_exec(&mut self.std, f) };
        self
    }

    /// The underlying `std::process::Command`; spindle's own settings
    /// ([`kill_on_drop`](Command::kill_on_drop)) are dropped with the wrapper.
    pub fn into_std(self) -> std::process::Command {
        self.std
    }

    /// The underlying `std::process::Command`.
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The underlying `std::process::Command`, mutably (e.g. for `CommandExt`).
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Spawns the child.
    ///
    /// # Errors
    ///
    /// `NotFound` if the program does not exist, and any other spawn error.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn spawn(&mut self) -> io::Result<Child> {
        // Check before spawning: a panic after it would leave the process unwatched.
        crate::context::current_for("spindle::process::Command::spawn");
        reap::reap_orphans();
        let process = self.std.spawn()?;
        Child::new(process, self.kill_on_drop, self.reap_with_sigchld)
    }

    /// Runs the child to completion with inherited stdio (unless set otherwise) and
    /// returns its exit status.
    ///
    /// The child is spawned by this call, before the future is first polled (as with
    /// tokio), so the future does not borrow the command.
    pub fn status(&mut self) -> impl Future<Output = io::Result<ExitStatus>> {
        let spawned = self.spawn();
        async move {
            let mut child = spawned?;
            // Like std: a piped stdin is closed, piped outputs are not read.
            drop(child.stdin.take());
            drop(child.stdout.take());
            drop(child.stderr.take());
            child.wait().await
        }
    }

    /// Runs the child to completion and collects its output: stdout and stderr are
    /// captured and stdin is empty, unless set otherwise.
    ///
    /// The child is spawned by this call, before the future is first polled (as with
    /// tokio), so the future does not borrow the command.
    pub fn output(&mut self) -> impl Future<Output = io::Result<Output>> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::piped());
        }
        let spawned = self.spawn();
        // Restore the defaults for later spawns of this command.
        if !self.stdin_set {
            self.std.stdin(Stdio::inherit());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::inherit());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::inherit());
        }
        async move { spawned?.wait_with_output().await }
    }
}

impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            reap_with_sigchld: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("std", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
