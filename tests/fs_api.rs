//! tokio's remaining `fs` API on spindle, both flavours: `DirBuilder`, `File::try_clone`,
//! `set_times`/`set_modified` with `FileTimes`, and the fd conversions.

use std::future::Future;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use spindle::fs::{self, DirBuilder, File, FileTimes};
use spindle::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

mod support;

use support::{Flavour, GENEROUS};

flavour_tests!(
    dir_builder_without_recursive_needs_the_parent,
    dir_builder_recursive_creates_parents_and_accepts_an_existing_dir,
    dir_builder_mode_sets_the_permission_bits,
    try_clone_shares_the_cursor,
    set_times_sets_access_and_modification_times,
    set_modified_after_a_write_is_not_overwritten_by_it,
    files_convert_from_owned_and_raw_fds,
);

/// Runs the future `scenario` makes on a fresh runtime of `flavour`, under a deadline.
fn on<F: Future<Output = ()> + 'static>(flavour: Flavour, scenario: fn() -> F) {
    support::within(GENEROUS, move || flavour.runtime().block_on(scenario()));
}

fn dir_builder_without_recursive_needs_the_parent(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("missing/child");
        let err = DirBuilder::new().create(&nested).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        DirBuilder::new()
            .create(dir.path().join("one"))
            .await
            .unwrap();
        let err = DirBuilder::new()
            .create(dir.path().join("one"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    });
}

fn dir_builder_recursive_creates_parents_and_accepts_an_existing_dir(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b/c");
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        builder.create(&nested).await.unwrap();
        assert!(fs::metadata(&nested).await.unwrap().is_dir());
        builder.create(&nested).await.unwrap();
        fs::create_dir_all(dir.path().join("a/b/d")).await.unwrap();
        assert!(fs::metadata(dir.path().join("a/b/d"))
            .await
            .unwrap()
            .is_dir());
    });
}

fn dir_builder_mode_sets_the_permission_bits(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private");
        DirBuilder::new()
            .mode(0o700)
            .create(&private)
            .await
            .unwrap();
        let mode = fs::metadata(&private).await.unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    });
}

fn try_clone_shares_the_cursor(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        fs::write(&path, b"0123456789").await.unwrap();
        let mut file = File::open(&path).await.unwrap();
        file.seek(io::SeekFrom::Start(4)).await.unwrap();
        let mut clone = file.try_clone().await.unwrap();
        let mut rest = String::new();
        clone.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "456789");
        assert_ne!(clone.as_raw_fd(), file.as_raw_fd());
    });
}

fn set_times_sets_access_and_modification_times(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("times")).await.unwrap();
        let accessed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000);
        let times = FileTimes::new()
            .set_accessed(accessed)
            .set_modified(modified);
        file.set_times(times).await.unwrap();
        let metadata = file.metadata().await.unwrap();
        assert_eq!(metadata.accessed().unwrap(), accessed);
        assert_eq!(metadata.modified().unwrap(), modified);
    });
}

fn set_modified_after_a_write_is_not_overwritten_by_it(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let mut file = File::create(dir.path().join("mtime")).await.unwrap();
        // The write is still in flight on the blocking pool when set_modified starts.
        file.write_all(&[7; 64 * 1024]).await.unwrap();
        let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_234_567_890);
        file.set_modified(then).await.unwrap();
        let metadata = file.metadata().await.unwrap();
        assert_eq!(metadata.len(), 64 * 1024);
        assert_eq!(metadata.modified().unwrap(), then);
    });
}

fn files_convert_from_owned_and_raw_fds(flavour: Flavour) {
    on(flavour, || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fds");
        std::fs::write(&path, b"from an fd").unwrap();
        let owned = OwnedFd::from(std::fs::File::open(&path).unwrap());
        let mut file = File::from(owned);
        let mut text = String::new();
        file.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "from an fd");

        let raw = std::fs::File::open(&path).unwrap().into_raw_fd();
        // SAFETY: `raw` was just given up by the std file; nothing else owns it.
        let mut file = unsafe { File::from_raw_fd(raw) };
        assert_eq!(file.as_raw_fd(), raw);
        let mut text = String::new();
        file.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "from an fd");
    });
}
