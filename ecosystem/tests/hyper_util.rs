//! hyper-util as its users write it: the auto server (HTTP/1 and HTTP/2 on one port)
//! and the legacy client with its connection pool, on spindle through the patch.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use spindle_ecosystem::run_with_deadline;

async fn echo_version(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let version = format!("{:?}", request.version());
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Ok(Response::new(Full::new(Bytes::from(format!(
        "{version} {}",
        body.len()
    )))))
}

/// Serves every connection with hyper-util's auto builder; counts accepted connections.
async fn serve(listener: tokio::net::TcpListener, accepted: Arc<AtomicUsize>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        accepted.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(
                    TokioIo::new(stream),
                    hyper::service::service_fn(echo_version),
                )
                .await;
        });
    }
}

#[test]
fn legacy_client_pools_http1_connections_to_the_auto_server() {
    run_with_deadline(Duration::from_secs(60), async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let accepted = Arc::new(AtomicUsize::new(0));
        tokio::spawn(serve(listener, Arc::clone(&accepted)));

        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let sizes = [0usize, 10, 70_000, 1, 2, 3, 4, 5, 6, 7];
        for size in sizes {
            let request = Request::post(format!("http://{address}/"))
                .body(Full::new(Bytes::from(vec![b'x'; size])))
                .expect("request");
            let response = client.request(request).await.expect("response");
            let body = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            assert_eq!(body, format!("HTTP/1.1 {size}"));
        }
        // A connection goes back to the pool asynchronously, after its response ends,
        // so a request may now and then find it not back yet and open another (with
        // tokio too): without a pool, every request would open its own.
        let connections = accepted.load(Ordering::SeqCst);
        assert!(
            connections < sizes.len() / 2,
            "{connections} connections for {} sequential requests: the pool is not reusing them",
            sizes.len()
        );
    });
}

#[test]
fn legacy_client_speaks_http2_prior_knowledge_to_the_auto_server() {
    run_with_deadline(Duration::from_secs(60), async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let accepted = Arc::new(AtomicUsize::new(0));
        tokio::spawn(serve(listener, Arc::clone(&accepted)));

        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http();
        let requests = (0..10).map(|index| {
            let client = client.clone();
            async move {
                let request = Request::post(format!("http://{address}/"))
                    .body(Full::new(Bytes::from(vec![b'y'; index])))
                    .expect("request");
                let response = client.request(request).await.expect("response");
                response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes()
            }
        });
        let bodies = futures::future::join_all(requests).await;
        for (index, body) in bodies.into_iter().enumerate() {
            assert_eq!(body, format!("HTTP/2.0 {index}"));
        }
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "ten streams on one connection"
        );
    });
}
