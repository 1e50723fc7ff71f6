//! One mapping of code memory: a `memfd` mapped twice (writable and
//! executable views) or anonymous read-write pages (protect mode).

use super::super::os::{map, unmap};
use super::invalid_input;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// One mapping of code memory. In protect mode `exec == write` (one view).
pub(super) struct Mapping {
    pub(super) exec: usize,
    pub(super) write: usize,
    pub(super) size: usize,
}

impl Mapping {
    /// Maps a fresh `memfd` of `size` bytes twice: read-write and read-execute.
    pub(super) fn dual(size: usize) -> io::Result<Mapping> {
        // SAFETY: the name is a NUL-terminated string literal; no memory is handed over.
        let raw = unsafe { libc::memfd_create(c"alien-code".as_ptr(), libc::MFD_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a freshly created descriptor owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let file_len =
            libc::off_t::try_from(size).map_err(|_| invalid_input("code mapping too large"))?;
        // SAFETY: `fd` is an open memfd; ftruncate only sets its length.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), file_len) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let shared = libc::MAP_SHARED;
        let write = map(
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            shared,
            fd.as_raw_fd(),
        )?;
        match map(
            size,
            libc::PROT_READ | libc::PROT_EXEC,
            shared,
            fd.as_raw_fd(),
        ) {
            // The views keep the file alive; `fd` is closed here.
            Ok(exec) => Ok(Mapping { exec, write, size }),
            Err(err) => {
                unmap(write, size);
                Err(err)
            }
        }
    }

    /// Maps `size` bytes of fresh anonymous read-write memory.
    pub(super) fn anonymous(size: usize) -> io::Result<Mapping> {
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        let addr = map(size, libc::PROT_READ | libc::PROT_WRITE, flags, -1)?;
        Ok(Mapping {
            exec: addr,
            write: addr,
            size,
        })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        unmap(self.exec, self.size);
        if self.write != self.exec {
            unmap(self.write, self.size);
        }
    }
}
