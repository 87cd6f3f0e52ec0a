//! A small Redis-protocol (RESP2) server that `resp_spindle` and `resp_tokio` both
//! serve: the same code on either runtime (the including file names it `rt`), so
//! `redis-benchmark` sees the runtime and nothing else.
//!
//! Each connection is a task owning two buffers. It reads whatever the socket has into
//! `input` (a `BytesMut`), answers every complete command found there into `output`, then
//! writes `output` in one go before reading again: a pipelined batch (`-P 16`) costs one
//! read and one write, as it does on Redis. A command is parsed in place; only when it is
//! complete is its frame split off and frozen, so its arguments are `Bytes` slices of the
//! bytes read and a `SET` stores them without copying.
//!
//! Commands: `PING`, `ECHO`, `GET`, `SET` (options ignored), `DEL`, `QUIT`, and what
//! clients send on connecting, answered the way an empty Redis 7 answers: `CONFIG GET`
//! (`save` and `appendonly`, which `redis-benchmark` asks for, and an empty list for
//! anything else), `COMMAND` (an empty list), `INFO`, `SELECT`, `AUTH`, `CLIENT`,
//! `FLUSHALL` and `FLUSHDB`. Both RESP arrays of bulk strings and inline commands
//! (`PING\r\n` typed into `nc`) are understood. The keys live in one map behind a
//! `std::sync::Mutex` shared by every connection, held only to clone a `Bytes` in or out.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::rt;
use rt::io::{AsyncReadExt, AsyncWriteExt};
use rt::net::{TcpListener, TcpStream};

type Store = Arc<Mutex<HashMap<Bytes, Bytes>>>;

/// The longest command accepted, so a client that never ends its frame cannot grow
/// `input` without bound.
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// Builds a `workers`-thread runtime and serves until the deadline.
pub fn main() {
    let options = super::options::parse("resp");
    let runtime = rt::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers)
        .enable_all()
        .build()
        .expect("building the runtime");
    runtime.block_on(async {
        let listener = TcpListener::bind(options.address)
            .await
            .expect("binding the port");
        println!("resp={}", listener.local_addr().unwrap());
        rt::spawn(accept_forever(listener, Store::default()));
        rt::time::sleep(options.exit_after).await;
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}

async fn accept_forever(listener: TcpListener, store: Store) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                // A client that hangs up mid-command is its own business.
                rt::spawn(serve_connection(stream, store.clone()));
            }
            Err(error) => eprintln!("resp: accept: {error}"),
        }
    }
}

async fn serve_connection(mut stream: TcpStream, store: Store) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut input = BytesMut::with_capacity(16 * 1024);
    let mut output = Vec::with_capacity(16 * 1024);
    let mut arguments = Vec::new();
    loop {
        let mut open = true;
        while open {
            match parse_command(&input, &mut arguments) {
                Ok(Some(frame_length)) => {
                    let frame = input.split_to(frame_length).freeze();
                    let command: Vec<Bytes> = arguments
                        .iter()
                        .map(|range| frame.slice(range.clone()))
                        .collect();
                    open = execute(&command, &store, &mut output);
                }
                Ok(None) => break,
                Err(error) => {
                    output.extend_from_slice(b"-ERR Protocol error: ");
                    output.extend_from_slice(error.as_bytes());
                    output.extend_from_slice(b"\r\n");
                    open = false;
                }
            }
        }
        if !output.is_empty() {
            stream.write_all(&output).await?;
            output.clear();
        }
        if !open {
            return Ok(());
        }
        if input.len() > MAX_FRAME {
            stream
                .write_all(b"-ERR Protocol error: frame too long\r\n")
                .await?;
            return Ok(());
        }
        input.reserve(4096);
        if stream.read_buf(&mut input).await? == 0 {
            return Ok(());
        }
    }
}

/// Finds one complete command at the start of `input`: fills `arguments` with the byte
/// range of each argument and returns the length of the whole frame, or `None` when the
/// frame has not fully arrived yet.
fn parse_command(
    input: &[u8],
    arguments: &mut Vec<Range<usize>>,
) -> Result<Option<usize>, &'static str> {
    arguments.clear();
    let Some(&first) = input.first() else {
        return Ok(None);
    };
    if first != b'*' {
        return parse_inline(input, arguments);
    }
    let Some((count, mut cursor)) = parse_line_number(input, 0, b'*')? else {
        return Ok(None);
    };
    for _ in 0..count {
        let Some((length, start)) = parse_line_number(input, cursor, b'$')? else {
            return Ok(None);
        };
        let length = usize::try_from(length).map_err(|_| "negative bulk length")?;
        let end = start + length;
        if input.len() < end + 2 {
            return Ok(None);
        }
        if &input[end..end + 2] != b"\r\n" {
            return Err("bulk string not followed by CRLF");
        }
        arguments.push(start..end);
        cursor = end + 2;
    }
    Ok(Some(cursor))
}

/// Parses `<marker><decimal>\r\n` at `at`: the number and where the next line starts.
fn parse_line_number(
    input: &[u8],
    at: usize,
    marker: u8,
) -> Result<Option<(i64, usize)>, &'static str> {
    let Some(newline) = input[at..].iter().position(|&byte| byte == b'\n') else {
        return Ok(None);
    };
    let line = &input[at..at + newline];
    let line = line.strip_suffix(b"\r").ok_or("line not ended by CRLF")?;
    let digits = match line.split_first() {
        Some((&found, digits)) if found == marker => digits,
        _ => {
            return Err(if marker == b'*' {
                "expected '*'"
            } else {
                "expected '$'"
            })
        }
    };
    let number = std::str::from_utf8(digits)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or("invalid length")?;
    Ok(Some((number, at + newline + 1)))
}

/// An inline command: one line of words separated by blanks.
fn parse_inline(
    input: &[u8],
    arguments: &mut Vec<Range<usize>>,
) -> Result<Option<usize>, &'static str> {
    let Some(newline) = input.iter().position(|&byte| byte == b'\n') else {
        return Ok(None);
    };
    let mut word_start = None;
    for (index, &byte) in input[..newline].iter().enumerate() {
        let blank = byte == b' ' || byte == b'\t' || byte == b'\r';
        match (blank, word_start) {
            (false, None) => word_start = Some(index),
            (true, Some(start)) => {
                arguments.push(start..index);
                word_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = word_start {
        arguments.push(start..newline);
    }
    Ok(Some(newline + 1))
}

/// Runs one command, appending its reply to `output`. Returns false when the
/// connection is to be closed after the reply (`QUIT`).
fn execute(command: &[Bytes], store: &Store, output: &mut Vec<u8>) -> bool {
    let Some((name, arguments)) = command.split_first() else {
        return true; // an empty inline line: Redis ignores it too
    };
    let is = |expected: &str| name.eq_ignore_ascii_case(expected.as_bytes());
    if is("GET") {
        let [key] = arguments else {
            return wrong_arity(output, "get");
        };
        let value = store.lock().unwrap().get(key).cloned();
        match value {
            Some(value) => push_bulk(output, &value),
            None => output.extend_from_slice(b"$-1\r\n"),
        }
    } else if is("SET") {
        let [key, value, ..] = arguments else {
            return wrong_arity(output, "set");
        };
        store.lock().unwrap().insert(key.clone(), value.clone());
        output.extend_from_slice(b"+OK\r\n");
    } else if is("PING") {
        match arguments {
            [] => output.extend_from_slice(b"+PONG\r\n"),
            [message] => push_bulk(output, message),
            _ => return wrong_arity(output, "ping"),
        }
    } else if is("ECHO") {
        let [message] = arguments else {
            return wrong_arity(output, "echo");
        };
        push_bulk(output, message);
    } else if is("DEL") {
        let mut store = store.lock().unwrap();
        let removed = arguments
            .iter()
            .filter(|key| store.remove(*key).is_some())
            .count();
        output.extend_from_slice(format!(":{removed}\r\n").as_bytes());
    } else if is("CONFIG") {
        configure(arguments, output);
    } else if is("COMMAND") {
        output.extend_from_slice(b"*0\r\n");
    } else if is("INFO") {
        push_bulk(
            output,
            b"# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n",
        );
    } else if is("FLUSHALL") || is("FLUSHDB") {
        store.lock().unwrap().clear();
        output.extend_from_slice(b"+OK\r\n");
    } else if is("SELECT") || is("AUTH") || is("CLIENT") {
        output.extend_from_slice(b"+OK\r\n");
    } else if is("QUIT") {
        output.extend_from_slice(b"+OK\r\n");
        return false;
    } else {
        output.extend_from_slice(b"-ERR unknown command '");
        output.extend_from_slice(&name[..name.len().min(64)]);
        output.extend_from_slice(b"'\r\n");
    }
    true
}

/// `CONFIG GET name`: the two settings `redis-benchmark` reads, as an empty Redis 7 has
/// them; other names match nothing. Every other `CONFIG` subcommand succeeds.
fn configure(arguments: &[Bytes], output: &mut Vec<u8>) {
    let [subcommand, names @ ..] = arguments else {
        wrong_arity(output, "config");
        return;
    };
    if !subcommand.eq_ignore_ascii_case(b"GET") {
        output.extend_from_slice(b"+OK\r\n");
        return;
    }
    let mut pairs: Vec<(&[u8], &[u8])> = Vec::new();
    for name in names {
        if name.eq_ignore_ascii_case(b"save") {
            pairs.push((b"save", b""));
        } else if name.eq_ignore_ascii_case(b"appendonly") {
            pairs.push((b"appendonly", b"no"));
        }
    }
    output.extend_from_slice(format!("*{}\r\n", pairs.len() * 2).as_bytes());
    for (name, value) in pairs {
        push_bulk(output, name);
        push_bulk(output, value);
    }
}

fn push_bulk(output: &mut Vec<u8>, value: &[u8]) {
    output.extend_from_slice(format!("${}\r\n", value.len()).as_bytes());
    output.extend_from_slice(value);
    output.extend_from_slice(b"\r\n");
}

fn wrong_arity(output: &mut Vec<u8>, command: &str) -> bool {
    output.extend_from_slice(
        format!("-ERR wrong number of arguments for '{command}' command\r\n").as_bytes(),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &[u8]) -> Option<(usize, Vec<&[u8]>)> {
        let mut arguments = Vec::new();
        let length = parse_command(input, &mut arguments).unwrap()?;
        Some((
            length,
            arguments.into_iter().map(|range| &input[range]).collect(),
        ))
    }

    #[test]
    fn a_frame_cut_anywhere_is_incomplete_until_its_last_byte() {
        let frame = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        for cut in 0..frame.len() {
            assert_eq!(parsed(&frame[..cut]), None, "cut at {cut}");
        }
        let expected: Vec<&[u8]> = vec![b"SET", b"key", b"value"];
        assert_eq!(parsed(frame), Some((frame.len(), expected)));
    }

    #[test]
    fn pipelined_frames_are_taken_one_at_a_time() {
        let two = b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        let (first, arguments) = parsed(two).unwrap();
        assert_eq!(arguments, vec![&b"PING"[..]]);
        let (second, arguments) = parsed(&two[first..]).unwrap();
        assert_eq!(arguments, vec![&b"GET"[..], &b"k"[..]]);
        assert_eq!(first + second, two.len());
    }

    #[test]
    fn an_inline_command_is_split_on_blanks() {
        let expected: Vec<&[u8]> = vec![b"SET", b"a", b"b"];
        assert_eq!(parsed(b"SET  a\tb\r\nPING"), Some((10, expected)));
    }

    #[test]
    fn a_bulk_string_without_its_crlf_is_a_protocol_error() {
        let mut arguments = Vec::new();
        assert!(parse_command(b"*1\r\n$4\r\nPINGxx", &mut arguments).is_err());
    }

    #[test]
    fn get_answers_what_set_stored_and_nil_for_a_missing_key() {
        let store = Store::default();
        let mut output = Vec::new();
        let command = |words: &[&'static str]| -> Vec<Bytes> {
            words
                .iter()
                .map(|word| Bytes::from_static(word.as_bytes()))
                .collect()
        };
        assert!(execute(&command(&["SET", "k", "v"]), &store, &mut output));
        assert!(execute(&command(&["get", "k"]), &store, &mut output));
        assert!(execute(&command(&["GET", "missing"]), &store, &mut output));
        assert_eq!(output, b"+OK\r\n$1\r\nv\r\n$-1\r\n");
    }

    #[test]
    fn config_get_answers_the_settings_redis_benchmark_asks_for() {
        let mut output = Vec::new();
        let arguments = [
            Bytes::from_static(b"GET"),
            Bytes::from_static(b"appendonly"),
        ];
        configure(&arguments, &mut output);
        assert_eq!(output, b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    }
}
