//! The halves of a [`UnixStream`](super::UnixStream); see `net::split` for the design.

use super::{SocketAddr, UnixStream};

crate::net::split::split_halves!(UnixStream, SocketAddr, "UnixStream");
