//! The command line every real-client server takes:
//! `[--workers N] [--address IP:PORT] [--exit-after SECONDS]`.
//!
//! Defaults: 2 workers, `127.0.0.1:0` (a free loopback port, printed at start), and an
//! exit after 600 s, long enough for any round of `real-clients.sh` and short enough
//! that a server whose driver died goes away by itself.

use std::net::SocketAddr;
use std::time::Duration;

pub struct Options {
    pub workers: usize,
    pub address: SocketAddr,
    pub exit_after: Duration,
}

pub fn parse(server: &str) -> Options {
    let mut options = Options {
        workers: 2,
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
        exit_after: Duration::from_secs(600),
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(flag) = arguments.next() {
        let value = arguments.next().unwrap_or_else(|| usage(server, &flag));
        match flag.as_str() {
            "--workers" => {
                options.workers = value.parse().unwrap_or_else(|_| usage(server, &value))
            }
            "--address" => {
                options.address = value.parse().unwrap_or_else(|_| usage(server, &value))
            }
            "--exit-after" => {
                let seconds = value.parse().unwrap_or_else(|_| usage(server, &value));
                options.exit_after = Duration::from_secs(seconds);
            }
            _ => usage(server, &flag),
        }
    }
    options
}

fn usage(server: &str, offending: &str) -> ! {
    eprintln!(
        "{server}: cannot use {offending:?}; usage: {server} [--workers N] \
         [--address IP:PORT] [--exit-after SECONDS]"
    );
    std::process::exit(2);
}
