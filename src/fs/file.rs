//! `File`: an open file whose reads, writes and seeks run on the blocking pool.
//!
//! A file has no readiness to wait on, so every OS call is a closure on the blocking
//! pool, and the handle is a small state machine around the one closure it may have
//! in flight:
//!
//! - **Idle(buf)**: nothing in flight. `buf` may hold bytes read ahead of the caller
//!   (a read asked the OS for as much as the caller's slice could take).
//! - **Busy(handle)**: one blocking read, write, seek or `set_len` is running; it owns
//!   the buffer and gives it back with its result.
//!
//! Reads are served from the buffer while it holds data; otherwise one read of up to
//! `min(caller's slice, max_buf_size)` bytes is started. Writes are write-behind:
//! `poll_write` copies the caller's bytes into the buffer, starts the blocking write
//! and returns at once, so the next write (or a flush, seek or read) waits for it. An
//! error of that background write is returned by the next write, flush or seek; a
//! read that finds it stores it for the next write or flush, as tokio does. Because
//! the blocking closure owns the buffer, dropping a `File` with a write in flight lets
//! the write finish, but nobody sees its result: call `flush` first.
//!
//! Bytes read ahead are "owed" to the caller: before a write or a relative seek, the
//! OS cursor is moved back by their number, so that positions stay the ones the caller
//! sees. Every blocking closure shares the `std::fs::File` through an `Arc`; `&self`
//! methods that must not overlap a read or write (`sync_all`, `set_len`, ...) take
//! the async mutex around the state first.

use std::fmt;
use std::fs::{Metadata, Permissions};
use std::future::poll_fn;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use spindle_io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use spindle_sync::Mutex;

use super::blocking;
use super::buf::{Buf, BufState, MAX_BUF_SIZE};
use super::OpenOptions;

/// An open file with async reads, writes and seeks; the async counterpart of
/// [`std::fs::File`], doing its IO on the runtime's blocking pool.
///
/// `File` implements [`AsyncRead`], [`AsyncWrite`] and [`AsyncSeek`] (and the
/// `futures-io` and tokio versions with the `futures-io` and `tokio-io` features).
/// Writes are buffered and complete in the
/// background: call `flush` (or `sync_all`) before dropping the file to learn whether
/// the last write succeeded.
///
/// ```
/// use spindle::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-file-{}", std::process::id()));
///     let mut file = spindle::fs::OpenOptions::new()
///         .read(true)
///         .write(true)
///         .create(true)
///         .truncate(true)
///         .open(&path)
///         .await?;
///     file.write_all(b"hello, file").await?;
///     file.seek(SeekFrom::Start(7)).await?;
///     let mut tail = String::new();
///     file.read_to_string(&mut tail).await?;
///     assert_eq!(tail, "file");
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub struct File {
    std: Arc<std::fs::File>,
    inner: Mutex<Inner>,
    max_buf_size: usize,
}

struct Inner {
    state: State,
    /// The error of a background write that a read or `&self` method found; the next
    /// write, flush or seek returns it.
    last_write_err: Option<io::Error>,
    /// The target of tokio's `start_seek`, until `poll_complete` starts it.
    #[cfg_attr(not(feature = "tokio-io"), allow(dead_code))]
    pending_seek: Option<SeekFrom>,
}

type State = BufState<Operation>;

enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
    SetLen(io::Result<()>),
}

const READ: &str = "spindle::fs::File read";
const WRITE: &str = "spindle::fs::File write";
const SEEK: &str = "spindle::fs::File seek";
const SET_LEN: &str = "spindle::fs::File::set_len";

impl File {
    /// Opens the file at `path` for reading.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::open`], such as `NotFound`.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    ///
    /// ```
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let missing = std::env::temp_dir().join("spindle-doc-no-such-dir/file");
    ///     let err = spindle::fs::File::open(&missing).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens the file at `path` for writing, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::create`].
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    ///
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-create-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     file.write_all(b"created").await?;
    ///     file.flush().await?;
    ///     assert_eq!(spindle::fs::read(&path).await?, b"created");
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a new file at `path` for reading and writing, failing with
    /// `AlreadyExists` when something is there.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, and the other errors of opening a file.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// A fresh [`OpenOptions`], to open a file with other flags.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open `std::fs::File`. Its cursor is where the async file starts.
    ///
    /// ```
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-fromstd-{}", std::process::id()));
    ///     let std_file = std::fs::File::create(&path)?;
    ///     let file = spindle::fs::File::from_std(std_file);
    ///     assert_eq!(file.metadata().await?.len(), 0);
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Buf::default()),
                last_write_err: None,
                pending_seek: None,
            }),
            max_buf_size: MAX_BUF_SIZE,
        }
    }

    /// Waits for the operation in flight, then returns the `std::fs::File`.
    ///
    /// An error of the last background write is lost here: call `flush` first to see
    /// it. Bytes read ahead into the buffer are dropped, so the std file's cursor may
    /// be past what was returned by reads.
    ///
    /// # Panics
    ///
    /// Only when an abandoned `metadata`, `sync_all`, `sync_data` or `set_permissions`
    /// future still runs on the blocking pool with the file and duplicating the
    /// descriptor (to return while that call finishes) fails, for example because the
    /// process is out of file descriptors.
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    /// use std::io::Read;
    ///
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-intostd-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     file.write_all(b"std").await?;
    ///     file.flush().await?;
    ///     drop(file.into_std().await);
    ///     let mut text = String::new();
    ///     std::fs::File::open(&path)?.read_to_string(&mut text)?;
    ///     assert_eq!(text, "std");
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn into_std(mut self) -> std::fs::File {
        self.inner.get_mut().complete_in_flight().await;
        match Arc::try_unwrap(self.std) {
            Ok(std) => std,
            // The read/write/seek closures drop their clone before their JoinHandle
            // resolves, but an abandoned `metadata`, `sync_all` or `set_permissions`
            // future leaves its closure running with one. A duplicate descriptor shares
            // the open file description (cursor and flags), so it serves as well.
            Err(shared) => shared.try_clone().unwrap_or_else(|err| {
                panic!(
                    "spindle::fs::File::into_std: an abandoned metadata/sync call still uses \
                     the file and duplicating its descriptor failed ({err}); await those \
                     calls to completion before into_std"
                )
            }),
        }
    }

    /// Returns the `std::fs::File` without waiting, or `self` back when an operation
    /// is in flight.
    ///
    /// # Errors
    ///
    /// Gives back the file, unchanged, while a read, write or seek is in flight.
    // tokio's signature: the file itself comes back, as large as it is.
    #[allow(clippy::result_large_err)]
    pub fn try_into_std(mut self) -> Result<std::fs::File, File> {
        if matches!(self.inner.get_mut().state, State::Busy(..)) {
            return Err(self);
        }
        let File {
            std,
            inner,
            max_buf_size,
        } = self;
        Arc::try_unwrap(std).map_err(|std| File {
            std,
            inner,
            max_buf_size,
        })
    }

    /// The file's metadata.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::metadata`].
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        blocking::run("spindle::fs::File::metadata", move || std.metadata()).await
    }

    /// Waits for the write in flight, then flushes data and metadata to the device.
    ///
    /// # Errors
    ///
    /// The error of the write in flight, or of [`std::fs::File::sync_all`].
    ///
    /// ```
    /// use spindle::io::AsyncWriteExt;
    ///
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-sync-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     file.write_all(b"durable").await?;
    ///     file.sync_all().await?;
    ///     assert_eq!(spindle::fs::read(&path).await?, b"durable");
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.flush().await?;
        let std = self.std.clone();
        blocking::run("spindle::fs::File::sync_all", move || std.sync_all()).await
    }

    /// Waits for the write in flight, then flushes the data (not necessarily the
    /// metadata) to the device.
    ///
    /// # Errors
    ///
    /// The error of the write in flight, or of [`std::fs::File::sync_data`].
    pub async fn sync_data(&self) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.flush().await?;
        let std = self.std.clone();
        blocking::run("spindle::fs::File::sync_data", move || std.sync_data()).await
    }

    /// Waits for the operation in flight, then truncates or extends the file to
    /// `size` bytes. The cursor does not move.
    ///
    /// # Errors
    ///
    /// The error of the write in flight, or of [`std::fs::File::set_len`] (such as
    /// `InvalidInput` when the file is not open for writing).
    ///
    /// ```
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-setlen-{}", std::process::id()));
    ///     let file = spindle::fs::File::create(&path).await?;
    ///     file.set_len(10).await?;
    ///     assert_eq!(file.metadata().await?.len(), 10);
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.flush().await?;
        let State::Idle(buf) = &mut inner.state else {
            unreachable!("a completed flush leaves the file idle")
        };
        let mut buf = std::mem::take(buf);
        let seek_back = (!buf.is_empty()).then(|| buf.discard_read());
        let std = self.std.clone();
        inner.state = State::Busy(
            blocking::spawn(SET_LEN, move || {
                let result = match seek_back {
                    Some(offset) => (&*std).seek(SeekFrom::Current(offset)).map(drop),
                    None => Ok(()),
                }
                .and_then(|()| std.set_len(size));
                (Operation::SetLen(result), buf)
            }),
            SET_LEN,
        );
        match poll_fn(|cx| inner.poll_in_flight(cx)).await {
            Some(Ok(Operation::SetLen(result))) => result,
            Some(Ok(_)) | None => unreachable!("set_len awaits its own operation"),
            Some(Err(err)) => Err(err),
        }
    }

    /// Waits for the operation in flight, then duplicates the descriptor: the new
    /// `File` shares the open file (cursor and flags) and this file's buffer size.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::try_clone`] (such as `EMFILE`).
    ///
    /// ```
    /// use spindle::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-clone-{}", std::process::id()));
    ///     let mut file = spindle::fs::File::create(&path).await?;
    ///     let mut clone = file.try_clone().await?;
    ///     file.write_all(b"one ").await?;
    ///     file.flush().await?;
    ///     clone.write_all(b"two").await?; // the shared cursor is past "one "
    ///     clone.flush().await?;
    ///     assert_eq!(spindle::fs::read_to_string(&path).await?, "one two");
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        self.inner.lock().await.complete_in_flight().await;
        let std = self.std.clone();
        let cloned = blocking::run("spindle::fs::File::try_clone", move || std.try_clone()).await?;
        let mut file = File::from_std(cloned);
        file.max_buf_size = self.max_buf_size;
        Ok(file)
    }

    /// Waits for the operation in flight (so a write cannot land after it and move the
    /// modification time again), then sets the access and/or modification times.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::set_times`].
    pub async fn set_times(&self, times: std::fs::FileTimes) -> io::Result<()> {
        self.inner.lock().await.complete_in_flight().await;
        let std = self.std.clone();
        blocking::run("spindle::fs::File::set_times", move || std.set_times(times)).await
    }

    /// Sets the modification time; shorthand for [`set_times`](File::set_times) with
    /// only the modification time.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::set_modified`].
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    ///
    /// spindle::runtime::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("spindle-doc-mtime-{}", std::process::id()));
    ///     let file = spindle::fs::File::create(&path).await?;
    ///     let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    ///     file.set_modified(then).await?;
    ///     assert_eq!(file.metadata().await?.modified()?, then);
    ///     spindle::fs::remove_file(&path).await
    /// }).unwrap();
    /// ```
    pub async fn set_modified(&self, time: std::time::SystemTime) -> io::Result<()> {
        self.set_times(std::fs::FileTimes::new().set_modified(time))
            .await
    }

    /// Changes the file's permissions.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::File::set_permissions`].
    pub async fn set_permissions(&self, permissions: Permissions) -> io::Result<()> {
        let std = self.std.clone();
        blocking::run("spindle::fs::File::set_permissions", move || {
            std.set_permissions(permissions)
        })
        .await
    }

    /// Sets the most bytes one blocking read or write moves (2 MiB by default).
    ///
    /// # Panics
    ///
    /// Panics when `max_buf_size` is 0, as no read or write could then progress.
    pub fn set_max_buf_size(&mut self, max_buf_size: usize) {
        assert!(
            max_buf_size > 0,
            "File::set_max_buf_size(0): one blocking read or write must move at least one byte"
        );
        self.max_buf_size = max_buf_size;
    }

    /// The most bytes one blocking read or write moves.
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size
    }

    fn parts(self: Pin<&mut Self>) -> (&mut Inner, &Arc<std::fs::File>, usize) {
        let me = self.get_mut();
        (me.inner.get_mut(), &me.std, me.max_buf_size)
    }
}

impl Inner {
    /// Drives the operation in flight to its end and returns it, leaving the state
    /// idle; `None` when the file was already idle.
    fn poll_in_flight(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Operation>>> {
        self.state.poll_in_flight(cx)
    }

    fn idle_buf(&mut self) -> &mut Buf {
        self.state.idle_buf()
    }

    fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        max_buf_size: usize,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Read(result))) => {
                    result?;
                    return Poll::Ready(Ok(self.idle_buf().copy_to(dst)));
                }
                Some(Ok(Operation::Write(Err(err)))) => self.last_write_err = Some(err),
                Some(Ok(_)) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    let buf = self.idle_buf();
                    if !buf.is_empty() || dst.remaining() == 0 {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    let mut buf = std::mem::take(buf);
                    let std = std.clone();
                    let len = dst.remaining().min(max_buf_size);
                    self.state = State::Busy(
                        blocking::spawn(READ, move || {
                            let result = buf.read_from(&*std, len);
                            (Operation::Read(result), buf)
                        }),
                        READ,
                    );
                }
            }
        }
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        max_buf_size: usize,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.last_write_err.take() {
            return Poll::Ready(Err(err));
        }
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Write(result))) => result?,
                Some(Ok(_)) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    if src.is_empty() {
                        return Poll::Ready(Ok(0));
                    }
                    let buf = self.idle_buf();
                    let seek_back = (!buf.is_empty()).then(|| buf.discard_read());
                    let mut buf = std::mem::take(buf);
                    let written = buf.copy_from(src, max_buf_size);
                    let std = std.clone();
                    self.state = State::Busy(
                        blocking::spawn(WRITE, move || {
                            let result = match seek_back {
                                Some(offset) => (&*std).seek(SeekFrom::Current(offset)).map(drop),
                                None => Ok(()),
                            }
                            .and_then(|()| buf.write_to(&*std));
                            (Operation::Write(result), buf)
                        }),
                        WRITE,
                    );
                    return Poll::Ready(Ok(written));
                }
            }
        }
    }

    /// Waits for the write in flight and returns its result (or the stored one).
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.last_write_err.take() {
            return Poll::Ready(Err(err));
        }
        match ready!(self.poll_in_flight(cx)) {
            Some(Ok(Operation::Write(result))) => Poll::Ready(result),
            Some(Ok(_)) | None => Poll::Ready(Ok(())),
            Some(Err(err)) => Poll::Ready(Err(err)),
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Waits for the operation in flight, keeping a write error for the next write
    /// or flush.
    async fn complete_in_flight(&mut self) {
        if let Err(err) = self.flush().await {
            self.last_write_err = Some(err);
        }
    }

    fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        mut target: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            match ready!(self.poll_in_flight(cx)) {
                Some(Ok(Operation::Seek(result))) => return Poll::Ready(result),
                Some(Ok(Operation::Write(Err(err)))) => return Poll::Ready(Err(err)),
                Some(Ok(_)) => {}
                Some(Err(err)) => return Poll::Ready(Err(err)),
                None => {
                    if let Some(err) = self.last_write_err.take() {
                        return Poll::Ready(Err(err));
                    }
                    let buf = self.idle_buf();
                    // A relative seek counts from the caller's position, which is
                    // behind the OS cursor by the bytes read ahead.
                    let mut extra_seek = None;
                    if !buf.is_empty() {
                        let ahead = buf.discard_read();
                        if let SeekFrom::Current(offset) = &mut target {
                            match offset.checked_add(ahead) {
                                Some(adjusted) => *offset = adjusted,
                                None => extra_seek = Some(SeekFrom::Current(ahead)),
                            }
                        }
                    }
                    let buf = std::mem::take(buf);
                    let std = std.clone();
                    self.state = State::Busy(
                        blocking::spawn(SEEK, move || {
                            let result = match extra_seek {
                                Some(extra) => (&*std).seek(extra).map(drop),
                                None => Ok(()),
                            }
                            .and_then(|()| (&*std).seek(target));
                            (Operation::Seek(result), buf)
                        }),
                        SEEK,
                    );
                }
            }
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let (inner, std, max_buf_size) = self.parts();
        ready!(inner.poll_read(cx, std, max_buf_size, dst))?;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let (inner, std, max_buf_size) = self.parts();
        inner.poll_write(cx, std, max_buf_size, src)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.parts().0.poll_flush(cx)
    }

    /// A file has no write side to shut down: this flushes.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.parts().0.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn start_seek(self: Pin<&mut Self>, target: SeekFrom) -> io::Result<()> {
        let inner = self.parts().0;
        if inner.pending_seek.is_some() {
            return Err(io::Error::other(
                "spindle::fs::File::start_seek: a seek is already pending; call poll_complete \
                 until it is ready before starting another",
            ));
        }
        inner.pending_seek = Some(target);
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let (inner, std, _) = self.parts();
        // Without a pending seek, the answer is the current position.
        let target = inner.pending_seek.unwrap_or(SeekFrom::Current(0));
        let result = ready!(inner.poll_seek(cx, std, target));
        inner.pending_seek = None;
        Poll::Ready(result)
    }
}

/// `futures-io`'s seek is one call with the target; a re-poll finds the seek it
/// started in flight and returns its result.
#[cfg(feature = "futures-io")]
impl futures_io::AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        target: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let (inner, std, _) = self.parts();
        inner.poll_seek(cx, std, target)
    }
}

#[cfg(feature = "futures-io")]
spindle_io::bridge_futures_io!(both: [] File);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(both: [] File);
#[cfg(feature = "tokio-io")]
spindle_io::bridge_tokio_io!(seek: [] File);

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("spindle::fs::File")
            .field("std", &self.std)
            .finish_non_exhaustive()
    }
}

#[cfg(unix)]
impl From<std::os::fd::OwnedFd> for File {
    fn from(fd: std::os::fd::OwnedFd) -> File {
        File::from_std(std::fs::File::from(fd))
    }
}

#[cfg(unix)]
impl std::os::fd::FromRawFd for File {
    /// Takes ownership of `fd`, an open file.
    ///
    /// # Safety
    ///
    /// `fd` must be an open file descriptor that nothing else owns.
    unsafe fn from_raw_fd(fd: std::os::fd::RawFd) -> File {
        // SAFETY: forwarded from this function's contract.
        File::from_std(unsafe { std::fs::File::from_raw_fd(fd) })
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.std.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for File {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.std.as_fd()
    }
}
