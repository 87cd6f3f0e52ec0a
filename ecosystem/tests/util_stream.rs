//! tokio-util and tokio-stream as their users write them: `Framed` with `LinesCodec`
//! and `LengthDelimitedCodec` over real sockets, `CancellationToken`, `TaskTracker`,
//! `StreamExt`, the `ReceiverStream`, `IntervalStream` and `TcpListenerStream` wrappers
//! and `StreamMap`, on spindle through the patch.

use std::time::Duration;

use bytes::Bytes;
use futures::SinkExt;
use spindle_ecosystem::run_with_deadline;
use tokio_stream::wrappers::{IntervalStream, ReceiverStream, TcpListenerStream};
use tokio_stream::{StreamExt, StreamMap};
use tokio_util::codec::{Framed, LengthDelimitedCodec, LinesCodec};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[test]
fn lines_codec_frames_a_line_protocol_over_tcp() {
    run_with_deadline(Duration::from_secs(30), async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let server = tokio::spawn(async move {
            let mut connections = TcpListenerStream::new(listener);
            let stream = connections
                .next()
                .await
                .expect("a connection")
                .expect("accept");
            let mut lines = Framed::new(stream, LinesCodec::new());
            while let Some(line) = lines.next().await {
                let line = line.expect("a line");
                lines.send(line.to_uppercase()).await.expect("reply");
            }
        });
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let mut client = Framed::new(stream, LinesCodec::new());
        for word in ["spindle", "runs", "tokio-util"] {
            client.send(word).await.expect("send");
            let reply = client.next().await.expect("reply").expect("line");
            assert_eq!(reply, word.to_uppercase());
        }
        drop(client);
        server.await.expect("server ends when the client hangs up");
    });
}

#[test]
fn length_delimited_codec_carries_binary_frames_both_ways() {
    run_with_deadline(Duration::from_secs(30), async {
        let (left, right) = tokio::io::duplex(64);
        let mut left = Framed::new(left, LengthDelimitedCodec::new());
        let mut right = Framed::new(right, LengthDelimitedCodec::new());
        let frames: Vec<Bytes> = vec![
            Bytes::from_static(b""),
            Bytes::from(vec![7u8; 1000]),
            Bytes::from_static(b"end"),
        ];
        let sender = tokio::spawn(async move {
            for frame in [
                Bytes::from_static(b""),
                Bytes::from(vec![7u8; 1000]),
                Bytes::from_static(b"end"),
            ] {
                left.send(frame).await.expect("send frame");
            }
        });
        for expected in frames {
            let got = right.next().await.expect("a frame").expect("decodes");
            assert_eq!(got.freeze(), expected);
        }
        sender.await.expect("sender");
    });
}

#[test]
fn cancellation_token_and_task_tracker_wind_down_workers() {
    run_with_deadline(Duration::from_secs(30), async {
        let token = CancellationToken::new();
        let tracker = TaskTracker::new();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        for worker in 0..4 {
            let child = token.child_token();
            let done_tx = done_tx.clone();
            tracker.spawn(async move {
                child.cancelled().await;
                done_tx.send(worker).expect("collector alive");
            });
        }
        drop(done_tx);
        tracker.close();
        assert_eq!(tracker.len(), 4);
        token.cancel();
        tracker.wait().await;
        assert!(tracker.is_empty());
        let mut finished = Vec::new();
        while let Some(worker) = done_rx.recv().await {
            finished.push(worker);
        }
        finished.sort();
        assert_eq!(finished, vec![0, 1, 2, 3]);
    });
}

#[test]
fn stream_wrappers_and_stream_map_merge_sources() {
    run_with_deadline(Duration::from_secs(30), async {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for value in 1..=3 {
                tx.send(value).await.expect("receiver alive");
            }
        });
        let mut map = StreamMap::new();
        map.insert(
            "channel",
            Box::pin(ReceiverStream::new(rx))
                as std::pin::Pin<Box<dyn tokio_stream::Stream<Item = i32> + Send>>,
        );
        let ticks = IntervalStream::new(tokio::time::interval(Duration::from_millis(1)))
            .take(2)
            .map(|_| 0);
        map.insert("ticks", Box::pin(ticks));
        let mut from_channel = Vec::new();
        let mut tick_count = 0;
        while let Some((key, value)) = map.next().await {
            match key {
                "channel" => from_channel.push(value),
                _ => tick_count += 1,
            }
        }
        assert_eq!(from_channel, vec![1, 2, 3]);
        assert_eq!(tick_count, 2);
        let doubled: Vec<i32> = tokio_stream::iter(vec![1, 2, 3])
            .map(|x| x * 2)
            .collect()
            .await;
        assert_eq!(doubled, vec![2, 4, 6]);
    });
}
