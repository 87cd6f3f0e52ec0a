//! An axum 0.8 service as its users write it (a `Router` with path and JSON
//! extractors, shared `State`, tower's timeout middleware, `with_graceful_shutdown`),
//! asked by reqwest over real loopback connections, all on spindle through the patch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use spindle_ecosystem::run_with_deadline;

#[derive(Clone, Default)]
struct AppState {
    created: Arc<AtomicUsize>,
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct NewUser {
    name: String,
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct User {
    id: usize,
    name: String,
}

async fn greet(Path(name): Path<String>) -> String {
    // Proof that the handler runs on spindle's runtime, not on a tokio one.
    let _spindle = spindle::runtime::Handle::current();
    format!("hello, {name}")
}

async fn create_user(
    State(state): State<AppState>,
    Json(new): Json<NewUser>,
) -> (StatusCode, Json<User>) {
    let id = state.created.fetch_add(1, Ordering::SeqCst) + 1;
    (StatusCode::CREATED, Json(User { id, name: new.name }))
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    "too late"
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/hello/{name}", get(greet))
        .route("/users", post(create_user))
        .route("/slow", get(slow))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(200),
        ))
        .with_state(state)
}

#[test]
fn axum_serves_reqwest_over_loopback_and_shuts_down_gracefully() {
    run_with_deadline(Duration::from_secs(60), async {
        let state = AppState::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
        });

        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        let base = format!("http://{address}");

        let greeting = client
            .get(format!("{base}/hello/spindle"))
            .send()
            .await
            .expect("GET");
        assert_eq!(greeting.status(), reqwest::StatusCode::OK);
        assert_eq!(greeting.text().await.expect("body"), "hello, spindle");

        for expected_id in 1..=3 {
            let response = client
                .post(format!("{base}/users"))
                .json(&NewUser {
                    name: format!("user{expected_id}"),
                })
                .send()
                .await
                .expect("POST");
            assert_eq!(response.status(), reqwest::StatusCode::CREATED);
            let user: User = response.json().await.expect("JSON body");
            assert_eq!(
                user,
                User {
                    id: expected_id,
                    name: format!("user{expected_id}")
                }
            );
        }
        assert_eq!(state.created.load(Ordering::SeqCst), 3);

        // tower's timeout answers for the handler that never finishes.
        let timed_out = client
            .get(format!("{base}/slow"))
            .send()
            .await
            .expect("GET /slow");
        assert_eq!(timed_out.status(), reqwest::StatusCode::REQUEST_TIMEOUT);

        // reqwest's own timeout on a request the server holds.
        let impatient = reqwest::Client::builder()
            .timeout(Duration::from_millis(50))
            .build()
            .expect("client");
        let error = impatient
            .get(format!("{base}/slow"))
            .send()
            .await
            .expect_err("times out");
        assert!(error.is_timeout(), "{error}");

        stop_tx.send(()).expect("server still running");
        server
            .await
            .expect("server task")
            .expect("server ends cleanly");
        assert!(
            reqwest::get(format!("{base}/hello/after")).await.is_err(),
            "the listener is closed after the graceful shutdown"
        );
    });
}

#[test]
fn reqwest_reuses_one_connection_for_sequential_requests() {
    run_with_deadline(Duration::from_secs(60), async {
        let accepted = Arc::new(AtomicUsize::new(0));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        // Count connections by accepting them ourselves and handing each to hyper-util.
        let counter = Arc::clone(&accepted);
        let router = app(AppState::default());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.expect("accept");
                counter.fetch_add(1, Ordering::SeqCst);
                let service = hyper_util::service::TowerToHyperService::new(router.clone());
                tokio::spawn(async move {
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
                });
            }
        });
        let client = reqwest::Client::new();
        let rounds = 10;
        for round in 0..rounds {
            let body = client
                .get(format!("http://{address}/hello/{round}"))
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body");
            assert_eq!(body, format!("hello, {round}"));
        }
        // As with hyper-util's pool (which reqwest uses), a connection returns to the
        // pool asynchronously, so now and then a request opens another; without
        // keep-alive every request would.
        let connections = accepted.load(Ordering::SeqCst);
        assert!(
            connections < rounds / 2,
            "{connections} connections for {rounds} sequential requests: keep-alive is not reusing them"
        );
    });
}
