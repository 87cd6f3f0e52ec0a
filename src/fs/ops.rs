//! The one-shot file-system functions: each moves its path arguments onto the
//! blocking pool, runs the `std::fs` function of the same name there, and hands back
//! its result.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use super::blocking;

/// Reads the whole file at `path` into a byte vector; the async form of
/// [`std::fs::read`].
///
/// # Errors
///
/// The errors of [`std::fs::read`], such as `NotFound`; or an error naming this
/// function when the blocking task panicked or the runtime shut down.
///
/// # Panics
///
/// Panics outside a runtime, as every `spindle::fs` function does.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-read-{}", std::process::id()));
///     spindle::fs::write(&path, b"hello").await?;
///     assert_eq!(spindle::fs::read(&path).await?, b"hello");
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::read", move || std::fs::read(path)).await
}

/// Reads the whole file at `path` into a string; the async form of
/// [`std::fs::read_to_string`].
///
/// # Errors
///
/// The errors of [`std::fs::read_to_string`], including `InvalidData` when the file
/// is not UTF-8.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-rts-{}", std::process::id()));
///     spindle::fs::write(&path, "héllo").await?;
///     assert_eq!(spindle::fs::read_to_string(&path).await?, "héllo");
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::read_to_string", move || {
        std::fs::read_to_string(path)
    })
    .await
}

/// Writes `contents` as the whole content of the file at `path`, creating it or
/// truncating it; the async form of [`std::fs::write`].
///
/// # Errors
///
/// The errors of [`std::fs::write`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-write-{}", std::process::id()));
///     spindle::fs::write(&path, vec![1u8, 2, 3]).await?;
///     assert_eq!(spindle::fs::read(&path).await?, [1, 2, 3]);
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    blocking::run("spindle::fs::write", move || std::fs::write(path, contents)).await
}

/// Creates the directory `path`, whose parent must exist; the async form of
/// [`std::fs::create_dir`].
///
/// # Errors
///
/// The errors of [`std::fs::create_dir`], such as `AlreadyExists` or `NotFound` (a
/// missing parent).
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-mkdir-{}", std::process::id()));
///     spindle::fs::create_dir(&path).await?;
///     assert!(spindle::fs::metadata(&path).await?.is_dir());
///     spindle::fs::remove_dir(&path).await
/// }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::create_dir", move || std::fs::create_dir(path)).await
}

/// Creates the directory `path` and every missing parent; the async form of
/// [`std::fs::create_dir_all`]. Succeeds when the directory already exists.
///
/// # Errors
///
/// The errors of [`std::fs::create_dir_all`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let root = std::env::temp_dir().join(format!("spindle-doc-mkdirs-{}", std::process::id()));
///     spindle::fs::create_dir_all(root.join("a/b/c")).await?;
///     assert!(spindle::fs::try_exists(root.join("a/b/c")).await?);
///     spindle::fs::remove_dir_all(&root).await
/// }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    super::DirBuilder::new().recursive(true).create(path).await
}

/// Removes the file (or symbolic link) at `path`; the async form of
/// [`std::fs::remove_file`].
///
/// # Errors
///
/// The errors of [`std::fs::remove_file`], such as `NotFound`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-rm-{}", std::process::id()));
///     spindle::fs::write(&path, b"x").await?;
///     spindle::fs::remove_file(&path).await?;
///     assert!(!spindle::fs::try_exists(&path).await?);
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::remove_file", move || {
        std::fs::remove_file(path)
    })
    .await
}

/// Removes the empty directory `path`; the async form of [`std::fs::remove_dir`].
///
/// # Errors
///
/// The errors of [`std::fs::remove_dir`], such as `NotFound`, or an error when the
/// directory is not empty.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-rmdir-{}", std::process::id()));
///     spindle::fs::create_dir(&path).await?;
///     spindle::fs::remove_dir(&path).await?;
///     assert!(!spindle::fs::try_exists(&path).await?);
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::remove_dir", move || std::fs::remove_dir(path)).await
}

/// Removes the directory `path` with everything inside it; the async form of
/// [`std::fs::remove_dir_all`].
///
/// # Errors
///
/// The errors of [`std::fs::remove_dir_all`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let root = std::env::temp_dir().join(format!("spindle-doc-rmall-{}", std::process::id()));
///     spindle::fs::create_dir_all(root.join("inner")).await?;
///     spindle::fs::write(root.join("inner/file"), b"x").await?;
///     spindle::fs::remove_dir_all(&root).await?;
///     assert!(!spindle::fs::try_exists(&root).await?);
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::remove_dir_all", move || {
        std::fs::remove_dir_all(path)
    })
    .await
}

/// Renames `from` to `to`, replacing `to` if it is a file; the async form of
/// [`std::fs::rename`].
///
/// # Errors
///
/// The errors of [`std::fs::rename`], such as `NotFound` for a missing `from`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let from = dir.join(format!("spindle-doc-mv-a-{}", std::process::id()));
///     let to = dir.join(format!("spindle-doc-mv-b-{}", std::process::id()));
///     spindle::fs::write(&from, b"moved").await?;
///     spindle::fs::rename(&from, &to).await?;
///     assert_eq!(spindle::fs::read(&to).await?, b"moved");
///     spindle::fs::remove_file(&to).await
/// }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let from = from.as_ref().to_owned();
    let to = to.as_ref().to_owned();
    blocking::run("spindle::fs::rename", move || std::fs::rename(from, to)).await
}

/// Copies the content and permissions of the file `from` to `to`, returning the
/// number of bytes copied; the async form of [`std::fs::copy`].
///
/// # Errors
///
/// The errors of [`std::fs::copy`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let from = dir.join(format!("spindle-doc-cp-a-{}", std::process::id()));
///     let to = dir.join(format!("spindle-doc-cp-b-{}", std::process::id()));
///     spindle::fs::write(&from, b"copied").await?;
///     assert_eq!(spindle::fs::copy(&from, &to).await?, 6);
///     assert_eq!(spindle::fs::read(&to).await?, b"copied");
///     spindle::fs::remove_file(&from).await?;
///     spindle::fs::remove_file(&to).await
/// }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let from = from.as_ref().to_owned();
    let to = to.as_ref().to_owned();
    blocking::run("spindle::fs::copy", move || std::fs::copy(from, to)).await
}

/// The metadata of `path`, following symbolic links; the async form of
/// [`std::fs::metadata`].
///
/// # Errors
///
/// The errors of [`std::fs::metadata`], such as `NotFound`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-meta-{}", std::process::id()));
///     spindle::fs::write(&path, b"four").await?;
///     let metadata = spindle::fs::metadata(&path).await?;
///     assert!(metadata.is_file());
///     assert_eq!(metadata.len(), 4);
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::metadata", move || std::fs::metadata(path)).await
}

/// The metadata of `path` itself, without following a symbolic link; the async form
/// of [`std::fs::symlink_metadata`].
///
/// # Errors
///
/// The errors of [`std::fs::symlink_metadata`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let metadata = spindle::fs::symlink_metadata(&dir).await?;
///     assert!(metadata.is_dir() || metadata.file_type().is_symlink());
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::symlink_metadata", move || {
        std::fs::symlink_metadata(path)
    })
    .await
}

/// The absolute form of `path` with every symbolic link and `.`/`..` resolved; the
/// async form of [`std::fs::canonicalize`].
///
/// # Errors
///
/// The errors of [`std::fs::canonicalize`], such as `NotFound`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let canonical = spindle::fs::canonicalize(dir.join(".")).await?;
///     assert!(canonical.is_absolute());
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::canonicalize", move || {
        std::fs::canonicalize(path)
    })
    .await
}

/// Creates `link` as a new hard link to the file `original`; the async form of
/// [`std::fs::hard_link`].
///
/// # Errors
///
/// The errors of [`std::fs::hard_link`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let original = dir.join(format!("spindle-doc-ln-a-{}", std::process::id()));
///     let link = dir.join(format!("spindle-doc-ln-b-{}", std::process::id()));
///     spindle::fs::write(&original, b"shared").await?;
///     spindle::fs::hard_link(&original, &link).await?;
///     assert_eq!(spindle::fs::read(&link).await?, b"shared");
///     spindle::fs::remove_file(&original).await?;
///     spindle::fs::remove_file(&link).await
/// }).unwrap();
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let original = original.as_ref().to_owned();
    let link = link.as_ref().to_owned();
    blocking::run("spindle::fs::hard_link", move || {
        std::fs::hard_link(original, link)
    })
    .await
}

/// Creates `link` as a symbolic link pointing at `original`; the async form of
/// [`std::os::unix::fs::symlink`].
///
/// # Errors
///
/// The errors of [`std::os::unix::fs::symlink`], such as `AlreadyExists`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let dir = std::env::temp_dir();
///     let original = dir.join(format!("spindle-doc-sym-a-{}", std::process::id()));
///     let link = dir.join(format!("spindle-doc-sym-b-{}", std::process::id()));
///     spindle::fs::write(&original, b"target").await?;
///     spindle::fs::symlink(&original, &link).await?;
///     assert_eq!(spindle::fs::read_link(&link).await?, original);
///     spindle::fs::remove_file(&link).await?;
///     spindle::fs::remove_file(&original).await
/// }).unwrap();
/// ```
#[cfg(unix)]
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let original = original.as_ref().to_owned();
    let link = link.as_ref().to_owned();
    blocking::run("spindle::fs::symlink", move || {
        std::os::unix::fs::symlink(original, link)
    })
    .await
}

/// The target of the symbolic link `path`; the async form of
/// [`std::fs::read_link`].
///
/// # Errors
///
/// The errors of [`std::fs::read_link`], including `InvalidInput` when `path` is
/// not a symbolic link.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-rl-{}", std::process::id()));
///     spindle::fs::write(&path, b"not a link").await?;
///     assert!(spindle::fs::read_link(&path).await.is_err());
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::read_link", move || std::fs::read_link(path)).await
}

/// Sets the permissions of `path`; the async form of [`std::fs::set_permissions`].
///
/// # Errors
///
/// The errors of [`std::fs::set_permissions`].
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-perm-{}", std::process::id()));
///     spindle::fs::write(&path, b"x").await?;
///     let mut permissions = spindle::fs::metadata(&path).await?.permissions();
///     permissions.set_readonly(true);
///     spindle::fs::set_permissions(&path, permissions).await?;
///     assert!(spindle::fs::metadata(&path).await?.permissions().readonly());
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, permissions: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::set_permissions", move || {
        std::fs::set_permissions(path, permissions)
    })
    .await
}

/// Whether `path` exists (following symbolic links); the async form of
/// [`std::fs::exists`]. Unlike [`Path::exists`], errors other than "not found"
/// (such as a permission denied on a parent) are reported instead of read as
/// `false`.
///
/// # Errors
///
/// Any error of `stat` other than `NotFound`.
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let missing = std::env::temp_dir().join("spindle-doc-surely-missing/entry");
///     assert!(!spindle::fs::try_exists(&missing).await?);
///     assert!(spindle::fs::try_exists(std::env::temp_dir()).await?);
///     Ok::<_, std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    blocking::run("spindle::fs::try_exists", move || std::fs::exists(path)).await
}
