//! Multi-producer, single-consumer channels, bounded and unbounded.
//!
//! Both flavours share one core (`chan`): a lock-free list of message blocks (`list`)
//! that senders append to with one `fetch_add` each and the one receiver reads in
//! order, plus the receiver's waker (`atomic_waker`). The bounded flavour adds a
//! semaphore of free slots, which makes senders wait for room in FIFO order and gives
//! back a slot when a waiting `send` is dropped. Messages from one sender arrive in the
//! order it sent them.
//!
//! ```
//! use spindle_sync::mpsc;
//!
//! futures::executor::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     let producer = std::thread::spawn(move || {
//!         for i in 0..3 {
//!             tx.blocking_send(i).expect("receiver is alive");
//!         }
//!     });
//!     let mut got = Vec::new();
//!     while let Some(i) = rx.recv().await {
//!         got.push(i);
//!     }
//!     producer.join().expect("producer thread panicked");
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

mod atomic_waker;
mod bounded;
mod chan;
pub mod error;
mod list;
mod unbounded;

pub use bounded::{channel, OwnedPermit, Permit, PermitIterator, Receiver, Sender, WeakSender};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};
