//! The halves of a [`TcpStream`](super::TcpStream); see `net::split` for the design.

use std::net::SocketAddr;

use super::TcpStream;

crate::net::split::split_halves!(TcpStream, SocketAddr, "TcpStream");

impl ReadHalf<'_> {
    /// Polls a peek into `buf`'s unfilled part (see [`TcpStream::poll_peek`]).
    pub fn poll_peek(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        self.0.poll_peek(cx, buf)
    }

    /// Reads into `buf` without removing the data from the socket's queue (see
    /// [`TcpStream::peek`]).
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf).await
    }
}

impl OwnedReadHalf {
    /// Polls a peek into `buf`'s unfilled part (see [`TcpStream::poll_peek`]).
    pub fn poll_peek(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_peek(cx, buf)
    }

    /// Reads into `buf` without removing the data from the socket's queue (see
    /// [`TcpStream::peek`]).
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}
