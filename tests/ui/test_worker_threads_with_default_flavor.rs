// `#[spindle::test]` defaults to the current-thread flavour, so `worker_threads` needs
// an explicit `flavor = "multi_thread"`.
#[spindle::test(worker_threads = 2)]
async fn needs_multi_thread() {}

fn main() {}
