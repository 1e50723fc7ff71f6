//! Finding and opening shared libraries the way the dynamic loader would.
//!
//! A library is named the way users think of it (`"z"`, `"m"`, `"sqlite3"`)
//! and turned into file names to try, in order (see [`candidate_names`]):
//! explicit candidates first, then `lib<name>.so`, then the versioned sonames
//! (`libz.so.1`) that the system loader cache `/etc/ld.so.cache` knows for
//! x86-64, highest version first. A file name (`libfoo.so.2`) or path is used
//! as is. [`Library::open`] hands each candidate to `dlopen` until one opens,
//! and otherwise reports every attempt with the loader's error text.
//!
//! [`Library::symbol`] answers from the library's own dynamic symbol table
//! and GNU hash table when they settle the lookup plainly, exactly as `dlsym`
//! would, and calls `dlsym` otherwise (see [`IndexedSymbol`];
//! `ALIEN_LOOKUP=dlsym` turns the index off).
//!
//! [`Library::global`] is the process's global scope (libc and everything
//! already loaded globally), and [`object_containing`] maps an address back
//! to the loaded object and symbol containing it.

mod cache;
mod elf;
mod error;
mod handle;
mod search;

pub use cache::{CacheEntry, CacheError, LdCache, SYSTEM_CACHE_PATH, X86_64_LIBC6_FLAGS};
pub use elf::IndexedSymbol;
pub use error::{Attempt, LibraryError};
pub use handle::{object_containing, Library, LibraryRequest, ObjectInfo, OpenFlags};
pub use search::candidate_names;

#[cfg(test)]
mod tests;
