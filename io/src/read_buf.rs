//! [`ReadBuf`]: the buffer [`AsyncRead::poll_read`](crate::AsyncRead::poll_read) reads
//! into.
//!
//! A read fills a caller's buffer that may not be initialised yet (a `Vec`'s spare
//! capacity, a `BytesMut`'s tail): zeroing it first on every read would cost as much as
//! the copy itself. So the buffer tracks three regions, each a prefix of the next:
//!
//! ```text
//! [ filled | initialised, not filled | uninitialised ]
//! 0      filled                    initialized       capacity
//! ```
//!
//! Safe code can only see initialised bytes; the two `unsafe` accessors hand out the
//! raw memory to code that promises never to de-initialise a byte. The layout and the
//! methods are tokio's, so code written against `tokio::io::ReadBuf` compiles as it is.

use std::fmt;
use std::mem::MaybeUninit;

/// A wrapper around a byte buffer that is incrementally filled and initialised.
///
/// ```
/// use spindle_io::ReadBuf;
///
/// let mut storage = [0u8; 8];
/// let mut buf = ReadBuf::new(&mut storage);
/// buf.put_slice(b"abc");
/// assert_eq!(buf.filled(), b"abc");
/// assert_eq!(buf.remaining(), 5);
/// buf.clear();
/// assert!(buf.filled().is_empty());
/// ```
pub struct ReadBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    filled: usize,
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// A `ReadBuf` over a fully initialised buffer; nothing is filled yet.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and every byte is
        // initialised; `initialized` covers the whole buffer, so no safe method ever lets
        // a caller write uninitialised memory into it (which `&mut [u8]` would forbid).
        let buf = unsafe { slice_to_uninit_mut(buf) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// A `ReadBuf` over a buffer that may be uninitialised; nothing is filled or
    /// initialised yet.
    #[inline]
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The total size of the buffer.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The filled part of the buffer.
    #[inline]
    pub fn filled(&self) -> &[u8] {
        let slice = &self.buf[..self.filled];
        // SAFETY: `filled <= initialized`, so these bytes are initialised.
        unsafe { slice_assume_init(slice) }
    }

    /// The filled part of the buffer, mutably.
    #[inline]
    pub fn filled_mut(&mut self) -> &mut [u8] {
        let slice = &mut self.buf[..self.filled];
        // SAFETY: `filled <= initialized`, so these bytes are initialised.
        unsafe { slice_assume_init_mut(slice) }
    }

    /// A new `ReadBuf` over the first `n` unfilled bytes of this one (fewer if fewer
    /// remain). Bytes the new buffer fills are not counted as filled here: the caller
    /// advances this one by `taken.filled().len()` itself.
    #[inline]
    pub fn take(&mut self, n: usize) -> ReadBuf<'_> {
        let max = std::cmp::min(self.remaining(), n);
        let initialized = self.initialized - self.filled;
        // SAFETY: the new buffer can only write initialised bytes into the unfilled part
        // (its own safe API keeps that invariant), so this one stays sound.
        let unfilled = unsafe { self.unfilled_mut() };
        let mut taken = ReadBuf::uninit(&mut unfilled[..max]);
        // SAFETY: the first `initialized` unfilled bytes of this buffer are initialised.
        unsafe { taken.assume_init(std::cmp::min(initialized, max)) };
        taken
    }

    /// The initialised part of the buffer (the filled part and beyond).
    #[inline]
    pub fn initialized(&self) -> &[u8] {
        let slice = &self.buf[..self.initialized];
        // SAFETY: these bytes are initialised by the definition of `initialized`.
        unsafe { slice_assume_init(slice) }
    }

    /// The initialised part of the buffer, mutably.
    #[inline]
    pub fn initialized_mut(&mut self) -> &mut [u8] {
        let slice = &mut self.buf[..self.initialized];
        // SAFETY: these bytes are initialised by the definition of `initialized`.
        unsafe { slice_assume_init_mut(slice) }
    }

    /// The whole buffer, which may be partly uninitialised.
    ///
    /// # Safety
    ///
    /// The caller must not de-initialise any byte that is initialised (write
    /// `MaybeUninit::uninit()` over it).
    #[inline]
    pub unsafe fn inner_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        self.buf
    }

    /// The unfilled part of the buffer, which may be partly uninitialised.
    ///
    /// # Safety
    ///
    /// The caller must not de-initialise any byte that is initialised.
    #[inline]
    pub unsafe fn unfilled_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.buf[self.filled..]
    }

    /// The unfilled part of the buffer, zeroing whatever of it is not initialised yet.
    #[inline]
    pub fn initialize_unfilled(&mut self) -> &mut [u8] {
        self.initialize_unfilled_to(self.remaining())
    }

    /// The first `n` unfilled bytes, zeroing whatever of them is not initialised yet.
    ///
    /// # Panics
    ///
    /// If fewer than `n` bytes remain unfilled.
    #[inline]
    #[track_caller]
    pub fn initialize_unfilled_to(&mut self, n: usize) -> &mut [u8] {
        assert!(
            self.remaining() >= n,
            "ReadBuf::initialize_unfilled_to({n}) with only {} bytes unfilled",
            self.remaining()
        );
        let end = self.filled + n;
        if self.initialized < end {
            for byte in &mut self.buf[self.initialized..end] {
                byte.write(0);
            }
            self.initialized = end;
        }
        let slice = &mut self.buf[self.filled..end];
        // SAFETY: every byte up to `end` was initialised just above or before.
        unsafe { slice_assume_init_mut(slice) }
    }

    /// How many bytes are not filled yet.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.capacity() - self.filled
    }

    /// Forgets the filled bytes (they stay initialised).
    #[inline]
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Marks `n` more bytes as filled.
    ///
    /// # Panics
    ///
    /// If the filled part would grow past the initialised part.
    #[inline]
    #[track_caller]
    pub fn advance(&mut self, n: usize) {
        let new = self.filled.checked_add(n).expect("ReadBuf filled overflow");
        self.set_filled(new);
    }

    /// Sets how many bytes are filled; shrinking is allowed.
    ///
    /// # Panics
    ///
    /// If `n` is more than the initialised part.
    #[inline]
    #[track_caller]
    pub fn set_filled(&mut self, n: usize) {
        assert!(
            n <= self.initialized,
            "ReadBuf::set_filled({n}) past the {} initialised bytes: initialise them \
             first (initialize_unfilled, put_slice or assume_init)",
            self.initialized
        );
        self.filled = n;
    }

    /// Asserts that the first `n` unfilled bytes are initialised. `initialized` never
    /// shrinks, so a smaller `n` than what is known is a no-op.
    ///
    /// # Safety
    ///
    /// The caller must have initialised those bytes.
    #[inline]
    pub unsafe fn assume_init(&mut self, n: usize) {
        let new = self.filled + n;
        if new > self.initialized {
            self.initialized = new;
        }
    }

    /// Copies `src` into the unfilled part and marks it filled.
    ///
    /// # Panics
    ///
    /// If `src` is longer than [`remaining`](Self::remaining).
    #[inline]
    #[track_caller]
    pub fn put_slice(&mut self, src: &[u8]) {
        assert!(
            self.remaining() >= src.len(),
            "ReadBuf::put_slice of {} bytes with only {} unfilled",
            src.len(),
            self.remaining()
        );
        let end = self.filled + src.len();
        // SAFETY: the destination is `src.len()` bytes of this buffer (in bounds by the
        // assertion above), borrowed mutably through `self`, so it cannot overlap `src`,
        // a shared borrow; writing initialised bytes over `MaybeUninit` is always sound.
        unsafe {
            let destination = self.buf.as_mut_ptr().add(self.filled).cast::<u8>();
            std::ptr::copy_nonoverlapping(src.as_ptr(), destination, src.len());
        }
        if self.initialized < end {
            self.initialized = end;
        }
        self.filled = end;
    }
}

impl fmt::Debug for ReadBuf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuf")
            .field("filled", &self.filled)
            .field("initialized", &self.initialized)
            .field("capacity", &self.capacity())
            .finish()
    }
}

// SAFETY: `chunk_mut` hands out only the unfilled part, and `advance_mut` is called by
// `BufMut`'s contract only for bytes the caller wrote, so marking them initialised and
// filled is sound; `remaining_mut` never over-reports.
unsafe impl bytes::BufMut for ReadBuf<'_> {
    fn remaining_mut(&self) -> usize {
        self.remaining()
    }

    unsafe fn advance_mut(&mut self, cnt: usize) {
        // SAFETY: forwarded from `BufMut::advance_mut`'s contract: the caller wrote
        // `cnt` bytes into the chunk.
        unsafe { self.assume_init(cnt) };
        self.advance(cnt);
    }

    fn chunk_mut(&mut self) -> &mut bytes::buf::UninitSlice {
        // SAFETY: `UninitSlice` never de-initialises memory (it only allows writes of
        // initialised bytes), so the unfilled part stays sound.
        let unfilled = unsafe { self.unfilled_mut() };
        bytes::buf::UninitSlice::uninit(unfilled)
    }
}

/// # Safety
///
/// The caller must never write an uninitialised byte through the result.
unsafe fn slice_to_uninit_mut(slice: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: same layout; the caller keeps the bytes initialised.
    unsafe { &mut *(slice as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

/// # Safety
///
/// Every byte of `slice` must be initialised.
unsafe fn slice_assume_init(slice: &[MaybeUninit<u8>]) -> &[u8] {
    // SAFETY: same layout; the caller says the bytes are initialised.
    unsafe { &*(slice as *const [MaybeUninit<u8>] as *const [u8]) }
}

/// # Safety
///
/// Every byte of `slice` must be initialised.
unsafe fn slice_assume_init_mut(slice: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    // SAFETY: same layout; the caller says the bytes are initialised.
    unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
}
