//! [`DirBuilder`]: directory creation with options (recursive, Unix mode).
//!
//! The options are collected here and applied to a `std::fs::DirBuilder` on the
//! blocking pool when [`create`](DirBuilder::create) runs; [`create_dir_all`] is
//! a recursive builder.
//!
//! [`create_dir_all`]: super::create_dir_all

use std::io;
use std::path::Path;

use super::blocking;

/// Builds directories: `recursive` creates missing parents, `mode` sets the Unix
/// permission bits (before the umask; default `0o777`).
///
/// ```
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let root = std::env::temp_dir().join(format!("spindle-doc-dirbuilder-{}", std::process::id()));
///     spindle::fs::DirBuilder::new()
///         .recursive(true)
///         .create(root.join("a/b/c"))
///         .await?;
///     assert!(spindle::fs::metadata(root.join("a/b/c")).await?.is_dir());
///     spindle::fs::remove_dir_all(&root).await
/// }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    #[cfg(unix)]
    mode: Option<u32>,
}

impl DirBuilder {
    /// A builder that creates one directory (its parent must exist) with the default
    /// mode.
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Whether missing parent directories are created too; an existing directory at
    /// the path is then not an error.
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the directories created (masked by the process umask).
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = Some(mode);
        self
    }

    /// Creates the directory at `path` with these options.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::DirBuilder::create`]: `AlreadyExists` (unless
    /// recursive), `NotFound` for a missing parent (unless recursive), permissions.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref().to_owned();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(self.recursive);
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
        }
        blocking::run("spindle::fs::DirBuilder::create", move || {
            builder.create(path)
        })
        .await
    }
}
