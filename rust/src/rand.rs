//! Secure random bytes for masks and handshake keys.
//!
//! Masks come from the operating system's CSPRNG (`getrandom`), drawn in batches so that a
//! masked frame does not cost a system call. RFC 6455 section 10.3 requires masks that an
//! attacker cannot predict; `rand()`-style generators are not used anywhere.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

const BATCH: usize = 1024;

struct Pool {
    buf: [u8; BATCH],
    pos: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool { buf: [0; BATCH], pos: BATCH }) };
}

/// Fill `out` with bytes from the operating system's secure random source.
pub fn fill(out: &mut [u8]) -> Result<()> {
    getrandom::getrandom(out).map_err(|_| Error::RandomSource)
}

/// How many times this process has been forked into a child (counted in the child): a pool
/// filled before a fork would hand the child the same masks as its parent.
static FORKS: AtomicU64 = AtomicU64::new(0);
static FORK_HOOK: Once = Once::new();

extern "C" fn count_fork_in_child() {
    FORKS.fetch_add(1, Ordering::Relaxed);
}

/// The current fork generation, installing the `pthread_atfork` hook on first use. Reading it
/// is a memory load, not a system call, so masking a frame costs no `getpid()`.
fn fork_generation() -> u64 {
    FORK_HOOK.call_once(|| {
        // SAFETY: registering a child handler that only increments an atomic (async-signal-safe).
        unsafe {
            libc::pthread_atfork(None, None, Some(count_fork_in_child));
        }
    });
    FORKS.load(Ordering::Relaxed)
}

/// A fresh, unpredictable 4-byte frame mask (from a per-thread pool refilled by `getrandom`).
///
/// The pool is refilled after a `fork`, so a child never draws the masks its parent drew.
pub fn mask() -> Result<[u8; 4]> {
    thread_local! { static GEN: std::cell::Cell<u64> = const { std::cell::Cell::new(u64::MAX) }; }
    let generation = fork_generation();
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if GEN.with(|c| c.replace(generation)) != generation {
            p.pos = BATCH;
        }
        if p.pos + 4 > BATCH {
            fill(&mut p.buf)?;
            p.pos = 0;
        }
        let mut m = [0u8; 4];
        m.copy_from_slice(&p.buf[p.pos..p.pos + 4]);
        p.pos += 4;
        Ok(m)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_forked_child_draws_other_masks_than_its_parent() {
        // Draw once so the pool is filled, then fork: the child's next mask must not be the
        // parent's next mask.
        super::mask().unwrap();
        let mut fds = [0i32; 2];
        // SAFETY: plain pipe/fork/read/write/waitpid; the child only writes 4 bytes and exits.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0);
            if pid == 0 {
                let m = super::mask().unwrap_or([0; 4]);
                libc::write(fds[1], m.as_ptr().cast(), 4);
                libc::_exit(0);
            }
            let parent = super::mask().unwrap();
            let mut child = [0u8; 4];
            assert_eq!(libc::read(fds[0], child.as_mut_ptr().cast(), 4), 4);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            libc::close(fds[0]);
            libc::close(fds[1]);
            assert_ne!(parent, child, "the child reused the parent's pool");
        }
    }

    #[test]
    fn masks_differ() {
        let a: Vec<[u8; 4]> = (0..300).map(|_| super::mask().unwrap()).collect();
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert!(distinct.len() > 290, "masks repeat too often");
    }
}
