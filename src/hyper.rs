//! hyper 1.x on spindle (feature `hyper`): the executor and timer hyper asks for, so
//! hyper's HTTP/1 and HTTP/2 servers and clients run with no tokio runtime.
//!
//! hyper 1.x names its runtime needs as traits in `hyper::rt`: `Read` and `Write` for
//! the connection, `Executor` for the tasks HTTP/2 spawns (one per stream, plus the
//! connection's background work), `Timer` and `Sleep` for timeouts and keep-alive.
//! spindle's [`TcpStream`](crate::net::TcpStream) and
//! [`UnixStream`](crate::net::UnixStream) implement `Read` and `Write` themselves (the
//! orphan rule puts those impls in the crate that defines the streams, `spindle-reactor`,
//! behind its own `hyper` feature), so no wrapper sits between hyper and the socket.
//! The rest lives here: [`SpindleExecutor`] spawns onto a runtime, [`SpindleTimer`]
//! hands out [`SpindleSleep`]s on the runtime's timer wheel.
//!
//! ```
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use hyper::{server::conn::http2, service::service_fn, Request, Response};
//! use spindle::hyper::{SpindleExecutor, SpindleTimer};
//! use spindle::net::{TcpListener, TcpStream};
//!
//! # spindle::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! spindle::spawn(async move {
//!     let (stream, _) = listener.accept().await?;
//!     let hello = service_fn(|_request: Request<hyper::body::Incoming>| async {
//!         Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from("hello"))))
//!     });
//!     http2::Builder::new(SpindleExecutor::new())
//!         .timer(SpindleTimer::new())
//!         .serve_connection(stream, hello)
//!         .await
//!         .map_err(std::io::Error::other)
//! });
//!
//! let stream = TcpStream::connect(address).await?;
//! let (mut sender, connection) =
//!     hyper::client::conn::http2::handshake(SpindleExecutor::new(), stream)
//!         .await
//!         .map_err(std::io::Error::other)?;
//! spindle::spawn(connection);
//! let request = Request::get("/").body(Full::new(Bytes::new())).unwrap();
//! let response = sender.send_request(request).await.map_err(std::io::Error::other)?;
//! let body = response.into_body().collect().await.map_err(std::io::Error::other)?;
//! assert_eq!(body.to_bytes(), "hello");
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::Handle;
use crate::time::{self, Instant};

/// hyper's `Executor` on a spindle runtime: every future hyper hands over becomes a
/// spindle task named `hyper`, so it shows as such in [`Handle::dump`].
///
/// It holds the [`Handle`] of the runtime it spawns onto, so it may be cloned into
/// threads outside the runtime.
#[derive(Clone, Debug)]
pub struct SpindleExecutor {
    handle: Handle,
}

impl SpindleExecutor {
    /// An executor that spawns onto the current runtime.
    ///
    /// # Panics
    ///
    /// When called outside a runtime; use [`SpindleExecutor::with_handle`] there.
    #[track_caller]
    pub fn new() -> SpindleExecutor {
        SpindleExecutor {
            handle: Handle::current(),
        }
    }

    /// An executor that spawns onto the runtime of `handle`.
    pub fn with_handle(handle: Handle) -> SpindleExecutor {
        SpindleExecutor { handle }
    }
}

impl Default for SpindleExecutor {
    /// Same as [`SpindleExecutor::new`].
    #[track_caller]
    fn default() -> Self {
        SpindleExecutor::new()
    }
}

impl<F> hyper::rt::Executor<F> for SpindleExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        let spawned = crate::task::Builder::new()
            .name("hyper")
            .spawn_on(future, &self.handle);
        // Spawning fails only once the runtime is shutting down; hyper's task would be
        // cancelled by that shutdown anyway, so dropping it here changes nothing.
        drop(spawned);
    }
}

/// hyper's `Timer` on the timer wheel of the current spindle runtime.
///
/// Its sleeps follow the runtime's clock, so a paused test clock
/// ([`time::pause`]) also pauses hyper's timeouts; `now` reads the same clock.
/// hyper calls it from the connection futures, which run inside the runtime.
///
/// # Panics
///
/// `sleep` and `sleep_until` panic when called outside a runtime with time enabled.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpindleTimer {
    _private: (),
}

impl SpindleTimer {
    /// A timer on the current runtime's clock.
    pub fn new() -> SpindleTimer {
        SpindleTimer { _private: () }
    }
}

impl hyper::rt::Timer for SpindleTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SpindleSleep {
            sleep: time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SpindleSleep {
            sleep: time::sleep_until(Instant::from_std(deadline)),
        })
    }

    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: std::time::Instant) {
        // Our own sleep moves its wheel entry in place; anything else is replaced.
        match sleep.as_mut().downcast_mut_pin::<SpindleSleep>() {
            Some(ours) => ours.reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// hyper's `Sleep`: a [`time::Sleep`] on the runtime's timer wheel, as handed out by
/// [`SpindleTimer`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SpindleSleep {
    sleep: time::Sleep,
}

impl SpindleSleep {
    /// Moves the deadline, earlier or later (see [`time::Sleep::reset`]).
    pub fn reset(self: Pin<&mut Self>, deadline: std::time::Instant) {
        Pin::new(&mut self.get_mut().sleep).reset(Instant::from_std(deadline));
    }
}

impl Future for SpindleSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.get_mut().sleep).poll(cx)
    }
}

impl hyper::rt::Sleep for SpindleSleep {}
