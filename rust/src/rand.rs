//! Secure random bytes for masks and handshake keys.
//!
//! Masks come from the operating system's CSPRNG (`getrandom`), drawn in batches so that a
//! masked frame does not cost a system call. RFC 6455 section 10.3 requires masks that an
//! attacker cannot predict; `rand()`-style generators are not used anywhere.

use crate::error::{Error, Result};
use std::cell::RefCell;

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

/// A fresh, unpredictable 4-byte frame mask (from a per-thread pool refilled by `getrandom`).
///
/// The pool of a process is dropped by nothing across `fork`, so a child could draw the same
/// masks as its parent; the pool is therefore keyed to the process id and refilled after a fork.
pub fn mask() -> Result<[u8; 4]> {
    thread_local! { static PID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) }; }
    let pid = std::process::id();
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if PID.with(|c| c.replace(pid)) != pid {
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
    fn masks_differ() {
        let a: Vec<[u8; 4]> = (0..300).map(|_| super::mask().unwrap()).collect();
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert!(distinct.len() > 290, "masks repeat too often");
    }
}
