//! `errno`, captured right after a call (SBCL's `get-errno`, .NET's
//! `SetLastError`).

use std::fmt;

/// The value of C's `errno` right after a call of a function declared with
/// `#[alien(errno)]` (the wrapper sets it to 0 just before the call, so 0
/// means the function did not set it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Errno(pub i32);

impl Errno {
    /// The calling thread's current `errno`.
    #[inline(always)]
    pub fn last() -> Errno {
        // SAFETY: __errno_location returns this thread's errno slot.
        Errno(unsafe { *libc::__errno_location() })
    }

    /// Sets the calling thread's `errno` to 0.
    #[inline(always)]
    pub fn clear() {
        // SAFETY: as in `last`.
        unsafe { *libc::__errno_location() = 0 }
    }

    /// The raw value.
    pub fn raw(self) -> i32 {
        self.0
    }

    /// Whether the function set `errno`.
    pub fn is_set(self) -> bool {
        self.0 != 0
    }

    /// The system's message for the value (`strerror`).
    pub fn message(self) -> String {
        let text = self.to_io_error().to_string();
        let suffix = format!(" (os error {})", self.0);
        text.strip_suffix(&suffix)
            .map_or_else(|| text.clone(), str::to_owned)
    }

    /// As an `io::Error` (with the system's message).
    pub fn to_io_error(self) -> std::io::Error {
        std::io::Error::from_raw_os_error(self.0)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno({}: {})", self.0, self.message())
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return write!(f, "errno 0 (not set)");
        }
        write!(f, "errno {} ({})", self.0, self.message())
    }
}
