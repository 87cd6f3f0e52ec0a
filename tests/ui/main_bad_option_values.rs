// Every bad argument is reported, each at its own place.
#[spindle::main(worker_threads = "4", start_paused = 1, crate = spindle)]
async fn main() {}
