//! The operating-system calls behind the code arena (mappings and their
//! protection), each turning a failure into an `io::Error`.

use std::{io, ptr};

/// Whether a failed dual mapping means "not allowed here" rather than a
/// transient shortage, so that the protect mode should be used instead.
pub(super) fn is_policy_denial(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EPERM | libc::EACCES | libc::ENOSYS | libc::EINVAL | libc::ENODEV)
    )
}

pub(super) fn page_size() -> io::Result<usize> {
    // SAFETY: sysconf has no memory-safety preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    match usize::try_from(size) {
        Ok(size) if size.is_power_of_two() => Ok(size),
        _ => Err(io::Error::other("sysconf(_SC_PAGESIZE) failed")),
    }
}

pub(super) fn map(
    size: usize,
    prot: libc::c_int,
    flags: libc::c_int,
    fd: libc::c_int,
) -> io::Result<usize> {
    // SAFETY: a new mapping at a kernel-chosen address touches no existing memory.
    let addr = unsafe { libc::mmap(ptr::null_mut(), size, prot, flags, fd, 0) };
    if addr == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(addr as usize)
}

pub(super) fn unmap(addr: usize, size: usize) {
    // SAFETY: `addr..addr + size` is a mapping this module created and owns;
    // no block referring to it is alive. A failure leaks address space only.
    unsafe { libc::munmap(addr as *mut libc::c_void, size) };
}

pub(super) fn protect_exec(addr: usize, size: usize) -> io::Result<()> {
    // SAFETY: `addr..addr + size` is a whole anonymous mapping owned by the
    // caller's reservation; making it read-execute removes write access only.
    let rc = unsafe {
        libc::mprotect(
            addr as *mut libc::c_void,
            size,
            libc::PROT_READ | libc::PROT_EXEC,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
