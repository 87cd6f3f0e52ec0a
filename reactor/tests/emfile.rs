//! `accept` with a full fd table: the error reaches the caller, nothing spins, and the
//! pending connection is accepted once fds are free again.
//!
//! Lowering `RLIMIT_NOFILE` and filling the table would break every other test in this
//! process, so the test re-runs this binary as a child with `SPINDLE_EMFILE_CHILD` set
//! and only the child does it.

mod support;

use std::fs::File;
use std::io;
use std::process::Command;

use spindle_reactor::net::TcpListener;
use spindle_reactor::Driver;

const CHILD_ENV: &str = "SPINDLE_EMFILE_CHILD";
const TEST_NAME: &str = "accept_with_a_full_fd_table_returns_emfile_and_recovers";

#[test]
fn accept_with_a_full_fd_table_returns_emfile_and_recovers() {
    if std::env::var_os(CHILD_ENV).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().expect("path of the test binary");
    let output = Command::new(exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("emfile-child: recovered"),
        "child failed: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
}

fn lower_fd_limit(soft: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct, which outlives the call.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "getrlimit: {}", io::Error::last_os_error());
    limit.rlim_cur = soft.min(limit.rlim_max);
    // SAFETY: setrlimit only reads the initialised struct.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0, "setrlimit: {}", io::Error::last_os_error());
}

fn child() {
    lower_fd_limit(128);
    let mut driver = Driver::new().expect("poller");
    let listener = driver
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    // Connected by the kernel and queued in the backlog, waiting for accept.
    let _client = std::net::TcpStream::connect(addr).expect("connect");

    let mut fillers = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => fillers.push(file),
            Err(err) if err.raw_os_error() == Some(libc::EMFILE) => break,
            Err(err) => panic!("unexpected error while filling the fd table: {err}"),
        }
    }

    // Twice: the readiness is kept, so the second call fails at once too, no hang.
    for _ in 0..2 {
        let err = driver
            .block_on(listener.accept())
            .expect_err("the fd table is full");
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
    }

    fillers.truncate(fillers.len().saturating_sub(4));
    let (stream, peer) = driver
        .block_on(listener.accept())
        .expect("accept succeeds once fds are free");
    assert_eq!(peer, _client.local_addr().expect("client addr"));
    drop(stream);
    println!("emfile-child: recovered");
}
