//! The futures of the integer and float readers (`read_u8` ... `read_f64_le`).
//!
//! One macro writes them all: each future owns a byte array the size of its type and a
//! count of the bytes read into it, so a value that arrives over several reads (or
//! across a `Pending`) is assembled in place, and decodes it with the type's
//! `from_be_bytes`/`from_le_bytes` once the array is full. Like tokio's, they hold the
//! reader (a `&mut R`) as a pinned field and have no `PhantomPinned`, so they are
//! `Unpin`.

use std::future::Future;
use std::io;
use std::mem::size_of;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::read::early_eof;
use crate::AsyncRead;

macro_rules! read_int_future {
    ($($name:ident: $ty:ty, $from:ident, $method:literal;)*) => {$(
        pin_project! {
            #[doc = concat!(
                "The future of [`AsyncReadExt::", $method, "`](super::AsyncReadExt::",
                $method, "): reads a `", stringify!($ty), "`."
            )]
            #[derive(Debug)]
            #[must_use = "futures do nothing unless you `.await` or poll them"]
            pub struct $name<R> {
                #[pin]
                src: R,
                buf: [u8; size_of::<$ty>()],
                read: usize,
            }
        }

        impl<R> $name<R> {
            pub(super) fn new(src: R) -> Self {
                $name {
                    src,
                    buf: [0; size_of::<$ty>()],
                    read: 0,
                }
            }
        }

        impl<R> Future for $name<R>
        where
            R: AsyncRead,
        {
            type Output = io::Result<$ty>;

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut me = self.project();
                while *me.read < me.buf.len() {
                    let mut buf = crate::ReadBuf::new(&mut me.buf[*me.read..]);
                    match ready!(me.src.as_mut().poll_read(cx, &mut buf)) {
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        polled => polled?,
                    }
                    let n = buf.filled().len();
                    if n == 0 {
                        return Poll::Ready(Err(early_eof()));
                    }
                    *me.read += n;
                }
                Poll::Ready(Ok(<$ty>::$from(*me.buf)))
            }
        }
    )*};
}

read_int_future! {
    ReadU8: u8, from_be_bytes, "read_u8";
    ReadI8: i8, from_be_bytes, "read_i8";
    ReadU16: u16, from_be_bytes, "read_u16";
    ReadI16: i16, from_be_bytes, "read_i16";
    ReadU32: u32, from_be_bytes, "read_u32";
    ReadI32: i32, from_be_bytes, "read_i32";
    ReadU64: u64, from_be_bytes, "read_u64";
    ReadI64: i64, from_be_bytes, "read_i64";
    ReadU128: u128, from_be_bytes, "read_u128";
    ReadI128: i128, from_be_bytes, "read_i128";
    ReadF32: f32, from_be_bytes, "read_f32";
    ReadF64: f64, from_be_bytes, "read_f64";
    ReadU16Le: u16, from_le_bytes, "read_u16_le";
    ReadI16Le: i16, from_le_bytes, "read_i16_le";
    ReadU32Le: u32, from_le_bytes, "read_u32_le";
    ReadI32Le: i32, from_le_bytes, "read_i32_le";
    ReadU64Le: u64, from_le_bytes, "read_u64_le";
    ReadI64Le: i64, from_le_bytes, "read_i64_le";
    ReadU128Le: u128, from_le_bytes, "read_u128_le";
    ReadI128Le: i128, from_le_bytes, "read_i128_le";
    ReadF32Le: f32, from_le_bytes, "read_f32_le";
    ReadF64Le: f64, from_le_bytes, "read_f64_le";
}
