//! loom model of the readiness-tick protocol: an edge dispatched while a reader is
//! between `WouldBlock` and the clear is never lost, and a waiting reader is always
//! woken. Run with `RUSTFLAGS="--cfg loom" cargo test -p spindle-reactor --test
//! loom_readiness --release`.
#![cfg(loom)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Arc;
use loom::thread;
use spindle_reactor::loom_model::ModelSource;

struct FlagWaker(AtomicBool);

impl Wake for FlagWaker {
    fn wake(self: StdArc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn edge_between_wouldblock_and_clear_is_not_lost() {
    loom::model(|| {
        let source = Arc::new(ModelSource::new());
        source.dispatch_readable();
        let flag = StdArc::new(FlagWaker(AtomicBool::new(false)));
        let waker = Waker::from(StdArc::clone(&flag));
        let mut cx = Context::from_waker(&waker);
        let Poll::Ready(tick) = source.poll_readable(&mut cx) else {
            panic!("the first edge made it readable")
        };
        let driver = {
            let source = Arc::clone(&source);
            thread::spawn(move || source.dispatch_readable())
        };
        // The reader saw WouldBlock for the old readiness and clears it.
        source.clear_readable(tick);
        let polled = source.poll_readable(&mut cx);
        driver.join().expect("driver thread");
        // Either the reader sees the new edge, or it waits and the edge wakes it.
        assert!(polled.is_ready() || flag.0.load(Ordering::SeqCst));
        assert!(source.is_readable(), "the second edge was lost");
    });
}
