//! [`ToSocketAddrs`]: the address arguments tokio accepts, and [`lookup_host`].
//!
//! Literal addresses resolve at once. Host names go through std's resolver
//! (`getaddrinfo`), which blocks; the blocking pool lives in the executor, which this
//! crate cannot name, so each lookup runs on a short-lived plain thread that sends its
//! answer back over a `spindle_sync::oneshot`. The calling task waits without blocking
//! its worker. A dropped lookup future leaves the thread to finish and exit on its own.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use sealed::Resolving;

/// Types that resolve to one or more socket addresses, as arguments of `bind`,
/// `connect`, `send_to` and [`lookup_host`]: `SocketAddr` (v4/v6), `(IpAddr, u16)`,
/// `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`, `&[SocketAddr]`, `&str` and `String` such as
/// `"localhost:8080"`, and `(&str, u16)` / `(String, u16)`.
///
/// Sealed: the trait's method is internal, as with tokio's.
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// Resolution in progress: already done, or a host name for the resolver thread.
    #[derive(Debug)]
    pub enum Resolving {
        /// Literal addresses, resolved at once.
        Done(io::Result<Vec<SocketAddr>>),
        /// `"host:port"`, for the system resolver.
        HostName(String),
        /// `("host", port)`, for the system resolver.
        HostAndPort(String, u16),
    }

    /// The hidden half of [`super::ToSocketAddrs`].
    pub trait ToSocketAddrsPriv {
        /// Starts resolving.
        fn start_resolving(&self) -> Resolving;
    }
}

/// Resolves `addrs`, on a helper thread when a host name must be looked up.
pub(crate) async fn resolve<A: ToSocketAddrs + ?Sized>(addrs: &A) -> io::Result<Vec<SocketAddr>> {
    match addrs.start_resolving() {
        Resolving::Done(result) => result,
        Resolving::HostName(host) => {
            on_resolver_thread(move || std::net::ToSocketAddrs::to_socket_addrs(&host)).await
        }
        Resolving::HostAndPort(host, port) => {
            on_resolver_thread(move || std::net::ToSocketAddrs::to_socket_addrs(&(&*host, port)))
                .await
        }
    }
}

async fn on_resolver_thread<I>(
    lookup: impl FnOnce() -> io::Result<I> + Send + 'static,
) -> io::Result<Vec<SocketAddr>>
where
    I: Iterator<Item = SocketAddr>,
{
    let (sender, receiver) = spindle_sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("spindle-lookup-host".into())
        .spawn(move || {
            // The receiver may be gone (the lookup was cancelled): nothing to do then.
            let _ = sender.send(lookup().map(Iterator::collect::<Vec<_>>));
        });
    spawned.map_err(|err| {
        io::Error::new(
            err.kind(),
            format!("could not start a thread for a host-name lookup: {err}"),
        )
    })?;
    match receiver.await {
        Ok(result) => result,
        Err(_) => Err(io::Error::other(
            "the host-name lookup thread ended without an answer (it panicked)",
        )),
    }
}

/// Resolves `host` (for example `"localhost:8080"` or `("example.org", 443)`) to its
/// socket addresses, with the system resolver.
///
/// The system resolver blocks, so a name lookup runs on a short-lived helper thread
/// while the task waits; literal addresses resolve without one.
///
/// ```
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let addrs: Vec<_> = spindle_reactor::net::lookup_host("127.0.0.1:80").await?.collect();
/// assert_eq!(addrs, ["127.0.0.1:80".parse().unwrap()]);
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve(&host).await?.into_iter())
}

/// Tries `op` on each address of `addrs` in turn; the first success wins, else the last
/// error (or one saying there was no address).
pub(crate) async fn try_each_addr<A, T, F, Fut>(addrs: &A, mut op: F) -> io::Result<T>
where
    A: ToSocketAddrs + ?Sized,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_error = None;
    for addr in resolve(addrs).await? {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address did not resolve to any socket address",
        )
    }))
}

/// The first address of `addrs` (for `send_to`, which sends to exactly one).
pub(crate) async fn first_addr<A: ToSocketAddrs + ?Sized>(addrs: &A) -> io::Result<SocketAddr> {
    resolve(addrs).await?.into_iter().next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address did not resolve to any socket address",
        )
    })
}

macro_rules! literal_addrs {
    ($($ty:ty => |$this:ident| $to_addr:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl sealed::ToSocketAddrsPriv for $ty {
            fn start_resolving(&self) -> Resolving {
                let $this = self;
                Resolving::Done(Ok(vec![$to_addr]))
            }
        }
    )*};
}

literal_addrs! {
    SocketAddr => |addr| *addr;
    SocketAddrV4 => |addr| SocketAddr::V4(*addr);
    SocketAddrV6 => |addr| SocketAddr::V6(*addr);
    (IpAddr, u16) => |pair| SocketAddr::new(pair.0, pair.1);
    (Ipv4Addr, u16) => |pair| SocketAddr::new(IpAddr::V4(pair.0), pair.1);
    (Ipv6Addr, u16) => |pair| SocketAddr::new(IpAddr::V6(pair.0), pair.1);
}

impl ToSocketAddrs for [SocketAddr] {}
impl sealed::ToSocketAddrsPriv for [SocketAddr] {
    fn start_resolving(&self) -> Resolving {
        Resolving::Done(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl sealed::ToSocketAddrsPriv for str {
    fn start_resolving(&self) -> Resolving {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Resolving::Done(Ok(vec![addr])),
            Err(_) => Resolving::HostName(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl sealed::ToSocketAddrsPriv for String {
    fn start_resolving(&self) -> Resolving {
        self.as_str().start_resolving()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::ToSocketAddrsPriv for (&str, u16) {
    fn start_resolving(&self) -> Resolving {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Resolving::Done(Ok(vec![SocketAddr::new(ip, self.1)])),
            Err(_) => Resolving::HostAndPort(self.0.to_owned(), self.1),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::ToSocketAddrsPriv for (String, u16) {
    fn start_resolving(&self) -> Resolving {
        (self.0.as_str(), self.1).start_resolving()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> sealed::ToSocketAddrsPriv for &T {
    fn start_resolving(&self) -> Resolving {
        (**self).start_resolving()
    }
}
