//! `AsyncFd` over a non-blocking pipe.

mod support;

use std::fs::File;
use std::future::Future;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::pin::pin;
use std::task::{Context, Waker};

use futures::future::try_join;
use spindle_reactor::io::unix::AsyncFd;
use spindle_reactor::io::Interest;
use support::{pattern, run};

/// A non-blocking, close-on-exec pipe: (read end, write end).
fn pipe() -> (File, File) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fds into the array we pass, which is valid for two
    // c_ints for the duration of the call.
    let created = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(created, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nothing else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    (File::from(read), File::from(write))
}

#[test]
fn pipe_transfers_more_than_its_buffer_through_ready_guards() {
    // Larger than the pipe buffer (64 KiB): the writer must wait for the reader.
    const BYTES: usize = 1024 * 1024;
    run(async {
        let (read_end, write_end) = pipe();
        let reader = AsyncFd::with_interest(read_end, Interest::READABLE)?;
        let writer = AsyncFd::with_interest(write_end, Interest::WRITABLE)?;
        let sent = pattern(5, BYTES);
        let write = async {
            let mut written = 0;
            while written < BYTES {
                let mut guard = writer.writable().await?;
                if let Ok(result) = guard.try_io(|fd| fd.get_ref().write(&sent[written..])) {
                    written += result?;
                }
            }
            drop(writer); // closes the write end: the reader sees end of file
            Ok::<_, io::Error>(())
        };
        let read = async {
            let mut received = Vec::with_capacity(BYTES);
            let mut buf = vec![0; 16 * 1024];
            loop {
                let mut guard = reader.readable().await?;
                match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
                    Ok(Ok(0)) => return Ok::<_, io::Error>(received),
                    Ok(result) => received.extend_from_slice(&buf[..result?]),
                    Err(_would_block) => continue,
                }
            }
        };
        let ((), received) = try_join(write, read).await?;
        assert!(received == sent, "bytes differ");
        Ok::<_, io::Error>(())
    })
    .expect("pipe");
}

#[test]
fn cleared_readiness_waits_for_new_data_and_retained_does_not() {
    run(async {
        let (read_end, mut write_end) = pipe();
        let reader = AsyncFd::new(read_end)?;
        write_end.write_all(b"ab")?;

        let mut guard = reader.readable().await?;
        assert!(guard.ready().is_readable());
        guard.retain_ready();
        // Retained: the next wait returns at once.
        let mut guard = reader.readable().await?;
        let mut buf = [0; 8];
        assert_eq!(guard.get_inner().read(&mut buf)?, 2);
        let would_block = guard.try_io(|fd| fd.get_ref().read(&mut buf));
        assert!(would_block.is_err(), "the pipe is drained");

        // Cleared by try_io: the next wait sleeps until new data.
        {
            let mut waiting = pin!(reader.readable());
            assert!(waiting
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending());
        }
        write_end.write_all(b"c")?;
        let guard = reader.readable().await?;
        assert_eq!(guard.get_inner().read(&mut buf)?, 1);
        let file = reader.into_inner();
        drop(file);
        Ok::<_, io::Error>(())
    })
    .expect("guards");
}

#[test]
fn async_io_retries_until_the_operation_succeeds() {
    run(async {
        let (read_end, write_end) = pipe();
        let reader = AsyncFd::new(read_end)?;
        let mut writer = AsyncFd::new(write_end)?;
        let read = async {
            let mut buf = [0; 4];
            let len = reader
                .async_io(Interest::READABLE, |file| (&*file).read(&mut buf))
                .await?;
            Ok::<_, io::Error>(buf[..len].to_vec())
        };
        let write = async {
            let mut guard = writer.writable_mut().await?;
            guard.get_inner_mut().write_all(b"data")?;
            Ok::<_, io::Error>(())
        };
        let (got, ()) = try_join(read, write).await?;
        assert_eq!(got, b"data");
        Ok::<_, io::Error>(())
    })
    .expect("async_io");
}
