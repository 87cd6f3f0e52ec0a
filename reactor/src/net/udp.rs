//! [`UdpSocket`]: datagrams over UDP.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::{ready, Context, Poll};

use socket2::SockRef;

use crate::context;
use crate::driver::Handle;
use crate::io::Interest;
use crate::net::addr::{first_addr, try_each_addr, ToSocketAddrs};
use crate::net::{datagram_methods, readiness_methods, std_socket_conversions};
use crate::registration::PollEvented;

/// A UDP socket. Unconnected, it sends with [`send_to`](UdpSocket::send_to) and
/// receives with [`recv_from`](UdpSocket::recv_from); after
/// [`connect`](UdpSocket::connect) it talks to one peer with `send`/`recv`. All methods
/// take `&self`, so one socket can be shared (in an `Arc`) by a sending and a receiving
/// task.
///
/// ```
/// use spindle_reactor::net::UdpSocket;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"hello", b.local_addr()?).await?;
/// let mut buf = [0; 16];
/// let (len, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..len], from), (&b"hello"[..], a.local_addr()?));
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    io: PollEvented<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr`, trying each resolved address until one binds.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let handle = context::current_for("spindle::net::UdpSocket::bind");
        try_each_addr(&addr, |addr| {
            let handle = handle.clone();
            async move { UdpSocket::from_std_with_handle(std::net::UdpSocket::bind(addr)?, handle) }
        })
        .await
    }

    /// Registers a std socket with the current runtime's reactor, switching it to
    /// non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime with IO enabled.
    #[track_caller]
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        let handle = context::current_for("spindle::net::UdpSocket::from_std");
        UdpSocket::from_std_with_handle(socket, handle)
    }

    fn from_std_with_handle(socket: std::net::UdpSocket, handle: Handle) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        let io =
            PollEvented::new_with_handle(socket, Interest::READABLE | Interest::WRITABLE, handle)?;
        Ok(UdpSocket { io })
    }

    /// Deregisters the socket and returns the std socket, still non-blocking.
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        Ok(self.io.into_inner())
    }

    /// Sets the default peer for `send`/`recv` and filters received datagrams to it;
    /// the first resolved address that works is used.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        try_each_addr(&addr, |addr| async move { self.io.io().connect(addr) }).await
    }

    /// Sends `buf` to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::WRITABLE, || self.io.io().send(buf))
            .await
    }

    /// Receives a datagram from the connected peer; a datagram longer than `buf` is
    /// truncated.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().recv(buf))
            .await
    }

    /// Sends `buf` to `target` (its first resolved address).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = first_addr(&target).await?;
        self.io
            .registration()
            .async_io(Interest::WRITABLE, || self.io.io().send_to(buf, target))
            .await
    }

    /// Receives a datagram and its sender's address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().recv_from(buf))
            .await
    }

    /// Like [`recv_from`](UdpSocket::recv_from), but leaves the datagram queued.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().peek_from(buf))
            .await
    }

    /// Like [`recv`](UdpSocket::recv), but leaves the datagram queued.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.io.io().peek(buf))
            .await
    }

    /// Sends to the connected peer without waiting (`WouldBlock` when not writable).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::WRITABLE, || self.io.io().send(buf))
    }

    /// Receives from the connected peer without waiting (`WouldBlock` when nothing
    /// is queued).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().recv(buf))
    }

    /// Sends to `target` without waiting.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::WRITABLE, || self.io.io().send_to(buf, target))
    }

    /// Receives a datagram and its sender without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().recv_from(buf))
    }

    /// Peeks at a datagram and its sender without waiting.
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().peek_from(buf))
    }

    readiness_methods!();
    datagram_methods!(SocketAddr);

    /// Polls to send `buf` to `target`; only the last task to poll is woken.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .registration()
            .poll_io(cx, Interest::WRITABLE, || self.io.io().send_to(buf, target))
    }

    /// Polls to peek at the next datagram from the connected peer into `buf`'s unfilled
    /// part, leaving it queued; only the last task to poll is woken.
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let peeked = ready!(self
            .io
            .registration()
            .poll_io(cx, Interest::READABLE, || self
                .io
                .io()
                .peek(buf.initialize_unfilled())))?;
        buf.advance(peeked);
        Poll::Ready(Ok(()))
    }

    /// Polls to peek at the next datagram and its sender, leaving it queued; only the
    /// last task to poll is woken.
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut crate::io::ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        let (peeked, from) =
            ready!(self
                .io
                .registration()
                .poll_io(cx, Interest::READABLE, || self
                    .io
                    .io()
                    .peek_from(buf.initialize_unfilled())))?;
        buf.advance(peeked);
        Poll::Ready(Ok(from))
    }

    /// Peeks at the next datagram from the connected peer without waiting.
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.io.io().peek(buf))
    }

    /// The sender of the next queued datagram, leaving the datagram queued (whatever
    /// its length: nothing is truncated).
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        self.io
            .registration()
            .async_io(Interest::READABLE, || self.peek_sender_now())
            .await
    }

    /// Polls for the sender of the next queued datagram; only the last task to poll is
    /// woken.
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.io
            .registration()
            .poll_io(cx, Interest::READABLE, || self.peek_sender_now())
    }

    /// The sender of the next queued datagram, without waiting.
    pub fn try_peek_sender(&self) -> io::Result<SocketAddr> {
        self.io
            .registration()
            .try_io(Interest::READABLE, || self.peek_sender_now())
    }

    fn peek_sender_now(&self) -> io::Result<SocketAddr> {
        SockRef::from(self.io.io())
            .peek_sender()?
            .as_socket()
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "the sender has no IP address")
            })
    }

    /// The IPv6 traffic class (`IPV6_TCLASS`).
    pub fn tclass_v6(&self) -> io::Result<u32> {
        SockRef::from(self.io.io()).tclass_v6()
    }

    /// Sets the IPv6 traffic class (`IPV6_TCLASS`).
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        SockRef::from(self.io.io()).set_tclass_v6(tclass)
    }

    /// The IPv4 type-of-service field (`IP_TOS`); the same as `tos`.
    pub fn tos_v4(&self) -> io::Result<u32> {
        SockRef::from(self.io.io()).tos()
    }

    /// Sets the IPv4 type-of-service field (`IP_TOS`); the same as `set_tos`.
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        SockRef::from(self.io.io()).set_tos(tos)
    }

    /// The IPv4 type-of-service field (`IP_TOS`).
    pub fn tos(&self) -> io::Result<u32> {
        SockRef::from(self.io.io()).tos()
    }

    /// Sets the IPv4 type-of-service field (`IP_TOS`) of sent datagrams.
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        SockRef::from(self.io.io()).set_tos(tos)
    }

    /// The interface the socket is bound to (`SO_BINDTODEVICE`), if any.
    pub fn device(&self) -> io::Result<Option<Vec<u8>>> {
        SockRef::from(self.io.io()).device()
    }

    /// Binds the socket to the interface named `interface` (`None` unbinds).
    pub fn bind_device(&self, interface: Option<&[u8]>) -> io::Result<()> {
        SockRef::from(self.io.io()).bind_device(interface)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// Sets `SO_BROADCAST`: allow sending to broadcast addresses.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.io().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.io().broadcast()
    }

    /// Sets `IP_MULTICAST_LOOP`: whether multicast sent here loops back to local sockets.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.io().set_multicast_loop_v4(on)
    }

    /// Whether `IP_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.io().multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_TTL`: how many hops multicast datagrams may take.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_multicast_ttl_v4(ttl)
    }

    /// The `IP_MULTICAST_TTL`.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.io().multicast_ttl_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.io().set_multicast_loop_v6(on)
    }

    /// Whether `IPV6_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.io().multicast_loop_v6()
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with address
    /// `interface` (`Ipv4Addr::UNSPECIFIED`: let the OS choose).
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.io().join_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on interface index `interface`
    /// (0: let the OS choose).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.io().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv4 multicast group joined with
    /// [`join_multicast_v4`](UdpSocket::join_multicast_v4).
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.io().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv6 multicast group joined with
    /// [`join_multicast_v6`](UdpSocket::join_multicast_v6).
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.io().leave_multicast_v6(multiaddr, interface)
    }

    /// Sets the IP time-to-live.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }

    /// The pending socket error, if any (clears it).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

std_socket_conversions!(UdpSocket, std::net::UdpSocket);
