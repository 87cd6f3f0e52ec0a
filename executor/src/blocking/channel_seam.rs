//! The seam between the blocking pool and its queue.
//!
//! A normal build uses crossbeam-channel's unbounded MPMC channel. It cannot run under
//! loom (its wait is a real OS park, invisible to the model checker), so under
//! `cfg(loom)` a stand-in with the same names and methods takes its place: a loom mutex
//! around a `VecDeque` and a sender count, with a loom condvar for waiting receivers.
//! The pool's accounting, its threads and its shutdown then run unchanged in a model.
//!
//! Loom has no time, so the stand-in's `recv_timeout` never times out: a pool thread
//! leaves only when the queue disconnects (shutdown), which is the path the models
//! check. The keep-alive exit is not explored.

#[cfg(not(loom))]
pub(crate) use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};

#[cfg(loom)]
pub(crate) use stand_in::{unbounded, Receiver, RecvTimeoutError, Sender};

#[cfg(loom)]
mod stand_in {
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::time::Duration;

    use spindle_loom_shim::{Condvar, Mutex};

    struct Channel<T> {
        state: Mutex<State<T>>,
        /// Signalled on every send and when the last sender goes.
        available: Condvar,
    }

    struct State<T> {
        queue: VecDeque<T>,
        senders: usize,
    }

    /// The sending half; the channel disconnects when the last clone drops.
    pub(crate) struct Sender<T> {
        channel: Arc<Channel<T>>,
    }

    /// The receiving half.
    pub(crate) struct Receiver<T> {
        channel: Arc<Channel<T>>,
    }

    /// A send that found no receiver; never happens here, as the pool keeps one.
    #[derive(Debug)]
    pub(crate) struct SendError<T>(#[allow(dead_code)] pub(crate) T);

    /// Why `recv_timeout` returned nothing.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum RecvTimeoutError {
        /// Never produced under loom: there is no time to run out.
        #[allow(dead_code)]
        Timeout,
        /// The queue is empty and every sender is gone.
        Disconnected,
    }

    /// Why `try_recv` returned nothing.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum TryRecvError {
        Empty,
        Disconnected,
    }

    pub(crate) fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
        let channel = Arc::new(Channel {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                senders: 1,
            }),
            available: Condvar::new(),
        });
        (
            Sender {
                channel: channel.clone(),
            },
            Receiver { channel },
        )
    }

    impl<T> Sender<T> {
        pub(crate) fn send(&self, value: T) -> Result<(), SendError<T>> {
            self.channel.state.lock().queue.push_back(value);
            self.channel.available.notify_one();
            Ok(())
        }
    }

    impl<T> Clone for Sender<T> {
        fn clone(&self) -> Sender<T> {
            self.channel.state.lock().senders += 1;
            Sender {
                channel: self.channel.clone(),
            }
        }
    }

    impl<T> Drop for Sender<T> {
        fn drop(&mut self) {
            let mut state = self.channel.state.lock();
            state.senders -= 1;
            let last = state.senders == 0;
            drop(state);
            if last {
                self.channel.available.notify_all();
            }
        }
    }

    impl<T> Receiver<T> {
        pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
            let mut state = self.channel.state.lock();
            match state.queue.pop_front() {
                Some(value) => Ok(value),
                None if state.senders == 0 => Err(TryRecvError::Disconnected),
                None => Err(TryRecvError::Empty),
            }
        }

        /// Waits for a value or for the last sender to go; `_timeout` is ignored.
        pub(crate) fn recv_timeout(&self, _timeout: Duration) -> Result<T, RecvTimeoutError> {
            let mut state = self.channel.state.lock();
            loop {
                if let Some(value) = state.queue.pop_front() {
                    return Ok(value);
                }
                if state.senders == 0 {
                    return Err(RecvTimeoutError::Disconnected);
                }
                state = self.channel.available.wait(state);
            }
        }

        pub(crate) fn len(&self) -> usize {
            self.channel.state.lock().queue.len()
        }
    }
}
