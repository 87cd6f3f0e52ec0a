//! `split`/`unsplit` and `join`: the halves share one value and read and write it in
//! turn; `join` glues a reader and a writer into one.

mod support;

use std::io::Cursor;

use spindle_io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

#[test]
fn split_halves_drive_a_duplex_end_from_two_tasks_and_unsplit_gives_it_back() {
    let (ours, mut theirs) = spindle_io::duplex(8);
    let (mut reader, mut writer) = spindle_io::split(ours);
    assert!(reader.is_pair_of(&writer) && writer.is_pair_of(&reader));
    let reader_half = support::block_on(async move {
        let write = async {
            writer.write_all(b"from our write half").await.unwrap();
            writer
        };
        let echo = async {
            let mut received = [0u8; 19];
            theirs.read_exact(&mut received).await.unwrap();
            theirs.write_all(b"back").await.unwrap();
            theirs
        };
        let read = async {
            let mut reply = [0u8; 4];
            reader.read_exact(&mut reply).await.unwrap();
            assert_eq!(&reply, b"back");
        };
        let (writer, theirs, ()) = futures::join!(write, echo, read);
        (reader, writer, theirs)
    });
    let (reader, writer, _theirs) = reader_half;
    let _ours: spindle_io::DuplexStream = reader.unsplit(writer);
}

#[test]
#[should_panic(expected = "WriteHalf of another value")]
fn unsplit_of_halves_from_different_values_panics() {
    let (first_reader, _first_writer) = spindle_io::split(Cursor::new(Vec::new()));
    let (_second_reader, second_writer) = spindle_io::split(Cursor::new(Vec::new()));
    let _ = first_reader.unsplit(second_writer);
}

#[test]
fn split_halves_are_send_and_sync_for_a_send_value() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<spindle_io::ReadHalf<spindle_io::DuplexStream>>();
    assert_send_sync::<spindle_io::WriteHalf<spindle_io::DuplexStream>>();
}

#[test]
fn join_reads_from_its_reader_and_writes_to_its_writer() {
    let joined = spindle_io::join(&b"line one\nline two\n"[..], Vec::new());
    let (lines, written) = support::block_on(async move {
        let mut joined = joined;
        let mut lines = Vec::new();
        let mut line = String::new();
        while joined.read_line(&mut line).await.unwrap() > 0 {
            lines.push(std::mem::take(&mut line));
        }
        joined.write_all(b"answer").await.unwrap();
        joined.flush().await.unwrap();
        (lines, joined.into_inner().1)
    });
    assert_eq!(lines, ["line one\n", "line two\n"]);
    assert_eq!(written, b"answer");
}
