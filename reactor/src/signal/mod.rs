//! Asynchronous signal handling: [`ctrl_c`] and, on Unix, [`unix::signal`].
//!
//! # Design
//!
//! Signal dispositions are process-wide while spindle's reactors are per runtime, so
//! signal delivery does not go through any reactor. The first listener of a signal
//! installs a handler (through `signal-hook-registry`, which chains to handlers installed
//! before it and keeps `errno` intact). The handler does only async-signal-safe work: it
//! bumps that signal's generation counter and writes one byte to a process-global
//! self-pipe. One dispatcher thread per process (named `spindle-signal`, started with the
//! first handler) blocks reading that pipe and wakes every listener whose signal's
//! generation moved.
//!
//! A listener remembers the generation it last saw. [`unix::Signal::recv`] resolves as
//! soon as the generation differs, so a signal that arrives between two `recv` calls
//! (or after the listener was made and before the first `recv`) is never lost; several
//! deliveries between two `recv`s coalesce into one. Every listener keeps its own
//! generation, so all listeners of a signal are woken by one delivery.
//!
//! Why a thread rather than registering the pipe with a reactor: the pipe is global and
//! a runtime (with its reactor) may be dropped while another keeps listening, or
//! listeners may live in several runtimes at once. A thread blocked in `read` costs no
//! CPU and does not tie the process-global handler to any one runtime's lifetime.
//! The handler stays installed for the rest of the process, as in tokio: once
//! something listens for `SIGINT`, its default action (terminate) no longer happens.

mod ctrl_c;
mod registry;
pub mod unix;

pub use ctrl_c::ctrl_c;

pub(crate) use registry::add_dispatch_hook;
