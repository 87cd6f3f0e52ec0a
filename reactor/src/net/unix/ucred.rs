//! [`UCred`]: the credentials of the process at the other end of a Unix stream.
//!
//! Read with `SO_PEERCRED` on Linux and Android (the credentials the peer had when it
//! connected or called `socketpair`), and with `getpeereid` elsewhere, which gives no
//! process id.

use std::io;
use std::os::fd::AsRawFd;

/// A user id, as `uid_t`.
#[allow(non_camel_case_types)]
pub type uid_t = u32;
/// A group id, as `gid_t`.
#[allow(non_camel_case_types)]
pub type gid_t = u32;
/// A process id, as `pid_t`.
#[allow(non_camel_case_types)]
pub type pid_t = i32;

/// The credentials of a Unix stream's peer (see
/// [`UnixStream::peer_cred`](super::UnixStream::peer_cred)).
///
/// ```
/// use spindle_reactor::net::UnixStream;
///
/// # let mut driver = spindle_reactor::Driver::new()?;
/// # driver.block_on(async {
/// let (a, _b) = UnixStream::pair()?;
/// let cred = a.peer_cred()?;
/// // SAFETY: getuid has no preconditions and cannot fail.
/// assert_eq!(cred.uid(), unsafe { libc::getuid() });
/// # Ok::<_, std::io::Error>(())
/// # })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug)]
pub struct UCred {
    pid: Option<pid_t>,
    uid: uid_t,
    gid: gid_t,
}

impl UCred {
    /// The peer's effective user id.
    pub fn uid(&self) -> uid_t {
        self.uid
    }

    /// The peer's effective group id.
    pub fn gid(&self) -> gid_t {
        self.gid
    }

    /// The peer's process id, where the platform reports it (Linux and Android do).
    pub fn pid(&self) -> Option<pid_t> {
        self.pid
    }
}

/// The credentials of the peer of the connected Unix socket `socket`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_cred(socket: &impl AsRawFd) -> io::Result<UCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes for the call and `len` holds the
    // size of `cred`, as SO_PEERCRED expects.
    let status = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            std::ptr::addr_of_mut!(cred).cast(),
            &mut len,
        )
    };
    if status != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred {
        pid: Some(cred.pid),
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The credentials of the peer of the connected Unix socket `socket`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn peer_cred(socket: &impl AsRawFd) -> io::Result<UCred> {
    let mut uid: libc::uid_t = 0;
    let mut gid: libc::gid_t = 0;
    // SAFETY: `uid` and `gid` are valid for writes for the call.
    let status = unsafe { libc::getpeereid(socket.as_raw_fd(), &mut uid, &mut gid) };
    if status != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred {
        pid: None,
        uid,
        gid,
    })
}
