//! The process-global signal registry: one slot per signal number, the self-pipe the
//! handlers write to, and the dispatcher thread that wakes listeners.
//!
//! Wake-up protocol (no lost wake-up): the handler increments the slot's generation
//! before writing to the pipe; the dispatcher reads the pipe, then loads the generation
//! and takes the wakers under the slot's lock. A listener stores its waker under that
//! lock and only then loads the generation again. Either the dispatcher takes the stored
//! waker, or the listener's lock comes after the dispatcher's, and then its load sees the
//! new generation.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::raw::c_int;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering::SeqCst};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::task::Waker;

use slab::Slab;

/// Signal numbers below this have a slot (Linux's real-time signals end at 64).
pub(crate) const SLOT_COUNT: usize = 128;

/// Per-signal state.
pub(crate) struct Slot {
    /// Incremented by the handler on every delivery.
    pub(crate) generation: AtomicU64,
    /// Whether our handler is installed for this signal.
    installed: Mutex<bool>,
    /// One entry per live listener: the waker of its last pending `poll_recv`.
    wakers: Mutex<Slab<Option<Waker>>>,
    /// Crate-internal callbacks run by the dispatcher after each delivery.
    hooks: Mutex<Vec<fn()>>,
}

pub(crate) struct Registry {
    slots: Box<[Slot]>,
}

/// The self-pipe's write end, read by the handler (an atomic load is signal-safe).
static PIPE_WRITER_FD: AtomicI32 = AtomicI32::new(-1);

static REGISTRY: OnceLock<Result<Registry, String>> = OnceLock::new();

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks leaves no broken invariant behind.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The registry, creating the self-pipe and starting the dispatcher on first use.
pub(crate) fn registry() -> io::Result<&'static Registry> {
    let result = REGISTRY.get_or_init(|| start().map_err(|err| err.to_string()));
    match result {
        Ok(registry) => Ok(registry),
        Err(message) => Err(io::Error::other(format!(
            "spindle's signal dispatcher could not start: {message}"
        ))),
    }
}

fn start() -> io::Result<Registry> {
    let (reader, writer) = UnixStream::pair()?;
    // A full pipe only means a wake-up is already pending: the handler must not block.
    writer.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name("spindle-signal".into())
        .spawn(move || dispatch(reader))?;
    PIPE_WRITER_FD.store(writer.as_raw_fd(), SeqCst);
    // The write end lives for the rest of the process, so the dispatcher never sees EOF.
    std::mem::forget(writer);
    let slots = (0..SLOT_COUNT)
        .map(|_| Slot {
            generation: AtomicU64::new(0),
            installed: Mutex::new(false),
            wakers: Mutex::new(Slab::new()),
            hooks: Mutex::new(Vec::new()),
        })
        .collect();
    Ok(Registry { slots })
}

/// The dispatcher thread: blocks on the self-pipe and wakes listeners of every signal
/// whose generation moved since the last look.
fn dispatch(mut reader: UnixStream) {
    let mut last_seen = vec![0u64; SLOT_COUNT];
    let mut buffer = [0u8; 128];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
        // The registry is initialised before any handler (and so any byte) exists.
        let Some(Ok(registry)) = REGISTRY.get() else {
            continue;
        };
        for (signum, slot) in registry.slots.iter().enumerate() {
            let generation = slot.generation.load(SeqCst);
            if generation == last_seen[signum] {
                continue;
            }
            last_seen[signum] = generation;
            let wakers: Vec<Waker> = lock(&slot.wakers)
                .iter_mut()
                .filter_map(|(_, waker)| waker.take())
                .collect();
            for waker in wakers {
                waker.wake();
            }
            let hooks = lock(&slot.hooks).clone();
            for hook in hooks {
                hook();
            }
        }
    }
}

impl Registry {
    pub(crate) fn slot(&self, signum: c_int) -> &Slot {
        &self.slots[signum as usize]
    }
}

impl Slot {
    /// Adds a listener entry and returns its key.
    pub(crate) fn add_listener(&self) -> usize {
        lock(&self.wakers).insert(None)
    }

    pub(crate) fn remove_listener(&self, key: usize) {
        lock(&self.wakers).try_remove(key);
    }

    pub(crate) fn set_waker(&self, key: usize, waker: &Waker) {
        let mut wakers = lock(&self.wakers);
        let replaced = wakers
            .get_mut(key)
            .and_then(|entry| spindle_loom_shim::replace_waker(entry, waker));
        // The replaced waker drops after the lock is released: its destructor may drop
        // the last handle of a task holding a listener of this very slot.
        drop(wakers);
        drop(replaced);
    }
}

/// Installs our handler for `signum` unless it already is. The caller checked that
/// `signum` is in range and not forbidden.
pub(crate) fn install(signum: c_int) -> io::Result<&'static Slot> {
    let registry = registry()?;
    let slot = registry.slot(signum);
    let mut installed = lock(&slot.installed);
    if !*installed {
        let action = move || {
            if let Some(Ok(registry)) = REGISTRY.get() {
                registry.slot(signum).generation.fetch_add(1, SeqCst);
            }
            let fd = PIPE_WRITER_FD.load(SeqCst);
            let byte = 1u8;
            // SAFETY: `fd` is the self-pipe's write end, which is never closed (it was
            // forgotten in `start`); `byte` is a live one-byte buffer. write(2) is
            // async-signal-safe; a full pipe (EAGAIN) means a wake-up is pending anyway.
            unsafe {
                libc::write(fd, (&byte as *const u8).cast(), 1);
            }
        };
        // SAFETY: the action is async-signal-safe: an atomic load and increment (the
        // registry is initialised, so `OnceLock::get` is a plain atomic load) and one
        // write(2); it allocates nothing and takes no lock. `signum` is not in
        // signal-hook-registry's FORBIDDEN list (checked by `unix::signal`).
        unsafe { signal_hook_registry::register(signum, action) }?;
        *installed = true;
    }
    Ok(slot)
}

/// Runs `hook` on the dispatcher thread after every delivery of `signum` (installing
/// the handler if needed). Adding the same hook twice has no further effect.
pub(crate) fn add_dispatch_hook(signum: c_int, hook: fn()) -> io::Result<()> {
    let slot = install(signum)?;
    let mut hooks = lock(&slot.hooks);
    if !hooks.iter().any(|known| std::ptr::fn_addr_eq(*known, hook)) {
        hooks.push(hook);
    }
    Ok(())
}
