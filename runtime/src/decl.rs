//! What a declaration compiles to: one static record per foreign symbol.
//!
//! The macros emit a [`Decl`] for every declared function and variable: the
//! functions of a `define_c_function!` block as one `static` array, in
//! declaration order (a declaration under `#[cfg]` gets a static of its own),
//! every other declaration as a `static` of its own. Each array, or single
//! record as a one-element slice, is registered in the link-time collected
//! [`LINKAGE`](crate::__private::LINKAGE) slice. The record is SBCL's
//! `LINKAGE-INFO` plus the slot itself: the first field is the address a Rust
//! call goes through, read with one relaxed load.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU8, Ordering};

/// Which library a declaration names, as the user wrote it.
#[derive(Debug)]
pub struct LibrarySpec {
    /// The name the way users think of it: `"z"`, `"m"`, `"sqlite3"`.
    pub name: &'static str,
    /// File names or paths tried before the search (e.g. `"libz.so.1"`).
    pub candidates: &'static [&'static str],
}

/// Whether a symbol is code (reached through a `jmp` slot) or data (through a
/// `ref` slot holding the variable's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SymbolKind {
    /// A function.
    Code,
    /// A variable.
    Data,
}

/// The binding state of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BindState {
    /// Startup has not reached it yet.
    Unbound,
    /// Its slot holds the symbol's address.
    Bound,
    /// The symbol was not found; its slot holds a lazy stub (code) or null
    /// (data), and it is on the waiting list.
    Waiting,
}

pub(crate) const STATE_UNBOUND: u8 = 0;
pub(crate) const STATE_BOUND: u8 = 1;
pub(crate) const STATE_WAITING: u8 = 2;

/// Flag: the function never calls back into Rust.
pub const FLAG_NO_CALLBACKS: u8 = 1;
/// Flag: the wrapper captures `errno`.
pub const FLAG_ERRNO: u8 = 2;
/// Flag: the wrapper performs no run-time checks (ILU's `inline`).
pub const FLAG_INLINE: u8 = 4;
/// Flag: the function is variadic.
pub const FLAG_VARIADIC: u8 = 8;
/// Flag: a name known only at run time (`ensure_linkage`): its callers'
/// argument types are unknown, so its lazy stub saves the whole vector state.
pub const FLAG_UNKNOWN_SIGNATURE: u8 = 32;

/// A declared foreign symbol. Generated code creates these with
/// [`Decl::code`] and [`Decl::data`]; users see them through
/// [`LinkageInfo`](crate::LinkageInfo).
///
/// Laid out for the first call: everything the slot load, the lazy stub's
/// resolution and the binding touch (slots, symbol, library, state,
/// supplier, interposition) is in the first 64 bytes, and the record is
/// 64-byte aligned, so a first call reads one cache line of it; the names
/// used only by introspection and messages follow. A block of declarations
/// is one array of these, in declaration order.
#[repr(C, align(64))]
pub struct Decl {
    /// The address a Rust call goes through. For code: the function, a lazy
    /// stub, or (before startup) [`not_started`]. For data: the variable's
    /// address, or null.
    slot: AtomicPtr<()>,
    /// The address the C-callable entry jumps through (code only): like
    /// `slot`, except that an unresolved symbol points to the stub that
    /// reports to C callers.
    pub(crate) entry_slot: AtomicPtr<()>,
    /// A `'static` NUL-terminated name, `symbol_len` bytes before the NUL:
    /// set by the constructor, or (for a bare block, whose records are one
    /// repeated constant) from the block's names when the block is first
    /// registered.
    symbol: AtomicPtr<c_char>,
    library: Option<&'static LibrarySpec>,
    /// Which library supplied the address (an index into the table's
    /// suppliers, 0 for none).
    pub(crate) supplier: AtomicU32,
    /// How many interpositions are active (their replacement is in the
    /// slots; the binding underneath is in `underlying`).
    pub(crate) interposed: AtomicU32,
    pub(crate) state: AtomicU8,
    kind: SymbolKind,
    flags: u8,
    /// The length of `symbol` (without the NUL).
    symbol_len: AtomicU32,
    /// The address bound underneath the interpositions.
    pub(crate) underlying: AtomicPtr<()>,
    // Second cache line: read by introspection and error messages only.
    rust_name: &'static str,
    module_path: &'static str,
}

/// Where a record's slot is (what a bare block's trampolines jump through).
pub const SLOT_OFFSET: usize = std::mem::offset_of!(Decl, slot);

// What a first call reads is one cache line.
const _: () = assert!(std::mem::offset_of!(Decl, underlying) + 8 <= 64);

impl Decl {
    /// A function declaration.
    pub const fn code(
        symbol: &'static CStr,
        library: Option<&'static LibrarySpec>,
        flags: u8,
        rust_name: &'static str,
        module_path: &'static str,
    ) -> Decl {
        Decl {
            slot: AtomicPtr::new(not_started as *mut ()),
            entry_slot: AtomicPtr::new(not_started as *mut ()),
            symbol: AtomicPtr::new(symbol.as_ptr().cast_mut()),
            library,
            supplier: AtomicU32::new(0),
            interposed: AtomicU32::new(0),
            state: AtomicU8::new(STATE_UNBOUND),
            kind: SymbolKind::Code,
            flags,
            symbol_len: AtomicU32::new(symbol.count_bytes() as u32),
            underlying: AtomicPtr::new(std::ptr::null_mut()),
            rust_name,
            module_path,
        }
    }

    /// A record of a bare block (`#![alien(bare)]`): every record of the
    /// block is this one constant, and the names (symbol and Rust name
    /// alike) are set from the block's [`BareBlock`](crate::__private::BareBlock)
    /// when the block is first registered.
    pub const fn bare(library: Option<&'static LibrarySpec>, module_path: &'static str) -> Decl {
        Decl::code(c"", library, 0, "", module_path)
    }

    /// Sets the symbol of a bare record: `name` is `'static` and
    /// NUL-terminated.
    pub(crate) fn set_bare_symbol(&self, name: &'static CStr) {
        // The address first: a reader that sees the new length (acquire)
        // sees the new address.
        self.symbol
            .store(name.as_ptr().cast_mut(), Ordering::Release);
        self.symbol_len
            .store(name.count_bytes() as u32, Ordering::Release);
    }

    /// A variable declaration.
    pub const fn data(
        symbol: &'static CStr,
        library: Option<&'static LibrarySpec>,
        rust_name: &'static str,
        module_path: &'static str,
    ) -> Decl {
        Decl {
            slot: AtomicPtr::new(std::ptr::null_mut()),
            entry_slot: AtomicPtr::new(std::ptr::null_mut()),
            symbol: AtomicPtr::new(symbol.as_ptr().cast_mut()),
            library,
            supplier: AtomicU32::new(0),
            interposed: AtomicU32::new(0),
            state: AtomicU8::new(STATE_UNBOUND),
            kind: SymbolKind::Data,
            flags: 0,
            symbol_len: AtomicU32::new(symbol.count_bytes() as u32),
            underlying: AtomicPtr::new(std::ptr::null_mut()),
            rust_name,
            module_path,
        }
    }

    /// The address a call goes through right now (one relaxed load: the hot path).
    #[inline(always)]
    pub fn slot(&self) -> *const () {
        self.slot.load(Ordering::Relaxed)
    }

    pub(crate) fn store_slots(&self, rust: *const (), c: *const ()) {
        self.slot.store(rust.cast_mut(), Ordering::Release);
        self.entry_slot.store(c.cast_mut(), Ordering::Release);
    }

    pub(crate) fn entry_slot_addr(&self) -> usize {
        std::ptr::from_ref(&self.entry_slot) as usize
    }

    /// The C symbol name.
    pub fn symbol(&self) -> &'static CStr {
        let len = self.symbol_len.load(Ordering::Acquire) as usize;
        if len == 0 {
            // No name yet (a bare record before its block is named); no
            // declared name is empty.
            return c"";
        }
        let ptr = self.symbol.load(Ordering::Acquire);
        // SAFETY: a non-zero length was stored after the address of a
        // `&'static CStr` of that length (by the constructor, or by
        // `set_bare_symbol`, which stores the address first), so `ptr` is
        // that string's: `len` bytes and a NUL, alive forever.
        unsafe {
            CStr::from_bytes_with_nul_unchecked(std::slice::from_raw_parts(
                ptr.cast::<u8>(),
                len + 1,
            ))
        }
    }

    /// The symbol name as text (lossy for non-UTF-8 names).
    pub fn symbol_str(&self) -> std::borrow::Cow<'static, str> {
        self.symbol().to_string_lossy()
    }

    /// The library the declaration names, if any.
    pub fn library(&self) -> Option<&'static LibrarySpec> {
        self.library
    }

    /// Code or data.
    pub fn kind(&self) -> SymbolKind {
        self.kind
    }

    /// The declaration's flags (`FLAG_*`).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// The Rust name of the declaration.
    pub fn rust_name(&self) -> &'static str {
        if self.rust_name.is_empty() {
            // A bare declaration is named as its symbol.
            self.symbol().to_str().unwrap_or("")
        } else {
            self.rust_name
        }
    }

    /// The module the declaration is in.
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The binding state.
    #[inline]
    pub fn state(&self) -> BindState {
        match self.state.load(Ordering::Acquire) {
            STATE_BOUND => BindState::Bound,
            STATE_WAITING => BindState::Waiting,
            _ => BindState::Unbound,
        }
    }

    /// Whether the slot holds the symbol's (or a substitute's) address
    /// (one acquire load: checked before every run-time call).
    #[inline]
    pub fn is_resolved(&self) -> bool {
        self.state.load(Ordering::Acquire) == STATE_BOUND
    }
}

impl fmt::Debug for Decl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decl")
            .field("symbol", &self.symbol())
            .field("library", &self.library.map(|l| l.name))
            .field("kind", &self.kind)
            .field("state", &self.state())
            .field("rust_name", &self.rust_name)
            .finish()
    }
}

/// What a slot holds before startup has run (only reachable by calling a
/// declared function from a constructor that runs before alien's own). It
/// binds the table and then reports that the call cannot be completed,
/// because nothing identifies which declaration was called.
extern "C-unwind" fn not_started() -> ! {
    crate::table::init();
    panic!(
        "alien: a foreign function was called before alien's startup binding ran \
         (from a constructor that runs before alien's, at priority 101); the table is \
         now bound, call it again or call alien::init() first"
    )
}
