//! `OpenOptions`: std's builder of open flags, with an async `open` that runs on the
//! blocking pool and returns a [`File`].

use std::io;
use std::path::Path;

use super::{blocking, File};

/// Options for opening a file: which access modes and whether to create or truncate
/// it; the async counterpart of [`std::fs::OpenOptions`], obtained with
/// [`OpenOptions::new`] or [`File::options`].
///
/// ```
/// use spindle::io::AsyncWriteExt;
///
/// spindle::runtime::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("spindle-doc-oo-{}", std::process::id()));
///     let mut file = spindle::fs::OpenOptions::new()
///         .write(true)
///         .create(true)
///         .truncate(true)
///         .open(&path)
///         .await?;
///     file.write_all(b"opened").await?;
///     file.flush().await?;
///     assert_eq!(spindle::fs::read(&path).await?, b"opened");
///     spindle::fs::remove_file(&path).await
/// }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Options with every flag off; set at least one of `read`, `write` or `append`
    /// before opening.
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Opens for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Opens for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Opens for appending: every write goes to the current end of the file.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncates an existing file to length 0 when opening it (needs `write`).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Creates the file when it does not exist (needs `write` or `append`).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Creates the file, failing with `AlreadyExists` when it exists; `create` and
    /// `truncate` are ignored when this is set.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits a newly created file gets (before the umask).
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra flags passed to `open(2)`, such as `O_NOFOLLOW`.
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options on the blocking pool.
    ///
    /// # Errors
    ///
    /// The errors of [`std::fs::OpenOptions::open`]: `NotFound`, `PermissionDenied`,
    /// `AlreadyExists` with `create_new`, `InvalidInput` for a contradictory set of
    /// flags; or an error naming this call when the blocking task failed.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let options = self.0.clone();
        let std =
            blocking::run("spindle::fs::OpenOptions::open", move || options.open(path)).await?;
        Ok(File::from_std(std))
    }

    /// The std options these wrap.
    pub fn as_std(&self) -> &std::fs::OpenOptions {
        &self.0
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}
