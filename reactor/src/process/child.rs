//! [`Child`]: a spawned process, its pipes, and waiting for its exit.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::process::{Child as StdChild, ExitStatus, Output};
use std::task::{Context, Poll};

use crate::io::AsyncReadExt;

use super::pipe::{ChildStderr, ChildStdin, ChildStdout};
use super::reap::{self, ExitWatch};

/// A child process spawned by [`Command::spawn`](super::Command::spawn).
///
/// Await [`wait`](Child::wait) to collect its exit status. A `Child` dropped before
/// that is not left as a zombie: it is reaped in the background once it exits (see
/// the [module docs](super)); with [`kill_on_drop`](super::Command::kill_on_drop) it
/// is killed first.
pub struct Child {
    /// The child's stdin, if it was set to `Stdio::piped()`.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was set to `Stdio::piped()`.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was set to `Stdio::piped()`.
    pub stderr: Option<ChildStderr>,
    /// `None` only while being dropped.
    process: Option<StdChild>,
    watch: ExitWatch,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
}

impl Child {
    pub(crate) fn new(
        mut process: StdChild,
        kill_on_drop: bool,
        reap_with_sigchld: bool,
    ) -> io::Result<Child> {
        // If anything below fails, `process` drops: it keeps running unreaped, so hand
        // it to the orphan queue instead.
        let setup = (|| {
            let watch = ExitWatch::new(&process, reap_with_sigchld)?;
            let stdin = process.stdin.take().map(ChildStdin::from_std).transpose()?;
            let stdout = process
                .stdout
                .take()
                .map(ChildStdout::from_std)
                .transpose()?;
            let stderr = process
                .stderr
                .take()
                .map(ChildStderr::from_std)
                .transpose()?;
            Ok((watch, stdin, stdout, stderr))
        })();
        match setup {
            Ok((watch, stdin, stdout, stderr)) => Ok(Child {
                stdin,
                stdout,
                stderr,
                process: Some(process),
                watch,
                status: None,
                kill_on_drop,
            }),
            Err(err) => {
                let _ = process.kill();
                reap::adopt_orphan(process);
                Err(err)
            }
        }
    }

    fn process(&mut self) -> &mut StdChild {
        match &mut self.process {
            Some(process) => process,
            None => unreachable!("the process is only taken in drop"),
        }
    }

    /// The process id, or `None` once the exit status was collected (the pid may then
    /// belong to another process).
    pub fn id(&self) -> Option<u32> {
        match (&self.process, self.status) {
            (Some(process), None) => Some(process.id()),
            _ => None,
        }
    }

    /// Waits for the child to exit and returns its status. The child's stdin is
    /// closed first, so a child that reads until end of file can finish.
    ///
    /// Cancel-safe: dropping the future and calling `wait` again loses nothing.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        poll_fn(|cx| self.poll_wait(cx)).await
    }

    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        if let Some(status) = self.status {
            return Poll::Ready(Ok(status));
        }
        let Some(process) = &mut self.process else {
            unreachable!("the process is only taken in drop")
        };
        let status = std::task::ready!(self.watch.poll_exit(process, cx))?;
        self.status = Some(status);
        Poll::Ready(Ok(status))
    }

    /// The exit status if the child has exited, without waiting; `Ok(None)` if it is
    /// still running.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = self.process().try_wait()?;
        self.status = status;
        Ok(status)
    }

    /// Sends `SIGKILL` without waiting for the exit; follow with [`wait`](Child::wait).
    /// Once the exit status has been collected it does nothing and returns `Ok`, as
    /// tokio's does (the pid may already belong to another process, so no signal is sent).
    ///
    /// # Errors
    ///
    /// The OS's error if the signal cannot be sent.
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.process().kill()
    }

    /// Kills the child with `SIGKILL` and waits for it to exit.
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Closes stdin, reads stdout and stderr to the end (those that are piped) while
    /// waiting for the exit, and returns all three.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let mut stdout_pipe = self.stdout.take();
        let mut stderr_pipe = self.stderr.take();
        let read_stdout = async {
            let mut bytes = Vec::new();
            if let Some(pipe) = &mut stdout_pipe {
                pipe.read_to_end(&mut bytes).await?;
            }
            Ok::<_, io::Error>(bytes)
        };
        let read_stderr = async {
            let mut bytes = Vec::new();
            if let Some(pipe) = &mut stderr_pipe {
                pipe.read_to_end(&mut bytes).await?;
            }
            Ok::<_, io::Error>(bytes)
        };
        let (stdout, stderr, status) =
            futures_util::future::try_join3(read_stdout, read_stderr, self.wait()).await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("status", &self.status)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        if self.status.is_some() {
            return;
        }
        if self.kill_on_drop {
            // It may have exited already; then there is nothing to kill.
            let _ = process.kill();
        }
        // Close our pipe ends before queueing, so a child reading stdin can finish.
        drop(self.stdin.take());
        if let Ok(Some(_)) = process.try_wait() {
            return;
        }
        reap::adopt_orphan(process);
    }
}
