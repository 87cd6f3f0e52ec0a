//! `read_dir`: a directory listing fetched from the blocking pool in chunks.
//!
//! `std::fs::ReadDir` is an iterator whose every step may block in `getdents`, so the
//! iterator lives on the blocking pool while a chunk of up to [`CHUNK_SIZE`] entries
//! is pulled, then comes back with them. `ReadDir` hands out the buffered entries one
//! by one and starts the next chunk when they run out: one thread hand-off per chunk,
//! not per entry. The state is either **Idle** (the iterator and the entries not yet
//! returned) or **Busy** (a blocking task owns the iterator); after the iterator
//! reports its end it is dropped and only the buffered entries remain.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use spindle_executor::task::JoinHandle;

use super::blocking;

/// How many entries one blocking task reads before handing them back.
const CHUNK_SIZE: usize = 32;

const NEXT_ENTRY: &str = "spindle::fs::ReadDir::next_entry";

/// Lists the entries of the directory `path` (without `.` and `..`); the async form of
/// [`std::fs::read_dir`].
///
/// # Errors
///
/// The errors of [`std::fs::read_dir`], such as `NotFound` or `NotADirectory`.
///
/// # Panics
///
/// Panics outside a runtime.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir().join(format!("spindle-doc-readdir-{}", std::process::id()));
///     spindle::fs::create_dir_all(&dir).await?;
///     spindle::fs::write(dir.join("a.txt"), b"a").await?;
///     let mut entries = spindle::fs::read_dir(&dir).await?;
///     let mut names = Vec::new();
///     while let Some(entry) = entries.next_entry().await? {
///         names.push(entry.file_name());
///     }
///     assert_eq!(names, ["a.txt"]);
///     spindle::fs::remove_dir_all(&dir).await
/// }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let (entries, iterator) = blocking::run("spindle::fs::read_dir", move || {
        let mut iterator = std::fs::read_dir(path)?;
        let entries = next_chunk(&mut iterator);
        Ok((entries, iterator))
    })
    .await?;
    Ok(ReadDir(State::Idle {
        entries,
        iterator: Some(iterator),
    }))
}

/// Pulls up to [`CHUNK_SIZE`] entries from `iterator`; `None` once it has ended.
fn next_chunk(iterator: &mut std::fs::ReadDir) -> Chunk {
    let mut entries = VecDeque::with_capacity(CHUNK_SIZE);
    for _ in 0..CHUNK_SIZE {
        match iterator.next() {
            Some(entry) => entries.push_back(entry.map(DirEntry::from_std)),
            None => {
                return Chunk {
                    entries,
                    ended: true,
                }
            }
        }
    }
    Chunk {
        entries,
        ended: false,
    }
}

struct Chunk {
    entries: VecDeque<io::Result<DirEntry>>,
    ended: bool,
}

/// The entries of a directory, returned by [`read_dir`]; read them with
/// [`next_entry`](ReadDir::next_entry) or as a [`Stream`](futures_core::Stream) of
/// `io::Result<DirEntry>`.
///
/// ```
/// use futures::StreamExt;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir().join(format!("spindle-doc-stream-{}", std::process::id()));
///     spindle::fs::create_dir_all(dir.join("sub")).await?;
///     let entries: Vec<_> = spindle::fs::read_dir(&dir).await?.collect().await;
///     assert_eq!(entries.len(), 1);
///     assert!(entries[0].as_ref().unwrap().file_type().await?.is_dir());
///     spindle::fs::remove_dir_all(&dir).await
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReadDir(State);

#[derive(Debug)]
enum State {
    Idle {
        entries: Chunk,
        /// `None` once the listing has ended.
        iterator: Option<std::fs::ReadDir>,
    },
    Busy(JoinHandle<(Chunk, std::fs::ReadDir)>),
    /// A blocking task failed; the listing cannot go on.
    Failed,
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("buffered", &self.entries.len())
            .field("ended", &self.ended)
            .finish()
    }
}

impl ReadDir {
    /// The next entry, or `None` at the end of the listing.
    ///
    /// # Errors
    ///
    /// An error reading the directory; the listing may go on after it, as with
    /// `std::fs::ReadDir`.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry; `Ready(Ok(None))` at the end of the listing.
    ///
    /// # Errors
    ///
    /// As [`next_entry`](ReadDir::next_entry).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.0 {
                State::Idle { entries, iterator } => {
                    if let Some(entry) = entries.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    let Some(mut iterator) = iterator.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    self.0 = State::Busy(blocking::spawn(NEXT_ENTRY, move || {
                        let chunk = next_chunk(&mut iterator);
                        (chunk, iterator)
                    }));
                }
                State::Busy(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok((chunk, iterator)) => {
                        let ended = chunk.ended;
                        self.0 = State::Idle {
                            entries: chunk,
                            iterator: (!ended).then_some(iterator),
                        };
                    }
                    Err(err) => {
                        self.0 = State::Failed;
                        return Poll::Ready(Err(blocking::join_error(NEXT_ENTRY, err)));
                    }
                },
                State::Failed => return Poll::Ready(Ok(None)),
            }
        }
    }
}

impl futures_core::Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_entry(cx)
            .map(|result| result.transpose())
    }
}

/// One entry of a directory listing, from [`ReadDir`].
#[derive(Debug)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    /// The type as the listing reported it, when the platform gives it for free.
    file_type: Option<FileType>,
}

impl DirEntry {
    fn from_std(std: std::fs::DirEntry) -> DirEntry {
        // On Linux and the BSDs the type comes with the listing (`d_type`), so this is
        // no extra syscall; it runs on the blocking thread anyway.
        let file_type = std.file_type().ok();
        DirEntry {
            std: Arc::new(std),
            file_type,
        }
    }

    /// The full path of the entry: the listed directory joined with
    /// [`file_name`](DirEntry::file_name).
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The bare name of the entry, without its directory.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata, without following a symbolic link.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::DirEntry::metadata`], such as `NotFound` when the
    /// entry was removed since the listing.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        blocking::run("spindle::fs::DirEntry::metadata", move || std.metadata()).await
    }

    /// The entry's type (file, directory, symbolic link, ...), without following a
    /// symbolic link; usually known from the listing without another syscall.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::DirEntry::file_type`].
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        blocking::run("spindle::fs::DirEntry::file_type", move || std.file_type()).await
    }

    /// The inode number of the entry, as the listing reported it.
    #[cfg(unix)]
    pub fn ino(&self) -> u64 {
        std::os::unix::fs::DirEntryExt::ino(&*self.std)
    }
}
