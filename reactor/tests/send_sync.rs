//! The driver moves to whichever worker parks; handles and sockets cross threads.

fn assert_send<T: Send>() {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn driver_is_send_and_handles_and_sockets_are_send_and_sync() {
    assert_send::<spindle_reactor::Driver>();
    assert_send_sync::<spindle_reactor::Handle>();
    assert_send_sync::<spindle_reactor::net::TcpStream>();
    assert_send_sync::<spindle_reactor::net::TcpListener>();
    assert_send_sync::<spindle_reactor::net::UdpSocket>();
    assert_send_sync::<spindle_reactor::net::UnixStream>();
    assert_send_sync::<spindle_reactor::net::tcp::OwnedReadHalf>();
    assert_send_sync::<spindle_reactor::io::unix::AsyncFd<std::fs::File>>();
}
