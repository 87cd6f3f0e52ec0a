//! The futures of the integer and float writers (`write_u8` ... `write_f64_le`).
//!
//! One macro writes them all: each future encodes its value up front (`to_be_bytes` /
//! `to_le_bytes`) into a byte array and keeps a count of the bytes written, so the
//! value can leave over several writes and across `Pending`s. Like tokio's, they hold
//! the writer (a `&mut W`) as a pinned field and have no `PhantomPinned`, so they are
//! `Unpin`.

use std::future::Future;
use std::io;
use std::mem::size_of;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::{check_written, write_zero};
use crate::AsyncWrite;

macro_rules! write_int_future {
    ($($name:ident: $ty:ty, $to:ident, $method:literal;)*) => {$(
        pin_project! {
            #[doc = concat!(
                "The future of [`AsyncWriteExt::", $method, "`](super::AsyncWriteExt::",
                $method, "): writes a `", stringify!($ty), "`."
            )]
            #[derive(Debug)]
            #[must_use = "futures do nothing unless you `.await` or poll them"]
            pub struct $name<W> {
                #[pin]
                dst: W,
                buf: [u8; size_of::<$ty>()],
                written: usize,
            }
        }

        impl<W> $name<W> {
            pub(super) fn new(dst: W, value: $ty) -> Self {
                $name {
                    dst,
                    buf: value.$to(),
                    written: 0,
                }
            }
        }

        impl<W> Future for $name<W>
        where
            W: AsyncWrite,
        {
            type Output = io::Result<()>;

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                let mut me = self.project();
                while *me.written < me.buf.len() {
                    let rest = &me.buf[*me.written..];
                    let written = match ready!(me.dst.as_mut().poll_write(cx, rest)) {
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        polled => polled?,
                    };
                    let written = check_written(written, rest.len());
                    if written == 0 {
                        return Poll::Ready(Err(write_zero()));
                    }
                    *me.written += written;
                }
                Poll::Ready(Ok(()))
            }
        }
    )*};
}

write_int_future! {
    WriteU8: u8, to_be_bytes, "write_u8";
    WriteI8: i8, to_be_bytes, "write_i8";
    WriteU16: u16, to_be_bytes, "write_u16";
    WriteI16: i16, to_be_bytes, "write_i16";
    WriteU32: u32, to_be_bytes, "write_u32";
    WriteI32: i32, to_be_bytes, "write_i32";
    WriteU64: u64, to_be_bytes, "write_u64";
    WriteI64: i64, to_be_bytes, "write_i64";
    WriteU128: u128, to_be_bytes, "write_u128";
    WriteI128: i128, to_be_bytes, "write_i128";
    WriteF32: f32, to_be_bytes, "write_f32";
    WriteF64: f64, to_be_bytes, "write_f64";
    WriteU16Le: u16, to_le_bytes, "write_u16_le";
    WriteI16Le: i16, to_le_bytes, "write_i16_le";
    WriteU32Le: u32, to_le_bytes, "write_u32_le";
    WriteI32Le: i32, to_le_bytes, "write_i32_le";
    WriteU64Le: u64, to_le_bytes, "write_u64_le";
    WriteI64Le: i64, to_le_bytes, "write_i64_le";
    WriteU128Le: u128, to_le_bytes, "write_u128_le";
    WriteI128Le: i128, to_le_bytes, "write_i128_le";
    WriteF32Le: f32, to_le_bytes, "write_f32_le";
    WriteF64Le: f64, to_le_bytes, "write_f64_le";
}
