//! The seam between the driver and the IO reactor.
//!
//! A normal build uses `spindle-reactor`. Under `cfg(loom)` the reactor's poller cannot
//! run (loom cannot block in `epoll`), so a stand-in with the same surface takes its
//! place: building a runtime with IO enabled fails with an error saying why, and the
//! models exercise everything else through the condvar driver.

#[cfg(not(loom))]
pub(crate) use spindle_reactor::{
    Driver as IoDriver, EnterGuard as IoEnterGuard, Handle as IoHandle,
};

#[cfg(loom)]
pub(crate) use stand_in::{IoDriver, IoEnterGuard, IoHandle};

#[cfg(loom)]
mod stand_in {
    use std::io;
    use std::time::Duration;

    /// Never constructed: `new` always fails under loom.
    pub(crate) struct IoDriver(());

    #[derive(Clone)]
    pub(crate) struct IoHandle(());

    pub(crate) struct IoEnterGuard(());

    impl IoDriver {
        pub(crate) fn new() -> io::Result<IoDriver> {
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the IO driver cannot run inside a loom model (loom cannot block in epoll); \
                 build the runtime without enable_io() in loom tests",
            ))
        }
        pub(crate) fn set_max_events(&mut self, _events: usize) {}
        pub(crate) fn handle(&self) -> IoHandle {
            IoHandle(())
        }
        pub(crate) fn park(&mut self, _timeout: Option<Duration>) -> usize {
            0
        }
        pub(crate) fn shutdown(&self) {}
    }

    impl IoHandle {
        pub(crate) fn unpark(&self) {}
        pub(crate) fn enter(&self) -> IoEnterGuard {
            IoEnterGuard(())
        }
        pub(crate) fn registered_sources(&self) -> usize {
            0
        }
    }
}
