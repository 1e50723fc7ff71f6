//! Open shared libraries (`dlopen`/`dlsym`/`dlclose`) and address lookup (`dladdr`).

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fmt;
use std::ops::BitOr;
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use super::cache::SYSTEM_CACHE_PATH;
use super::elf::{IndexedSymbol, SymbolIndex};
use super::error::{Attempt, LibraryError};
use super::search::{self, Step};

/// `dlopen` mode bits. Combine with `|`; the default is `NOW | LOCAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenFlags(c_int);

impl OpenFlags {
    /// `RTLD_NOW`: resolve every undefined symbol before `dlopen` returns.
    pub const NOW: OpenFlags = OpenFlags(libc::RTLD_NOW);
    /// `RTLD_LAZY`: resolve function symbols on first call.
    pub const LAZY: OpenFlags = OpenFlags(libc::RTLD_LAZY);
    /// `RTLD_LOCAL`: the library's symbols do not join the global scope.
    pub const LOCAL: OpenFlags = OpenFlags(libc::RTLD_LOCAL);
    /// `RTLD_GLOBAL`: the library's symbols join the global scope.
    pub const GLOBAL: OpenFlags = OpenFlags(libc::RTLD_GLOBAL);
    /// `RTLD_NODELETE`: never unload the library, even after `dlclose`.
    pub const NODELETE: OpenFlags = OpenFlags(libc::RTLD_NODELETE);
    /// `RTLD_NOLOAD`: only succeed if the library is already loaded.
    pub const NOLOAD: OpenFlags = OpenFlags(libc::RTLD_NOLOAD);

    /// The raw `RTLD_*` bits.
    pub const fn bits(self) -> c_int {
        self.0
    }

    /// Flags from raw `RTLD_*` bits, passed to `dlopen` unchanged.
    pub const fn from_bits(bits: c_int) -> OpenFlags {
        OpenFlags(bits)
    }
}

impl Default for OpenFlags {
    fn default() -> Self {
        OpenFlags(libc::RTLD_NOW | libc::RTLD_LOCAL)
    }
}

impl BitOr for OpenFlags {
    type Output = OpenFlags;
    fn bitor(self, rhs: OpenFlags) -> OpenFlags {
        OpenFlags(self.0 | rhs.0)
    }
}

/// A request to find a library: the name as users think of it and explicit
/// candidates to try first. Equivalent to calling [`candidate_names`] /
/// [`Library::open`] with the two fields.
///
/// [`candidate_names`]: super::candidate_names
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryRequest<'a> {
    /// The library name (`"z"`), file name (`"libz.so.1"`) or path.
    pub name: &'a str,
    /// File names or paths tried first, in order.
    pub candidates: &'a [&'a str],
}

impl LibraryRequest<'_> {
    /// The ordered list of file names this request tries.
    pub fn candidate_names(&self) -> Vec<String> {
        search::candidate_names(self.name, self.candidates)
    }

    /// Opens the first candidate that loads; see [`Library::open`].
    pub fn open(&self) -> Result<Library, LibraryError> {
        Library::open(self.name, self.candidates)
    }
}

/// An open shared library: a `dlopen` handle, closed with `dlclose` on drop
/// (unless it is the global scope or was leaked with [`Library::into_raw`]).
///
/// Symbol addresses obtained from a library are valid only while it stays
/// open.
///
/// [`symbol`](Self::symbol) answers from the library's own symbol table
/// when it can (see [`IndexedSymbol`]) and from `dlsym` otherwise, with the
/// same result either way.
pub struct Library {
    handle: *mut c_void,
    name: String,
    candidate: String,
    path: String,
    owned: bool,
    /// The loader's `link_map` for the handle; `None` for the global scope.
    link_map: Option<NonNull<c_void>>,
    /// The library's symbol index, read on the first lookup (`None` inside:
    /// every lookup goes to `dlsym`).
    index: OnceLock<Option<SymbolIndex>>,
}

// SAFETY: the handle is an opaque token owned by this value; glibc's dlsym,
// dlinfo and dlclose may be called on it from any thread (the loader takes its
// own lock), and error state (dlerror) is per thread. The link_map is the
// loader's, valid from any thread while the handle is open, and only read.
unsafe impl Send for Library {}
// SAFETY: shared access only calls dlsym/dlinfo, which are thread-safe, and
// reads the link_map and the symbol index (built once, behind a OnceLock).
unsafe impl Sync for Library {}

impl Library {
    /// Finds and opens the library `name` with `dlopen(RTLD_NOW | RTLD_LOCAL)`,
    /// trying every candidate of [`candidate_names`](super::candidate_names)
    /// in order and returning the first that opens.
    pub fn open(name: &str, explicit: &[&str]) -> Result<Library, LibraryError> {
        Self::open_with(name, explicit, OpenFlags::default())
    }

    /// Like [`Library::open`], with explicit `dlopen` flags.
    pub fn open_with(
        name: &str,
        explicit: &[&str],
        flags: OpenFlags,
    ) -> Result<Library, LibraryError> {
        for text in std::iter::once(&name).chain(explicit) {
            if text.contains('\0') {
                return Err(LibraryError::InvalidName {
                    name: (*text).to_owned(),
                });
            }
        }
        let steps = search::plan(name, explicit);
        if !steps.iter().any(|s| matches!(s, Step::Try(_))) {
            return Err(LibraryError::EmptyName);
        }
        let mut attempts = Vec::new();
        for step in steps {
            match step {
                Step::Try(candidate) => match dlopen(&candidate, flags) {
                    Ok(handle) => return Ok(Library::from_handle(handle, name, candidate)),
                    Err(error) => attempts.push(Attempt { candidate, error }),
                },
                Step::CacheSkipped(error) => attempts.push(Attempt {
                    candidate: SYSTEM_CACHE_PATH.to_owned(),
                    error,
                }),
            }
        }
        Err(LibraryError::NotFound {
            name: name.to_owned(),
            attempts,
        })
    }

    /// Opens exactly this file name or path (no search; a name without `/`
    /// is still resolved by the loader's own search path).
    pub fn open_path(path: &str, flags: OpenFlags) -> Result<Library, LibraryError> {
        if path.is_empty() {
            return Err(LibraryError::EmptyName);
        }
        match dlopen(path, flags) {
            Ok(handle) => Ok(Library::from_handle(handle, path, path.to_owned())),
            Err(error) => Err(LibraryError::OpenFailed {
                path: path.to_owned(),
                error,
            }),
        }
    }

    /// The process's global scope: the main program, libc and every library
    /// loaded with `RTLD_GLOBAL` (`dlopen(NULL)`). Its [`name`](Self::name) is
    /// `"<global>"` and its [`path`](Self::path) is empty; it is never closed.
    pub fn global() -> &'static Library {
        static GLOBAL: OnceLock<Library> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            // SAFETY: dlopen(NULL) has no preconditions; it returns the main
            // program's handle, whose lookups search the global scope.
            let handle = unsafe { libc::dlopen(ptr::null(), libc::RTLD_NOW) };
            let handle = if handle.is_null() {
                clear_dl_error();
                libc::RTLD_DEFAULT
            } else {
                handle
            };
            Library {
                handle,
                name: "<global>".to_owned(),
                candidate: String::new(),
                path: String::new(),
                owned: false,
                link_map: None,
                index: OnceLock::new(),
            }
        })
    }

    fn from_handle(handle: NonNull<c_void>, name: &str, candidate: String) -> Library {
        let link_map = link_map(handle.as_ptr());
        let path = link_map
            .and_then(loaded_path)
            .unwrap_or_else(|| candidate.clone());
        Library {
            handle: handle.as_ptr(),
            name: name.to_owned(),
            candidate,
            path,
            owned: true,
            link_map,
            index: OnceLock::new(),
        }
    }

    /// The name the caller asked for (`"z"`), or `"<global>"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The candidate that opened (`"libz.so.1"`); empty for the global scope.
    pub fn candidate(&self) -> &str {
        &self.candidate
    }

    /// The file the loader opened (`/lib/x86_64-linux-gnu/libz.so.1`), from
    /// `dlinfo(RTLD_DI_LINKMAP)`; empty for the global scope. If the object was
    /// already loaded under another name (`libz.so` vs `libz.so.1`), the
    /// loader shares it and this is the path it was first loaded from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Looks up `name`: what `dlsym(handle, name)` returns, read from the
    /// library's own symbol table when it defines the symbol plainly (see
    /// [`IndexedSymbol`]), else from `dlsym`. `None` when the symbol is
    /// absent (a symbol whose value is NULL is also reported as absent).
    pub fn symbol(&self, name: &CStr) -> Option<NonNull<c_void>> {
        if let Some(index) = self.index() {
            if let IndexedSymbol::Found(address) = index.find(name) {
                return Some(address);
            }
        }
        self.dlsym(name)
    }

    /// Looks up `name` with `dlsym` alone, bypassing the symbol index.
    /// `None` when the symbol is absent (or its value is NULL).
    pub fn dlsym(&self, name: &CStr) -> Option<NonNull<c_void>> {
        // NULL means absent here, so dlerror's state is not consulted before
        // the call (clearing it costs as much as a third of a dlsym); it is
        // cleared after a miss so later dlerror callers see no stale text.
        // SAFETY: `self.handle` is a live dlopen handle (or RTLD_DEFAULT) for
        // as long as `self` exists, and `name` is NUL-terminated.
        let address = unsafe { libc::dlsym(self.handle, name.as_ptr()) };
        let address = NonNull::new(address);
        if address.is_none() {
            clear_dl_error();
        }
        address
    }

    /// How the library's own symbol table answers a lookup of `name`,
    /// without `dlsym` (for tests and diagnostics: [`symbol`](Self::symbol)
    /// uses the answer when it is [`IndexedSymbol::Found`]).
    #[doc(hidden)]
    pub fn indexed_symbol(&self, name: &CStr) -> IndexedSymbol {
        match self.index() {
            Some(index) => index.find(name),
            None => IndexedSymbol::NoIndex,
        }
    }

    /// The symbol index, built on first use.
    pub(super) fn index(&self) -> Option<&SymbolIndex> {
        let map = self.link_map?;
        self.index
            .get_or_init(|| {
                // SAFETY: `map` is the link_map of this library, which stays
                // open while `self` (and so the index it owns) exists.
                unsafe { SymbolIndex::build(map) }
            })
            .as_ref()
    }

    /// Gives up ownership without `dlclose`: the library stays loaded for the
    /// rest of the process. Returns the raw handle.
    pub fn into_raw(mut self) -> *mut c_void {
        self.owned = false;
        self.handle
    }

    /// The raw `dlopen` handle (still owned by `self`).
    pub fn handle(&self) -> *mut c_void {
        self.handle
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: the handle came from a successful dlopen and is closed
            // exactly once, here. A failure leaves the library loaded, which
            // is harmless, so its status is ignored.
            unsafe { libc::dlclose(self.handle) };
            clear_dl_error();
        }
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library")
            .field("name", &self.name)
            .field("candidate", &self.candidate)
            .field("path", &self.path)
            .field("handle", &self.handle)
            .field("owned", &self.owned)
            .finish()
    }
}

/// The loaded object containing an address, as reported by `dladdr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's file path (may be empty or `argv[0]` for the main program).
    pub path: String,
    /// The nearest symbol at or below the address, if any.
    pub symbol: Option<String>,
    /// The object's load base address.
    pub base: usize,
}

/// Which loaded object contains `addr` (`dladdr`): its file path, base
/// address and the nearest symbol name, if any. `None` when no loaded object
/// contains it.
pub fn object_containing(addr: usize) -> Option<ObjectInfo> {
    let mut info = libc::Dl_info {
        dli_fname: ptr::null(),
        dli_fbase: ptr::null_mut(),
        dli_sname: ptr::null(),
        dli_saddr: ptr::null_mut(),
    };
    // SAFETY: dladdr only compares the address against loaded objects (it
    // never dereferences it) and writes into `info`, which is valid.
    let found = unsafe { libc::dladdr(ptr::with_exposed_provenance(addr), &mut info) };
    if found == 0 {
        return None;
    }
    // SAFETY: on success dladdr's strings are NUL-terminated or NULL and
    // belong to the loader's data for a loaded object; they are copied now.
    let (path, symbol) = unsafe { (copy_c_string(info.dli_fname), copy_c_string(info.dli_sname)) };
    Some(ObjectInfo {
        path: path.unwrap_or_default(),
        symbol,
        base: info.dli_fbase as usize,
    })
}

/// `dlopen(file, flags)`, or the loader's error text.
fn dlopen(file: &str, flags: OpenFlags) -> Result<NonNull<c_void>, String> {
    let file = CString::new(file)
        .map_err(|_| format!("{file:?} contains a NUL byte and cannot be passed to dlopen"))?;
    // SAFETY: `file` is a valid NUL-terminated string. Any library
    // initialisers run here are the caller's choice of library to load.
    let handle = unsafe { libc::dlopen(file.as_ptr(), flags.bits()) };
    NonNull::new(handle).ok_or_else(take_dl_error)
}

/// The calling thread's pending `dlerror` text (clearing it), copied.
fn take_dl_error() -> String {
    // SAFETY: dlerror has no preconditions; its state is per thread in glibc.
    let message = unsafe { libc::dlerror() };
    // SAFETY: a non-NULL dlerror result is a NUL-terminated string valid
    // until the next dl* call on this thread; it is copied immediately.
    unsafe { copy_c_string(message) }.unwrap_or_else(|| "unknown dynamic loader error".to_owned())
}

/// Discards the calling thread's pending `dlerror` state.
fn clear_dl_error() {
    // SAFETY: dlerror has no preconditions; the returned text is not used.
    unsafe { libc::dlerror() };
}

/// `link_map`'s leading, public fields (glibc `<link.h>`).
#[repr(C)]
struct LinkMapHead {
    _l_addr: usize,
    l_name: *const c_char,
}

/// The loader's `struct link_map` for `handle` (`dlinfo(RTLD_DI_LINKMAP)`).
pub(super) fn link_map(handle: *mut c_void) -> Option<NonNull<c_void>> {
    let mut map: *mut c_void = ptr::null_mut();
    // SAFETY: `handle` is a live dlopen handle; RTLD_DI_LINKMAP writes one
    // `struct link_map *` into `map`.
    let status = unsafe { libc::dlinfo(handle, libc::RTLD_DI_LINKMAP, (&raw mut map).cast()) };
    if status != 0 {
        clear_dl_error();
        return None;
    }
    NonNull::new(map)
}

/// The file the loader opened (`link_map.l_name`), if non-empty.
fn loaded_path(map: NonNull<c_void>) -> Option<String> {
    // SAFETY: `map` points to the loader's `struct link_map` for an open
    // handle, which begins with `l_addr` and `l_name`; the name is a
    // NUL-terminated string (or NULL) copied before the handle can close.
    let name = unsafe { copy_c_string((*map.as_ptr().cast::<LinkMapHead>()).l_name) }?;
    (!name.is_empty()).then_some(name)
}

/// Copies a C string (lossily as UTF-8); `None` for NULL.
///
/// # Safety
///
/// `text` must be NULL or point to a NUL-terminated string readable for the
/// duration of the call.
unsafe fn copy_c_string(text: *const c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated, per this function's contract.
    Some(
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned(),
    )
}
