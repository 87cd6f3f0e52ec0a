#[spindle::test(graceful_shutdown = "10s")]
async fn drains() {}

fn main() {}
