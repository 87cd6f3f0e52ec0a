//! [`Driver::block_on`]: a minimal single-threaded runner for code that uses only
//! sockets, for this crate's tests and examples without the executor.
//!
//! It polls one future on the calling thread with the driver's handle entered, and
//! parks in the driver between polls. The future's waker sets a flag and unparks the
//! driver, so a wake from another thread (or from a socket event dispatched by the
//! park itself) ends the park; a wake that comes before the park makes the park return
//! at once, because `Poller::notify` is remembered until the next wait.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use std::time::Duration;

use crate::driver::{Driver, Handle};

/// Polls in a row after which the runner looks at the reactor without blocking.
const EVENT_INTERVAL: u32 = 61;

/// Records that the future wants a poll and wakes the driver.
struct DriverWaker {
    handle: Handle,
    woken: AtomicBool,
}

impl Wake for DriverWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.handle.unpark();
        }
    }
}

impl Driver {
    /// Runs `future` to completion on this thread, with this driver's handle entered,
    /// parking in the driver between polls: a minimal executor for code that uses only
    /// IO (tests, examples). A runtime uses its own executor instead.
    ///
    /// ```
    /// use spindle_reactor::io::{AsyncReadExt, AsyncWriteExt};
    /// use spindle_reactor::net::{TcpListener, TcpStream};
    /// use spindle_reactor::Driver;
    ///
    /// let mut driver = Driver::new()?;
    /// let echoed = driver.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"ping").await?;
    ///     let mut buf = [0; 4];
    ///     server.read_exact(&mut buf).await?;
    ///     Ok::<_, std::io::Error>(buf)
    /// })?;
    /// assert_eq!(&echoed, b"ping");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn block_on<F: Future>(&mut self, future: F) -> F::Output {
        let handle = self.handle();
        let _entered = handle.enter();
        let mut future = pin!(future);
        let driver_waker = Arc::new(DriverWaker {
            handle,
            woken: AtomicBool::new(true),
        });
        let waker = Waker::from(Arc::clone(&driver_waker));
        let mut cx = Context::from_waker(&waker);
        let mut polls_since_park = 0u32;
        loop {
            if driver_waker.woken.swap(false, Ordering::AcqRel) {
                if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
                polls_since_park += 1;
                // A future that keeps waking itself must not starve the sockets.
                if polls_since_park >= EVENT_INTERVAL {
                    polls_since_park = 0;
                    self.park(Some(Duration::ZERO));
                }
                continue;
            }
            polls_since_park = 0;
            self.park(None);
        }
    }
}

/// [`Driver::block_on`] as a free function, for test harnesses.
#[doc(hidden)]
pub fn block_on_with_driver<F: Future>(driver: &mut Driver, future: F) -> F::Output {
    driver.block_on(future)
}
