//! The halves of a [`TcpStream`](super::TcpStream); see `net::split` for the design.

use std::net::SocketAddr;

use super::TcpStream;

crate::net::split::split_halves!(TcpStream, SocketAddr, "TcpStream");
