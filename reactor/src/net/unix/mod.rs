//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] (with its split halves),
//! [`UnixDatagram`], [`UnixSocket`] (a socket set up before it becomes one of those),
//! the peer credentials [`UCred`], and [`pipe`] (FIFOs and other pipes).

mod datagram;
mod listener;
pub mod pipe;
mod socket;
mod split;
mod stream;
mod ucred;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use socket::UnixSocket;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;
pub use ucred::{gid_t, pid_t, uid_t, UCred};

/// The socket address for `path`: a path name, or on Linux and Android, when `path`
/// starts with a NUL byte, the abstract name after it (tokio's convention; std's
/// path-taking calls refuse a NUL).
pub(crate) fn address_of_path(path: &std::path::Path) -> std::io::Result<SocketAddr> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str());
        if let Some(name) = bytes.strip_prefix(&[0]) {
            return SocketAddr::from_abstract_name(name);
        }
    }
    SocketAddr::from_pathname(path)
}
