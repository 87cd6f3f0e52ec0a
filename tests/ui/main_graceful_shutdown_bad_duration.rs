#[spindle::main(graceful_shutdown = "10 seconds")]
async fn main() {}
