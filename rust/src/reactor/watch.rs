//! Foreign descriptors watched with level-triggered meaning.
//!
//! mio registers everything edge-triggered: an edge wakes the wait once. A Perl program
//! that used `IO::Select` expects a descriptor that is still readable to be reported again
//! at every call. So each watched descriptor is registered with epoll (to wake the wait)
//! and, around the wait, checked with a zero-timeout `poll(2)`: the reactor does not block
//! while one is ready, and reports those that are ready after waking up.

use super::ReactorEvent;
use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use std::collections::VecDeque;
use std::io;
use std::os::fd::RawFd;

#[derive(Default)]
pub(super) struct Watches {
    /// One `pollfd` per watched descriptor (`revents` holds the last check).
    fds: Vec<libc::pollfd>,
    /// Whether the descriptor at the same index is registered with epoll (a regular file
    /// cannot be; `poll(2)` always reports it ready, which is right).
    registered: Vec<bool>,
}

fn interest(readable: bool, writable: bool) -> (Interest, libc::c_short) {
    match (readable, writable) {
        (true, true) => (
            Interest::READABLE | Interest::WRITABLE,
            libc::POLLIN | libc::POLLOUT,
        ),
        (false, true) => (Interest::WRITABLE, libc::POLLOUT),
        _ => (Interest::READABLE, libc::POLLIN),
    }
}

impl Watches {
    pub fn len(&self) -> usize {
        self.fds.len()
    }

    fn find(&self, fd: RawFd) -> Option<usize> {
        self.fds.iter().position(|p| p.fd == fd)
    }

    /// Watch `fd` (or change what is watched).
    pub fn set(
        &mut self,
        registry: &Registry,
        fd: RawFd,
        readable: bool,
        writable: bool,
        token: Token,
    ) -> io::Result<()> {
        let (int, events) = interest(readable, writable);
        let idx = self.find(fd);
        let was_registered = idx.is_some_and(|i| self.registered[i]);
        let first = if was_registered {
            registry.reregister(&mut SourceFd(&fd), token, int)
        } else {
            registry.register(&mut SourceFd(&fd), token, int)
        };
        let registered = match first {
            Ok(()) => true,
            // Registered before but closed and reopened since, or registered elsewhere.
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                registry.register(&mut SourceFd(&fd), token, int)?;
                true
            }
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                registry.reregister(&mut SourceFd(&fd), token, int)?;
                true
            }
            // A regular file or a directory: always ready, poll(2) says so.
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => false,
            Err(e) => return Err(e),
        };
        match idx {
            Some(i) => {
                self.fds[i].events = events;
                self.fds[i].revents = 0;
                self.registered[i] = registered;
            }
            None => {
                self.fds.push(libc::pollfd {
                    fd,
                    events,
                    revents: 0,
                });
                self.registered.push(registered);
            }
        }
        Ok(())
    }

    /// Stop watching `fd` (nothing happens when it was not watched).
    pub fn remove(&mut self, registry: &Registry, fd: RawFd) {
        if let Some(i) = self.find(fd) {
            if self.registered[i] {
                let _ = registry.deregister(&mut SourceFd(&fd));
            }
            self.fds.swap_remove(i);
            self.registered.swap_remove(i);
        }
    }

    /// Zero-timeout `poll(2)` of every watched descriptor; true when one is ready for what
    /// it is watched for (or closed: `POLLNVAL`, `POLLHUP`, `POLLERR`).
    pub fn check(&mut self) -> bool {
        if self.fds.is_empty() {
            return false;
        }
        // SAFETY: `fds` is a valid array of `len` pollfd structures.
        let n = unsafe { libc::poll(self.fds.as_mut_ptr(), self.fds.len() as libc::nfds_t, 0) };
        if n <= 0 {
            for p in &mut self.fds {
                p.revents = 0;
            }
            return false;
        }
        true
    }

    /// Queue `Readable`/`Writable` events for the descriptors that are ready, from the last
    /// [`check`](Self::check) if `reuse`, else from a new one. Descriptors closed without
    /// `unwatch` (`POLLNVAL`) are forgotten.
    pub fn report(&mut self, queue: &mut VecDeque<ReactorEvent>, reuse: bool) {
        if !reuse && !self.check() {
            return;
        }
        let mut i = 0;
        while i < self.fds.len() {
            let p = self.fds[i];
            if p.revents & libc::POLLNVAL != 0 {
                self.fds.swap_remove(i);
                self.registered.swap_remove(i);
                continue;
            }
            let gone = libc::POLLHUP | libc::POLLERR;
            if p.events & libc::POLLIN != 0
                && p.revents & (libc::POLLIN | libc::POLLPRI | gone) != 0
            {
                queue.push_back(ReactorEvent::Readable { fd: p.fd });
            }
            if p.events & libc::POLLOUT != 0 && p.revents & (libc::POLLOUT | gone) != 0 {
                queue.push_back(ReactorEvent::Writable { fd: p.fd });
            }
            self.fds[i].revents = 0;
            i += 1;
        }
    }
}
