//! [`AsyncSeekExt`]: the `async` methods of every [`AsyncSeek`] (`seek`, `rewind`,
//! `stream_position`), and [`Seek`], the one future behind all three.
//!
//! The future first waits out any seek already in flight (`poll_complete` until
//! ready), then submits its own with `start_seek` and waits for that: the two-step
//! protocol of the trait, driven to the end.

use std::future::Future;
use std::io::{self, SeekFrom};
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use crate::AsyncSeek;

/// The `async` methods of [`AsyncSeek`]; tokio's `AsyncSeekExt`, implemented for every
/// `AsyncSeek`.
///
/// ```
/// use spindle_io::{AsyncBufReadExt, AsyncSeekExt};
/// use std::io::{Cursor, SeekFrom};
///
/// futures::executor::block_on(async {
///     let mut cursor = Cursor::new(b"abcdefg");
///     assert_eq!(cursor.seek(SeekFrom::Start(3)).await?, 3);
///     assert_eq!(cursor.fill_buf().await?, b"defg");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait AsyncSeekExt: AsyncSeek {
    /// Moves the cursor to `pos` and resolves to the new position from the start.
    ///
    /// Equivalent to `async fn seek(&mut self, pos: SeekFrom) -> io::Result<u64>`. A
    /// seek still in flight (started through the trait directly) is waited for
    /// first.
    ///
    /// # Errors
    ///
    /// Whatever `start_seek` or `poll_complete` returns, e.g. `InvalidInput` for a
    /// position before the start.
    ///
    /// # Cancel safety
    ///
    /// Not documented by tokio. Dropping the future after it submitted the seek
    /// leaves that seek in flight: the object may or may not have moved, and the next
    /// seek waits for it first.
    fn seek(&mut self, pos: SeekFrom) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        Seek {
            seek: self,
            pos: Some(pos),
            _pin: PhantomPinned,
        }
    }

    /// Moves the cursor back to the start: `self.seek(SeekFrom::Start(0))`.
    ///
    /// ```
    /// use spindle_io::{AsyncBufReadExt, AsyncSeekExt};
    /// use std::io::Cursor;
    ///
    /// futures::executor::block_on(async {
    ///     let mut cursor = Cursor::new(b"abc");
    ///     cursor.consume(2);
    ///     assert_eq!(cursor.rewind().await?, 0);
    ///     assert_eq!(cursor.fill_buf().await?, b"abc");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn rewind(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Start(0))
    }

    /// The current position from the start: `self.seek(SeekFrom::Current(0))`.
    ///
    /// ```
    /// use spindle_io::{AsyncBufReadExt, AsyncSeekExt};
    /// use std::io::Cursor;
    ///
    /// futures::executor::block_on(async {
    ///     let mut cursor = Cursor::new(b"abc");
    ///     cursor.consume(2);
    ///     assert_eq!(cursor.stream_position().await?, 2);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn stream_position(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Current(0))
    }
}

impl<S: AsyncSeek + ?Sized> AsyncSeekExt for S {}

pin_project! {
    /// The future of [`seek`](AsyncSeekExt::seek), [`rewind`](AsyncSeekExt::rewind)
    /// and [`stream_position`](AsyncSeekExt::stream_position): resolves to the new
    /// position.
    ///
    /// `!Unpin`, as tokio's is (so it can become an `async fn` in a trait later).
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Seek<'a, S: ?Sized> {
        seek: &'a mut S,
        // The target until it is submitted with `start_seek`, then `None`.
        pos: Option<SeekFrom>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<S: AsyncSeek + ?Sized + Unpin> Future for Seek<'_, S> {
    type Output = io::Result<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        if let Some(pos) = *me.pos {
            // A seek still in flight must finish before this one can start.
            ready!(Pin::new(&mut **me.seek).poll_complete(cx))?;
            Pin::new(&mut **me.seek).start_seek(pos)?;
            *me.pos = None;
        }
        Pin::new(&mut **me.seek).poll_complete(cx)
    }
}
