//! One module per runtime. Each gives the workloads the same names (`Runtime`,
//! `spawn`, `yield_now`, `spawn_blocking`, `oneshot`, `mpsc`, `Mutex`,
//! `broadcast`, `Notify`, `sleep`) and then expands the shared workload macros, so
//! every runtime runs the same source text.

#[macro_use]
mod tokio_like;

pub mod smol;
pub mod spindle;
pub mod tokio;
