//! Every example runs to completion and prints what its demo promises.
//!
//! The examples run as the binaries cargo builds beside this test
//! (`target/<profile>/examples/`), with `SPINDLE_DEMO_SCALE=0`: the timer demos then
//! run on virtual time, so they finish at once and the order of their events is fixed.
//! The checks are on the order and content of the output, never on how long anything
//! took. `http_server` (feature `hyper`) is also asked by `curl` over HTTP/1.1 and
//! HTTP/2. `graceful_server` waits for signals: `tests/graceful_signal.rs` drives it.
//!
//! An unfiltered `cargo test` builds the examples; a filtered one (`cargo test --test
//! examples`) does not, so run `cargo build --examples` before it (`.ci/run` does).

#[cfg(feature = "hyper")]
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod support;
use support::example_binary;

/// How long an example may run before the test gives up on it and kills it.
const BOUND: Duration = Duration::from_secs(120);

/// Kills the child when dropped, so a failing test leaves no process behind.
#[cfg(feature = "hyper")]
struct KillOnDrop(std::process::Child);

#[cfg(feature = "hyper")]
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs example `name` with `args` on virtual time and returns its stdout, after
/// checking that it exited successfully within [`BOUND`].
fn run_example(name: &str, args: &[&str]) -> String {
    let child = Command::new(example_binary(name))
        .args(args)
        .env("SPINDLE_DEMO_SCALE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("example {name} did not start: {error}"));
    let pid = child.id();
    let (done_tx, done_rx) = mpsc::channel::<std::io::Result<Output>>();
    let waiter = std::thread::spawn(move || {
        let _ = done_tx.send(child.wait_with_output());
    });
    let output = match done_rx.recv_timeout(BOUND) {
        Ok(output) => output.expect("collecting the example's output"),
        Err(_) => {
            // SAFETY: kill(2) with a pid and a signal number touches no memory; the
            // child is not reaped yet (its waiter still waits), so the pid is still ours.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            let _ = waiter.join();
            panic!("example {name} did not finish within {BOUND:?}; killed it");
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "example {name} failed with {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The index of the first line containing `needle`, failing with the whole output.
fn line_of(output: &str, needle: &str) -> usize {
    output
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?} in:\n{output}"))
}

/// Checks that lines containing each of `needles` appear in that order.
fn assert_in_order(output: &str, needles: &[&str]) {
    let positions: Vec<usize> = needles
        .iter()
        .map(|needle| line_of(output, needle))
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "expected {needles:?} in this order (found at lines {positions:?}) in:\n{output}"
    );
}

fn count_lines(output: &str, needle: &str) -> usize {
    output.lines().filter(|line| line.contains(needle)).count()
}

#[test]
fn gather_finishes_the_shorter_fetch_first_and_returns_results_in_argument_order() {
    let output = run_example("gather", &[]);
    assert_in_order(
        &output,
        &[
            "fetch slow.example: started",
            "fetch fast.example: done",
            "fetch slow.example: done",
            "gather returned",
        ],
    );
    assert!(
        output.contains(r#"gather returned ["<page of slow.example>", "<page of fast.example>"]"#),
        "{output}"
    );
}

#[test]
fn count_says_one_three_times_before_any_two_and_alternates_when_sequential() {
    let output = run_example("count", &[]);
    let words: Vec<&str> = output
        .lines()
        .filter(|line| *line == "One" || *line == "Two")
        .collect();
    assert_eq!(
        words,
        ["One", "One", "One", "Two", "Two", "Two", "One", "Two", "One", "Two", "One", "Two"],
        "{output}"
    );
    assert_in_order(&output, &["concurrently:", "sequentially:"]);
}

#[test]
fn chained_runs_the_parts_of_each_chain_in_order() {
    let output = run_example("chained", &[]);
    for n in 1..=3 {
        assert_in_order(
            &output,
            &[
                &format!("part1({n}) sleeping"),
                &format!("Returning part1({n}) == result{n}-1."),
                &format!("part2({n}, result{n}-1) sleeping"),
                &format!(
                    "Returning part2({n}, result{n}-1) == result{n}-2 derived from result{n}-1."
                ),
                &format!("-->Chained result{n} => result{n}-2 derived from result{n}-1"),
            ],
        );
    }
    assert!(
        output
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("Program finished in"),
        "{output}"
    );
}

#[test]
fn queue_processes_every_item_before_join_returns() {
    let output = run_example("queue", &[]);
    for producer in 1..=3 {
        for item in 0..3 {
            let name = format!("item {producer}-{item}");
            assert_in_order(
                &output,
                &[
                    &format!("put {name}"),
                    &format!("got {name}"),
                    &format!("done with {name}"),
                ],
            );
        }
    }
    assert_eq!(count_lines(&output, " done with item "), 9, "{output}");
    let last = output.lines().last().unwrap_or("");
    assert!(
        last.starts_with("queue joined: all 9 items processed"),
        "the join line comes last, after every item is done:\n{output}"
    );
}

#[test]
fn chess_plays_every_board_and_prints_both_totals() {
    let output = run_example("chess", &[]);
    assert_eq!(count_lines(&output, ": game over at "), 24, "{output}");
    assert!(
        output.contains("sequential exhibition: 12 h 0 min 0 s"),
        "{output}"
    );
    // Simultaneous play takes about an hour of exhibition time: Judit's own moves.
    let concurrent =
        &output.lines().collect::<Vec<_>>()[line_of(&output, "concurrent exhibition: ")];
    assert!(
        concurrent.starts_with("concurrent exhibition: 1 h "),
        "{output}"
    );
}

#[test]
fn subprocess_gathers_child_outputs_in_order_and_talks_to_tr() {
    let output = run_example("subprocess", &[]);
    assert_in_order(
        &output,
        &[
            "output: first: child",
            "output: second: child",
            "output: third: child",
        ],
    );
    assert!(
        output
            .contains(r#"tr a-z A-Z answered "HELLO FROM SPINDLE" and exited with exit status: 0"#),
        "{output}"
    );
}

#[test]
fn blocking_call_is_reported_by_name_and_the_spawn_blocking_fix_is_not() {
    let output = run_example("blocking", &[]);
    let fix = line_of(&output, "the fix:");
    let (mistake, fixed) = output.split_at(
        output
            .lines()
            .take(fix)
            .map(|line| line.len() + 1)
            .sum::<usize>(),
    );
    assert!(
        mistake.contains("(blocking-fetch) has been blocking worker 0"),
        "reported while it blocks:\n{output}"
    );
    assert!(
        mistake.contains("(blocking-fetch) blocked worker 0"),
        "reported again when it returns, by the same name:\n{output}"
    );
    assert!(
        fixed.contains("0 slow-poll reports about fixed-fetch"),
        "{output}"
    );
}

#[test]
fn echo_server_echoes_both_lines_of_three_concurrent_clients() {
    let output = run_example("echo_server", &[]);
    for client in 1..=3 {
        assert_in_order(
            &output,
            &[
                "server: listening on 127.0.0.1:",
                &format!(r#"client {client}: echoed "line 1 from client {client}""#),
                &format!(r#"client {client}: echoed "line 2 from client {client}""#),
                "all three clients got their echoes",
            ],
        );
    }
}

#[test]
fn tour_runs_every_stop_in_order_to_the_end() {
    let output = run_example("tour", &[]);
    let mut stops = vec![
        " gather: ",
        " count: ",
        " chained: ",
        " queue: ",
        " chess: ",
        " subprocess: ",
        " blocking: ",
        " echo_server: ",
    ];
    if cfg!(feature = "hyper") {
        stops.push(" http_server: ");
    }
    stops.push(" extras: ");
    let headers: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with("== "))
        .collect();
    assert_eq!(headers.len(), stops.len(), "{output}");
    for ((number, header), stop) in headers.iter().enumerate().zip(&stops) {
        let expected = format!("== {}/{}{stop}", number + 1, stops.len());
        assert!(
            header.starts_with(&expected),
            "{header:?} should start with {expected:?}"
        );
    }
    // A line from each demo's end, so no stop was skipped halfway.
    assert_in_order(
        &output,
        &[
            "gather returned",
            "sequentially:",
            "Program finished in",
            "queue joined: all 9 items processed",
            "concurrent exhibition:",
            "tr a-z A-Z answered",
            "slow-poll reports about fixed-fetch",
            "all three clients got their echoes",
            "Task.cancel:",
            "all_tasks:",
            "tour finished in",
        ],
    );
}

#[cfg(feature = "hyper")]
#[test]
fn http_server_answers_its_own_http1_and_http2_clients() {
    let output = run_example("http_server", &[]);
    assert!(
        output.contains(
            "HTTP/1.1 client got HTTP/1.1 200 OK: hello from spindle: GET /one over HTTP/1.1"
        ),
        "{output}"
    );
    assert!(
        output.contains(
            "HTTP/2 client got HTTP/2.0 200 OK: hello from spindle: GET /two over HTTP/2.0"
        ),
        "{output}"
    );
}

/// Runs `curl` with `args` and returns its stdout, failing on any error of curl's.
#[cfg(feature = "hyper")]
fn curl(args: &[&str]) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "30"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("curl runs (this test needs curl built with HTTP/2 support)");
    assert!(
        output.status.success(),
        "curl {args:?} failed with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[cfg(feature = "hyper")]
#[test]
fn http_server_answers_curl_over_http1_and_http2_with_prior_knowledge() {
    let child = Command::new(example_binary("http_server"))
        .args(["--serve", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("http_server starts");
    let mut server = KillOnDrop(child);
    let stdout = server.0.stdout.take().expect("piped stdout");
    // The first line names the bound address; read it on a thread, so a server that
    // never prints cannot hang the test.
    let (line_tx, line_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first_line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first_line);
        let _ = line_tx.send(first_line);
    });
    let first_line = line_rx
        .recv_timeout(BOUND)
        .expect("http_server prints its address");
    let url = first_line
        .trim()
        .strip_prefix("server: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();

    let over_http1 = curl(&["--http1.1", &format!("{url}/via-http1")]);
    assert_eq!(
        over_http1,
        "hello from spindle: GET /via-http1 over HTTP/1.1\n"
    );
    let over_http2 = curl(&["--http2-prior-knowledge", &format!("{url}/via-http2")]);
    assert_eq!(
        over_http2,
        "hello from spindle: GET /via-http2 over HTTP/2.0\n"
    );
    // Several requests over one HTTP/2 connection are tested with hyper's client in
    // tests/hyper.rs: curl 7.88 (Debian 12) fails to reuse a prior-knowledge connection
    // (curl/curl#10634, fixed in curl 8.0), whatever the server.
    drop(server); // kills it
}
