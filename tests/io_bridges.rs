//! The `futures-io` bridge (a default feature): spindle's IO types also implement
//! `futures::io::{AsyncRead, AsyncWrite, AsyncSeek}`, so code written against futures
//! runs on them. Only futures' extension traits are imported here, as such code would.

mod support;

use std::io::SeekFrom;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use spindle::net::{TcpListener, TcpStream};
use support::Flavour;

flavour_tests!(
    futures_io_traits_carry_a_tcp_exchange_and_close_half_closes,
    futures_io_seek_and_read_on_a_file_match_the_std_positions,
);

fn futures_io_traits_carry_a_tcp_exchange_and_close_half_closes(flavour: Flavour) {
    support::within(Duration::from_secs(20), move || {
        flavour.runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let (mut server_read, mut server_write) = server.into_split();

            client.write_all(b"over futures-io").await.unwrap();
            // futures' close is spindle's shutdown: the server reads end of stream.
            client.close().await.unwrap();
            let mut received = Vec::new();
            server_read.read_to_end(&mut received).await.unwrap();
            assert_eq!(received, b"over futures-io");

            server_write.write_all(b"and back").await.unwrap();
            drop(server_write); // an owned write half shuts down on drop
            let mut answer = String::new();
            client.read_to_string(&mut answer).await.unwrap();
            assert_eq!(answer, "and back");
        });
    });
}

fn futures_io_seek_and_read_on_a_file_match_the_std_positions(flavour: Flavour) {
    support::within(Duration::from_secs(20), move || {
        flavour.runtime().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("bridge");
            std::fs::write(&path, b"0123456789").unwrap();
            let mut file = spindle::fs::File::open(&path).await.unwrap();
            let mut first = [0u8; 3];
            file.read_exact(&mut first).await.unwrap();
            // Relative to the caller's position (3), not the OS cursor read ahead.
            assert_eq!(file.seek(SeekFrom::Current(4)).await.unwrap(), 7);
            let mut rest = String::new();
            file.read_to_string(&mut rest).await.unwrap();
            assert_eq!((&first, rest.as_str()), (b"012", "789"));
        });
    });
}
