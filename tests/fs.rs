//! `spindle::fs`: every operation on a temporary directory, `File`'s buffered
//! read/write/seek state machine, directory listings as streams, and the errors, on
//! both runtime flavours.

mod support;

use std::collections::BTreeSet;
use std::io::{ErrorKind, SeekFrom};
use std::path::Path;

use futures::StreamExt;
use spindle::fs::{self, File, OpenOptions};
use spindle::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use support::{panic_message, Flavour};

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory can be created")
}

/// Bytes that differ from their neighbours and do not repeat with a power-of-two
/// period, so a misplaced chunk is noticed.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

fn write_then_read_returns_the_same_bytes(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("data");
        fs::write(&path, b"some bytes").await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"some bytes");
        assert_eq!(fs::read_to_string(&path).await.unwrap(), "some bytes");
    });
}

fn read_to_string_of_invalid_utf8_is_invalid_data(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("binary");
        fs::write(&path, [0xff, 0xfe]).await.unwrap();
        let err = fs::read_to_string(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
    });
}

fn directories_are_created_and_removed(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let single = dir.path().join("single");
        fs::create_dir(&single).await.unwrap();
        assert!(fs::metadata(&single).await.unwrap().is_dir());
        assert_eq!(
            fs::create_dir(&single).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        fs::remove_dir(&single).await.unwrap();
        assert!(!fs::try_exists(&single).await.unwrap());

        let nested = dir.path().join("a").join("b").join("c");
        fs::create_dir_all(&nested).await.unwrap();
        fs::create_dir_all(&nested).await.unwrap();
        fs::write(nested.join("leaf"), b"leaf").await.unwrap();
        fs::remove_dir_all(dir.path().join("a")).await.unwrap();
        assert!(!fs::try_exists(dir.path().join("a")).await.unwrap());
    });
}

fn remove_file_deletes_and_then_reports_not_found(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("doomed");
        fs::write(&path, b"x").await.unwrap();
        fs::remove_file(&path).await.unwrap();
        assert!(!fs::try_exists(&path).await.unwrap());
        let err = fs::remove_file(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

fn rename_and_copy_move_content(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let original = dir.path().join("original");
        let renamed = dir.path().join("renamed");
        let copied = dir.path().join("copied");
        fs::write(&original, b"content").await.unwrap();
        fs::rename(&original, &renamed).await.unwrap();
        assert!(!fs::try_exists(&original).await.unwrap());
        assert_eq!(fs::copy(&renamed, &copied).await.unwrap(), 7);
        assert_eq!(fs::read(&renamed).await.unwrap(), b"content");
        assert_eq!(fs::read(&copied).await.unwrap(), b"content");
    });
}

fn metadata_and_links_describe_the_file(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let target = dir.path().join("target");
        let hard = dir.path().join("hard");
        let soft = dir.path().join("soft");
        fs::write(&target, b"12345").await.unwrap();
        fs::hard_link(&target, &hard).await.unwrap();
        fs::symlink(&target, &soft).await.unwrap();

        let metadata = fs::metadata(&soft).await.unwrap();
        assert!(metadata.is_file());
        assert_eq!(metadata.len(), 5);
        assert!(fs::symlink_metadata(&soft)
            .await
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_link(&soft).await.unwrap(), target);
        assert_eq!(fs::read(&hard).await.unwrap(), b"12345");

        let canonical = fs::canonicalize(dir.path().join(".").join("soft"))
            .await
            .unwrap();
        let canonical_target = fs::canonicalize(&target).await.unwrap();
        assert_eq!(canonical, canonical_target);
    });
}

fn set_permissions_makes_a_file_read_only(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("locked");
        fs::write(&path, b"x").await.unwrap();
        let mut permissions = fs::metadata(&path).await.unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&path, permissions).await.unwrap();
        assert!(fs::metadata(&path).await.unwrap().permissions().readonly());
    });
}

fn missing_paths_give_not_found(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let missing = dir.path().join("missing");
        assert_eq!(
            File::open(&missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::read(&missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::metadata(&missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::read_dir(&missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert!(!fs::try_exists(&missing).await.unwrap());
    });
}

fn create_new_refuses_an_existing_file(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("exists");
        fs::write(&path, b"x").await.unwrap();
        assert_eq!(
            File::create_new(&path).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
    });
}

async fn open_read_write(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .await
        .unwrap()
}

fn file_write_seek_back_and_read_roundtrips(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let mut file = open_read_write(&dir.path().join("roundtrip")).await;
        file.write_all(b"hello, ").await.unwrap();
        file.write_all(b"world").await.unwrap();
        assert_eq!(file.seek(SeekFrom::Start(0)).await.unwrap(), 0);
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).await.unwrap();
        assert_eq!(contents, b"hello, world");
        assert_eq!(file.seek(SeekFrom::End(-5)).await.unwrap(), 7);
        let mut tail = [0u8; 5];
        file.read_exact(&mut tail).await.unwrap();
        assert_eq!(&tail, b"world");
    });
}

fn reading_at_end_of_file_returns_zero(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("short");
        fs::write(&path, b"ab").await.unwrap();
        let mut file = File::open(&path).await.unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(file.read(&mut buf).await.unwrap(), 2);
        assert_eq!(file.read(&mut buf).await.unwrap(), 0);
        assert_eq!(file.read(&mut buf).await.unwrap(), 0);
    });
}

fn write_after_a_short_read_lands_at_the_callers_position(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("overwrite");
        fs::write(&path, b"0123456789").await.unwrap();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        // A 4-byte read of a file read ahead in one go: the OS cursor is at 10, the
        // caller's at 4.
        let mut head = [0u8; 4];
        file.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"0123");
        file.write_all(b"ab").await.unwrap();
        file.flush().await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"0123ab6789");
    });
}

fn relative_seek_counts_from_the_callers_position(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("relative");
        fs::write(&path, b"0123456789").await.unwrap();
        let mut file = File::open(&path).await.unwrap();
        let mut byte = [0u8; 1];
        // The first read fills the buffer with all ten bytes; hand out one at a time.
        let mut big = [0u8; 3];
        file.read_exact(&mut big).await.unwrap();
        assert_eq!(file.seek(SeekFrom::Current(2)).await.unwrap(), 5);
        file.read_exact(&mut byte).await.unwrap();
        assert_eq!(&byte, b"5");
        assert_eq!(file.stream_position().await.unwrap(), 6);
    });
}

fn large_file_written_and_read_in_chunks_keeps_every_byte(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("large");
        // Over 2 MiB, so a single blocking read or write cannot move it all.
        let expected = pattern(5 * 1024 * 1024 + 12_345);
        let mut file = File::create(&path).await.unwrap();
        for chunk in expected.chunks(64 * 1024 + 7) {
            file.write_all(chunk).await.unwrap();
        }
        file.flush().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), expected.len() as u64);
        drop(file);

        let mut file = File::open(&path).await.unwrap();
        let mut actual = Vec::with_capacity(expected.len());
        let mut chunk = vec![0u8; 100_003];
        loop {
            let count = file.read(&mut chunk).await.unwrap();
            if count == 0 {
                break;
            }
            actual.extend_from_slice(&chunk[..count]);
        }
        assert_eq!(actual.len(), expected.len());
        let first_difference = actual.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(first_difference, None, "bytes differ");

        // And in one read_to_end, whose reads are larger than the 2 MiB cap.
        let mut file = File::open(&path).await.unwrap();
        let mut whole = Vec::new();
        file.read_to_end(&mut whole).await.unwrap();
        assert!(whole == expected, "read_to_end differs");
    });
}

fn append_mode_writes_at_the_end(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("log");
        fs::write(&path, b"first\n").await.unwrap();
        let mut file = File::options().append(true).open(&path).await.unwrap();
        file.write_all(b"second\n").await.unwrap();
        file.shutdown().await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"first\nsecond\n");
    });
}

fn set_len_and_sync_all_wait_for_the_pending_write(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("sized");
        let mut file = open_read_write(&path).await;
        file.write_all(b"0123456789").await.unwrap();
        file.set_len(4).await.unwrap();
        file.sync_all().await.unwrap();
        file.sync_data().await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"0123");
    });
}

fn error_of_a_background_write_surfaces_on_flush(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("read-only-handle");
        fs::write(&path, b"x").await.unwrap();
        let mut file = File::open(&path).await.unwrap();
        // The write is accepted into the buffer; the OS refuses it in the background.
        assert_eq!(file.write(b"y").await.unwrap(), 1);
        let err = file.flush().await.unwrap_err();
        assert_ne!(err.kind(), ErrorKind::Other, "the OS error is kept: {err}");
        // Reported once; the file is usable afterwards.
        file.flush().await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"x");
    });
}

fn dropping_a_file_lets_its_pending_write_finish(flavour: Flavour) {
    let dir = temp_dir();
    // One blocking thread: the pending write runs before the read queued after it.
    let runtime = flavour
        .builder()
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let path = dir.path().join("dropped");
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"written after drop").await.unwrap();
        drop(file);
        assert_eq!(fs::read(&path).await.unwrap(), b"written after drop");
    });
}

fn std_conversions_keep_the_open_file(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        let path = dir.path().join("std");
        let mut file = File::from_std(std::fs::File::create(&path).unwrap());
        file.write_all(b"abc").await.unwrap();
        let file = match file.try_into_std() {
            Ok(_) => panic!("try_into_std succeeded with a write in flight"),
            Err(file) => file,
        };
        let std_file = file.into_std().await;
        let file = File::from(std_file);
        assert!(file.try_into_std().is_ok());
        assert_eq!(fs::read(&path).await.unwrap(), b"abc");
    });
}

fn read_dir_as_a_stream_lists_every_entry(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        // More entries than one blocking chunk holds.
        let mut expected = BTreeSet::new();
        for i in 0..70 {
            let name = format!("file-{i:03}");
            fs::write(dir.path().join(&name), i.to_string())
                .await
                .unwrap();
            expected.insert(name);
        }
        for i in 0..5 {
            let name = format!("dir-{i}");
            fs::create_dir(dir.path().join(&name)).await.unwrap();
            expected.insert(name);
        }

        let entries: Vec<_> = fs::read_dir(dir.path()).await.unwrap().collect().await;
        let mut listed = BTreeSet::new();
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            assert_eq!(entry.path(), dir.path().join(&name));
            let is_dir = entry.file_type().await.unwrap().is_dir();
            assert_eq!(is_dir, name.starts_with("dir-"), "{name}");
            assert_eq!(entry.metadata().await.unwrap().is_dir(), is_dir);
            assert!(listed.insert(name), "listed twice");
        }
        assert_eq!(listed, expected);
    });
}

fn read_dir_next_entry_ends_with_none(flavour: Flavour) {
    let dir = temp_dir();
    flavour.runtime().block_on(async {
        fs::write(dir.path().join("only"), b"").await.unwrap();
        let mut entries = fs::read_dir(dir.path()).await.unwrap();
        let entry = entries.next_entry().await.unwrap().unwrap();
        assert_eq!(entry.file_name(), "only");
        assert!(entries.next_entry().await.unwrap().is_none());
        assert!(entries.next_entry().await.unwrap().is_none());
    });
}

flavour_tests!(
    write_then_read_returns_the_same_bytes,
    read_to_string_of_invalid_utf8_is_invalid_data,
    directories_are_created_and_removed,
    remove_file_deletes_and_then_reports_not_found,
    rename_and_copy_move_content,
    metadata_and_links_describe_the_file,
    set_permissions_makes_a_file_read_only,
    missing_paths_give_not_found,
    create_new_refuses_an_existing_file,
    file_write_seek_back_and_read_roundtrips,
    reading_at_end_of_file_returns_zero,
    write_after_a_short_read_lands_at_the_callers_position,
    relative_seek_counts_from_the_callers_position,
    large_file_written_and_read_in_chunks_keeps_every_byte,
    append_mode_writes_at_the_end,
    set_len_and_sync_all_wait_for_the_pending_write,
    error_of_a_background_write_surfaces_on_flush,
    dropping_a_file_lets_its_pending_write_finish,
    std_conversions_keep_the_open_file,
    read_dir_as_a_stream_lists_every_entry,
    read_dir_next_entry_ends_with_none,
);

#[test]
fn fs_call_outside_a_runtime_panics_naming_the_call() {
    let payload =
        std::panic::catch_unwind(|| futures::executor::block_on(fs::read("/definitely/not/read")))
            .unwrap_err();
    let message = panic_message(payload);
    assert!(
        message.contains("spindle::fs::read called outside a runtime"),
        "{message}"
    );
}

#[cfg(feature = "tokio-io")]
#[test]
fn file_implements_tokios_io_traits() {
    fn assert_tokio_io<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + tokio::io::AsyncSeek>() {}
    assert_tokio_io::<File>();
}

fn fs_call_on_a_shut_down_runtime_is_an_error_saying_so(flavour: Flavour) {
    let runtime = flavour.runtime();
    let handle = runtime.handle().clone();
    drop(runtime);
    let _entered = handle.enter();
    let err = futures::executor::block_on(fs::read("/definitely/not/read")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    assert!(
        err.to_string()
            .contains("spindle::fs::read: the runtime shut down"),
        "{err}"
    );
}

mod after_shutdown {
    use super::*;
    flavour_tests!(fs_call_on_a_shut_down_runtime_is_an_error_saying_so);
}
