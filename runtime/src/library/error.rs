//! Errors raised while finding and opening shared libraries.

use std::fmt;

/// One candidate file name that was tried while looking for a library, and
/// why it was not used (the dynamic loader's `dlerror` text, copied, or the
/// reason a search step was skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The file name or path handed to `dlopen` (or the search step skipped).
    pub candidate: String,
    /// Why it failed: the loader's message, copied right after the failure.
    pub error: String,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.candidate, self.error)
    }
}

/// Why a library could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LibraryError {
    /// None of the candidates could be opened; every attempt is recorded in
    /// the order it was made.
    NotFound {
        /// The library name the caller asked for.
        name: String,
        /// Every candidate tried, with the loader's error text.
        attempts: Vec<Attempt>,
    },
    /// The library name or a candidate contains an interior NUL byte, so it
    /// cannot be passed to the loader.
    InvalidName {
        /// The offending name, as given.
        name: String,
    },
    /// The name is empty and no explicit candidate was given, so there is
    /// nothing to open (`dlopen("")` would open the main program; use
    /// [`Library::global`](super::Library::global) for that).
    EmptyName,
    /// An exact file name or path given to
    /// [`Library::open_path`](super::Library::open_path) could not be opened.
    OpenFailed {
        /// The file name or path handed to `dlopen`.
        path: String,
        /// The loader's error text, copied right after the failure.
        error: String,
    },
}

impl fmt::Display for LibraryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { name, attempts } => {
                write!(f, "library {name:?} not found; tried ")?;
                if attempts.is_empty() {
                    return f.write_str("nothing");
                }
                for (i, attempt) in attempts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{attempt}")?;
                }
                Ok(())
            }
            Self::InvalidName { name } => write!(
                f,
                "invalid library name {name:?}: it contains a NUL byte and cannot be passed to dlopen"
            ),
            Self::EmptyName => f.write_str(
                "empty library name and no candidates: nothing to open \
                 (use the global scope for the main program)",
            ),
            Self::OpenFailed { path, error } => {
                write!(f, "cannot open library {path:?} with dlopen: {error}")
            }
        }
    }
}

// The causes carried here are loader messages (text), not error values, so
// `source()` has nothing to return; they are part of the message instead.
impl std::error::Error for LibraryError {}
