//! [`AsyncBufReadExt`]: the `async` methods of every [`AsyncBufRead`] (`read_until`,
//! `read_line`, `fill_buf`, `consume`, `lines`, `split`).
//!
//! Each method returns a named future (or, for `lines`/`split`, a named reader type)
//! from the file beside this one, all built on the one `read_until` loop in
//! `read_until.rs`. The trait is blanket-implemented for every `AsyncBufRead`,
//! unsized ones included, so `use spindle_io::AsyncBufReadExt` is all a caller needs.

mod fill_buf;
mod lines;
mod read_line;
mod read_until;
mod split;

pub use fill_buf::FillBuf;
pub use lines::Lines;
pub use read_line::ReadLine;
pub use read_until::ReadUntil;
pub use split::Split;

use crate::AsyncBufRead;

/// The `async` methods of [`AsyncBufRead`]; tokio's `AsyncBufReadExt`, implemented for
/// every `AsyncBufRead`.
///
/// ```
/// use spindle_io::{AsyncBufReadExt, BufReader};
///
/// futures::executor::block_on(async {
///     let mut reader = BufReader::new(&b"key=value\nrest"[..]);
///     let mut key = Vec::new();
///     reader.read_until(b'=', &mut key).await?;
///     assert_eq!(key, b"key=");
///     let mut value = String::new();
///     reader.read_line(&mut value).await?;
///     assert_eq!(value, "value\n");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Reads bytes into `buf` until the delimiter `byte` or end of stream, appending
    /// them, the delimiter included if found.
    ///
    /// Equivalent to `async fn read_until(&mut self, byte: u8, buf: &mut Vec<u8>) ->
    /// io::Result<usize>`. Resolves to the number of bytes appended; `Ok(0)` means end
    /// of stream.
    ///
    /// # Errors
    ///
    /// `ErrorKind::Interrupted` is retried; any other error of
    /// [`poll_fill_buf`](AsyncBufRead::poll_fill_buf) is returned, with every byte
    /// read so far already appended to `buf`.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: the bytes read before the future was dropped are
    /// already in `buf`, and calling it again goes on reading up to `byte`. The count
    /// it resolves to then starts again from zero.
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    /// use std::io::Cursor;
    ///
    /// futures::executor::block_on(async {
    ///     let mut cursor = Cursor::new(b"lorem-ipsum");
    ///     let mut buf = Vec::new();
    ///     assert_eq!(cursor.read_until(b'-', &mut buf).await?, 6);
    ///     assert_eq!(buf, b"lorem-");
    ///     buf.clear();
    ///     assert_eq!(cursor.read_until(b'-', &mut buf).await?, 5);
    ///     assert_eq!(buf, b"ipsum");
    ///     buf.clear();
    ///     assert_eq!(cursor.read_until(b'-', &mut buf).await?, 0);
    ///     assert!(buf.is_empty());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntil<'a, Self>
    where
        Self: Unpin,
    {
        read_until::read_until(self, byte, buf)
    }

    /// Reads bytes until a newline (`0x0A`) or end of stream and appends them to
    /// `buf`, the newline included if found.
    ///
    /// Equivalent to `async fn read_line(&mut self, buf: &mut String) ->
    /// io::Result<usize>`. Resolves to the number of bytes read; `Ok(0)` means end of
    /// stream.
    ///
    /// # Errors
    ///
    /// As [`read_until`](Self::read_until), and `ErrorKind::InvalidData` if the bytes
    /// read are not valid UTF-8: they are consumed from the reader and dropped, and
    /// `buf` keeps exactly what it held before the call. On an IO error, `buf` has the
    /// bytes read so far appended if they are valid UTF-8, and is left as it was if
    /// not.
    ///
    /// # Cancel safety
    ///
    /// This method is **not** cancel safe: the bytes read before the future was
    /// dropped are lost. (tokio gives no guarantee about `buf` then; spindle leaves it
    /// holding what it held before the call.) For a cancel-safe way to read lines, use
    /// [`lines`](Self::lines) and its [`next_line`](Lines::next_line), or
    /// [`read_until`](Self::read_until) with `b'\n'` and a UTF-8 check of your own.
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    /// use std::io::Cursor;
    ///
    /// futures::executor::block_on(async {
    ///     let mut cursor = Cursor::new(b"foo\nbar");
    ///     let mut buf = String::new();
    ///     assert_eq!(cursor.read_line(&mut buf).await?, 4);
    ///     assert_eq!(buf, "foo\n");
    ///     buf.clear();
    ///     assert_eq!(cursor.read_line(&mut buf).await?, 3);
    ///     assert_eq!(buf, "bar");
    ///     buf.clear();
    ///     assert_eq!(cursor.read_line(&mut buf).await?, 0);
    ///     assert_eq!(buf, "");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        read_line::read_line(self, buf)
    }

    /// The segments of this reader between occurrences of `byte`, each without the
    /// delimiter; the async counterpart of [`BufRead::split`](std::io::BufRead::split).
    ///
    /// Read them with [`Split::next_segment`]; each has the error semantics of
    /// [`read_until`](Self::read_until).
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    ///
    /// futures::executor::block_on(async {
    ///     let mut segments = std::io::Cursor::new(b"a-b").split(b'-');
    ///     while let Some(segment) = segments.next_segment().await? {
    ///         assert_eq!(segment.len(), 1);
    ///     }
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn split(self, byte: u8) -> Split<Self>
    where
        Self: Sized + Unpin,
    {
        split::split(self, byte)
    }

    /// The buffered bytes, reading from the source first if there are none; an empty
    /// slice means end of stream.
    ///
    /// Equivalent to `async fn fill_buf(&mut self) -> io::Result<&[u8]>`. The bytes
    /// stay in the buffer until [`consume`](Self::consume) marks them as used.
    ///
    /// # Errors
    ///
    /// Whatever error the source's read returned.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe: if the future is dropped before it resolves, no
    /// data was read.
    ///
    /// ```
    /// use spindle_io::{AsyncBufReadExt, BufReader};
    ///
    /// futures::executor::block_on(async {
    ///     let mut reader = BufReader::with_capacity(4, &b"abcdef"[..]);
    ///     assert_eq!(reader.fill_buf().await?, b"abcd");
    ///     reader.consume(3);
    ///     assert_eq!(reader.fill_buf().await?, b"d");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn fill_buf(&mut self) -> FillBuf<'_, Self>
    where
        Self: Unpin,
    {
        fill_buf::fill_buf(self)
    }

    /// Marks `amt` of the bytes [`fill_buf`](Self::fill_buf) returned as used, so they
    /// are not returned again. Does no IO.
    ///
    /// `amt` must not exceed what `fill_buf` returned; what happens otherwise depends
    /// on the reader ([`BufReader`](crate::BufReader) panics).
    fn consume(&mut self, amt: usize)
    where
        Self: Unpin,
    {
        std::pin::Pin::new(self).consume(amt)
    }

    /// The lines of this reader, each without its `\n` or `\r\n`; the async
    /// counterpart of [`BufRead::lines`](std::io::BufRead::lines).
    ///
    /// Read them with [`Lines::next_line`] (cancel safe); each has the error semantics
    /// of [`read_line`](Self::read_line), except that a line that is not UTF-8 is
    /// skipped after its error.
    ///
    /// ```
    /// use spindle_io::AsyncBufReadExt;
    /// use std::io::Cursor;
    ///
    /// futures::executor::block_on(async {
    ///     let mut lines = Cursor::new(b"lorem\nipsum\r\ndolor").lines();
    ///     assert_eq!(lines.next_line().await?, Some(String::from("lorem")));
    ///     assert_eq!(lines.next_line().await?, Some(String::from("ipsum")));
    ///     assert_eq!(lines.next_line().await?, Some(String::from("dolor")));
    ///     assert_eq!(lines.next_line().await?, None);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        lines::lines(self)
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}
