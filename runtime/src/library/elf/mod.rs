//! Symbol lookup the way the dynamic loader binds a `BIND_NOW` library:
//! straight from the library's own dynamic symbol table and GNU hash table.
//!
//! glibc's `dlsym` costs some 700 instructions per call (catching errors
//! with `setjmp`, taking the loader's lock, then `_dl_lookup_symbol_x` over
//! the handle's whole scope). A [`SymbolIndex`] is read once per opened
//! library (`dlinfo(RTLD_DI_LINKMAP)` gives its load bias and dynamic
//! section) and answers most lookups with a hash, a bloom filter test, a
//! short chain walk and one string comparison.
//!
//! **Exactness.** `dlsym(handle, name)` searches the handle's local scope, whose
//! first object is the library itself. [`SymbolIndex::find`] mirrors what
//! glibc's `do_lookup_x` and `check_match` do in that first object (for an
//! unversioned lookup that asks for the newest version, as `dlsym` does) and
//! answers [`IndexedSymbol::Found`] only when glibc would stop there with a
//! plain definition: a `FUNC`, `OBJECT` or `NOTYPE` symbol of a section of
//! the library, bound `GLOBAL` or `WEAK`, of default or protected visibility,
//! at `l_addr + st_value`. Every other case is left to `dlsym`:
//!
//! * the library has no acceptable definition (dlsym goes on to its
//!   dependencies): [`IndexedSymbol::NotDefined`];
//! * a definition whose address dlsym computes itself or takes from
//!   elsewhere: an IFUNC (dlsym calls its resolver), a TLS variable, a
//!   `GNU_UNIQUE` symbol, an absolute or common one, a weak one under
//!   `LD_DYNAMIC_WEAK`, or anything that looks malformed:
//!   [`IndexedSymbol::Deferred`].
//!
//! No index is built, and every lookup goes to `dlsym`, when the library has
//! no `DT_GNU_HASH` (a `DT_HASH`-only library), when anything read from its
//! dynamic section falls outside its mapped segments or looks wrong, when
//! the process is audited (`LD_AUDIT`, or `DT_AUDIT`/`DT_DEPAUDIT` in the
//! program: an audit module may change what dlsym returns), or when
//! `ALIEN_LOOKUP=dlsym` is in the environment.

mod process;
mod tables;

use process::process;
use std::ffi::{c_void, CStr};
use std::ptr::{self, NonNull};
use tables::{Layout, LinkMapHead, Tables};

/// How a library's own symbol table answers a lookup, before `dlsym`.
///
/// [`Library::symbol`](super::Library::symbol) reads the library's dynamic
/// symbol table and GNU hash table (once per opened library) and does what
/// glibc's `dlsym(handle, name)` does in the first object of the handle's
/// scope, the library itself. Only `Found` is an answer, and it is the
/// address `dlsym` returns: a plain `FUNC`, `OBJECT` or `NOTYPE` definition,
/// bound `GLOBAL` or `WEAK`, of the version `dlsym` picks (the default one).
/// The others mean "ask `dlsym`". There is no index for the global scope, a
/// library without `DT_GNU_HASH`, tables that look wrong, a process run with
/// `LD_AUDIT` (or whose program names audit modules), or with
/// `ALIEN_LOOKUP=dlsym` in the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexedSymbol {
    /// The library defines the symbol here; `dlsym` returns this address.
    Found(NonNull<c_void>),
    /// The library itself has no definition `dlsym` would take: `dlsym`
    /// searches its dependencies.
    NotDefined,
    /// A definition whose address `dlsym` must compute (IFUNC, TLS, unique,
    /// absolute, weak under `LD_DYNAMIC_WEAK`, or a malformed entry).
    Deferred,
    /// The library has no index: every lookup goes to `dlsym`.
    NoIndex,
}

const STT_NOTYPE: u8 = 0;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STT_COMMON: u8 = 5;
const STT_TLS: u8 = 6;
const STT_GNU_IFUNC: u8 = 10;
/// The symbol types glibc's `check_match` considers at all.
const ALLOWED_STT: u32 = 1 << STT_NOTYPE
    | 1 << STT_OBJECT
    | 1 << STT_FUNC
    | 1 << STT_COMMON
    | 1 << STT_TLS
    | 1 << STT_GNU_IFUNC;

const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const STB_GNU_UNIQUE: u8 = 10;
const STV_INTERNAL: u8 = 1;
const STV_HIDDEN: u8 = 2;
const SHN_UNDEF: u16 = 0;
const SHN_LORESERVE: u16 = 0xff00;
const SHN_ABS: u16 = 0xfff1;

/// `versym` bit marking a non-default (`name@VER`) version.
const VERSYM_HIDDEN: u16 = 0x8000;

/// A library's dynamic symbol table, GNU hash table and version table, as
/// mapped in memory. Valid while the library stays open (its owner, a
/// [`Library`](super::Library), drops it before `dlclose`).
pub(crate) struct SymbolIndex {
    /// `l_addr`: added to every `st_value`.
    bias: usize,
    symtab: *const libc::Elf64_Sym,
    strtab: *const u8,
    strsz: usize,
    /// Null when the library has no symbol versions.
    versym: *const u16,
    /// Symbols in the table (one past the last hashed one).
    nsyms: u32,
    /// Index of the first hashed symbol (`symoffset`).
    symoffset: u32,
    nbuckets: u32,
    /// `u64::MAX / nbuckets + 1`, for [`fast_mod`].
    nbuckets_magic: u64,
    bloom: *const u64,
    /// Bloom words minus one (their count is a power of two).
    bloom_mask: u32,
    bloom_shift: u32,
    buckets: *const u32,
    /// The chain entry of symbol `symoffset`.
    chain: *const u32,
    /// Weak definitions are final (glibc's `dl_dynamic_weak` is off).
    weak_final: bool,
}

// SAFETY: the index only reads the library's mapped, never-written symbol
// tables; its owner keeps the library open while any thread can use it.
unsafe impl Send for SymbolIndex {}
// SAFETY: as above; the index is immutable after it is built.
unsafe impl Sync for SymbolIndex {}

impl SymbolIndex {
    /// Reads the tables of the library whose `link_map` is `map`. `None`
    /// when the fast path is off or anything looks unusual.
    ///
    /// # Safety
    ///
    /// `map` must be the loader's `link_map` of a library that stays open
    /// for as long as the index is used.
    pub(crate) unsafe fn build(map: NonNull<c_void>) -> Option<SymbolIndex> {
        let process = process();
        if !process.enabled {
            return None;
        }
        // SAFETY: `map` is a live `struct link_map`, which begins with the
        // public fields `l_addr`, `l_name`, `l_ld` (glibc's <link.h>).
        let head = unsafe { &*map.as_ptr().cast::<LinkMapHead>() };
        let layout = Layout::of(head.l_addr, head.l_ld as usize)?;
        let tables = Tables::read(&layout)?;
        // SAFETY: `layout` describes the library's mapped segments, which
        // stay mapped while it is open (this function's contract).
        unsafe { SymbolIndex::from_tables(&layout, &tables, process.weak_final) }
    }

    /// Checks the tables against the mapped segments and builds the index.
    ///
    /// # Safety
    ///
    /// `layout`'s segments must be mapped and readable.
    unsafe fn from_tables(layout: &Layout, t: &Tables, weak_final: bool) -> Option<SymbolIndex> {
        // The GNU hash header: nbuckets, symoffset, bloom words, bloom shift.
        let header = layout.words::<u32>(t.gnu_hash, 4)?;
        // SAFETY: `words` checked that four aligned u32 lie in a mapped segment.
        let [nbuckets, symoffset, bloom_words, bloom_shift] =
            unsafe { [0, 1, 2, 3].map(|i| *header.add(i)) };
        if nbuckets == 0 || !bloom_words.is_power_of_two() || bloom_shift >= 32 {
            return None;
        }
        let bloom_at = t.gnu_hash.checked_add(16)?;
        let bloom = layout.words::<u64>(bloom_at, bloom_words as usize)?;
        let buckets_at = bloom_at + 8 * bloom_words as usize;
        let buckets = layout.words::<u32>(buckets_at, nbuckets as usize)?;
        let chain_at = buckets_at + 4 * nbuckets as usize;
        // The table does not say how many symbols it hashes: the last
        // bucket's chain ends at the last one.
        let mut last = 0u32;
        for i in 0..nbuckets as usize {
            // SAFETY: `words` checked the whole bucket array.
            let b = unsafe { *buckets.add(i) };
            if b != 0 && b < symoffset {
                return None;
            }
            last = last.max(b);
        }
        let nsyms = if last == 0 {
            symoffset
        } else {
            let mut i = last;
            loop {
                let entry = layout.words::<u32>(chain_at + 4 * (i - symoffset) as usize, 1)?;
                // SAFETY: `words` checked this chain entry.
                if unsafe { *entry } & 1 != 0 {
                    break i.checked_add(1)?;
                }
                i = i.checked_add(1)?;
            }
        };
        let chain = layout.words::<u32>(chain_at, (nsyms - symoffset) as usize)?;
        let symtab = layout.words::<libc::Elf64_Sym>(t.symtab, nsyms as usize)?;
        let strtab = layout.words::<u8>(t.strtab, t.strsz)?;
        // SAFETY: `words` checked `strsz` bytes, and `strsz` is not zero.
        if t.strsz == 0 || unsafe { *strtab.add(t.strsz - 1) } != 0 {
            return None;
        }
        let versym = match t.versym {
            Some(at) => layout.words::<u16>(at, nsyms as usize)?,
            None => ptr::null(),
        };
        Some(SymbolIndex {
            bias: layout.bias,
            symtab,
            strtab,
            strsz: t.strsz,
            versym,
            nsyms,
            symoffset,
            nbuckets,
            nbuckets_magic: (u64::MAX / u64::from(nbuckets)).wrapping_add(1),
            bloom,
            bloom_mask: bloom_words - 1,
            bloom_shift,
            buckets,
            chain,
            weak_final,
        })
    }

    /// Looks `name` up the way `dlsym` does in the library's own tables.
    pub(crate) fn find(&self, name: &CStr) -> IndexedSymbol {
        let name = name.to_bytes();
        let hash = gnu_hash(name);
        // SAFETY: the bloom index is masked to the word count checked by
        // `from_tables`.
        let word = unsafe { *self.bloom.add(((hash / 64) & self.bloom_mask) as usize) };
        if (word >> (hash % 64)) & (word >> ((hash >> self.bloom_shift) % 64)) & 1 == 0 {
            return IndexedSymbol::NotDefined;
        }
        let bucket = fast_mod(hash, self.nbuckets_magic, self.nbuckets);
        // SAFETY: the bucket index is below `nbuckets`, checked.
        let mut i = unsafe { *self.buckets.add(bucket as usize) };
        if i == 0 {
            return IndexedSymbol::NotDefined;
        }
        // `check_match` for an unversioned lookup asking for the newest
        // version: a symbol of version index 0 or 1 is taken at once; one
        // of a real version only if it is the only non-hidden one.
        let mut versioned = 0u32;
        let mut versions = 0u32;
        let chosen = loop {
            if i >= self.nsyms {
                // A chain running past the last symbol: malformed.
                return IndexedSymbol::Deferred;
            }
            // SAFETY: symoffset <= i < nsyms (buckets are checked to be at
            // least symoffset), and the chain covers symbols up to nsyms.
            let entry = unsafe { *self.chain.add((i - self.symoffset) as usize) };
            if (entry ^ hash) >> 1 == 0 {
                match self.check(i, name) {
                    Check::Skip => {}
                    Check::Malformed => return IndexedSymbol::Deferred,
                    Check::Version => {
                        if versions == 0 {
                            versioned = i;
                        }
                        versions += 1;
                    }
                    Check::Match => break i,
                }
            }
            if entry & 1 != 0 {
                if versions == 1 {
                    break versioned;
                }
                return IndexedSymbol::NotDefined;
            }
            i += 1;
        };
        self.classify(chosen)
    }

    /// The symbol at index `i` (below `nsyms`).
    fn sym(&self, i: u32) -> &libc::Elf64_Sym {
        debug_assert!(i < self.nsyms);
        // SAFETY: `from_tables` checked `nsyms` symbols; callers pass i < nsyms.
        unsafe { &*self.symtab.add(i as usize) }
    }

    /// glibc's `check_match` for symbol `i` against `name`.
    fn check(&self, i: u32, name: &[u8]) -> Check {
        let sym = self.sym(i);
        let stt = sym.st_info & 0xf;
        if (sym.st_value == 0 && sym.st_shndx != SHN_ABS && stt != STT_TLS)
            || (1u32 << stt) & ALLOWED_STT == 0
        {
            return Check::Skip;
        }
        let at = sym.st_name as usize;
        if at >= self.strsz {
            return Check::Malformed;
        }
        // The string table ends with a NUL (checked), so the string at `at`
        // equals `name` exactly when its first len bytes do and a NUL follows.
        let len = name.len();
        if len >= self.strsz - at {
            return Check::Skip;
        }
        // SAFETY: at + len < strsz: every byte read is in the string table.
        let equal = unsafe {
            *self.strtab.add(at + len) == 0
                && same_bytes(std::slice::from_raw_parts(self.strtab.add(at), len), name)
        };
        if !equal {
            return Check::Skip;
        }
        if !self.versym.is_null() {
            // SAFETY: `from_tables` checked `nsyms` version entries.
            let v = unsafe { *self.versym.add(i as usize) };
            if v & !VERSYM_HIDDEN >= 2 {
                return if v & VERSYM_HIDDEN == 0 {
                    Check::Version
                } else {
                    Check::Skip
                };
            }
        }
        Check::Match
    }

    /// What glibc does with the symbol `check_match` chose: its address
    /// when it is a plain definition, else who should answer.
    fn classify(&self, i: u32) -> IndexedSymbol {
        let sym = self.sym(i);
        let visibility = sym.st_other & 3;
        if visibility == STV_HIDDEN || visibility == STV_INTERNAL {
            // glibc skips the object: dlsym goes on to the dependencies.
            return IndexedSymbol::NotDefined;
        }
        match sym.st_info >> 4 {
            STB_GLOBAL => {}
            STB_WEAK if self.weak_final => {}
            // Weak under LD_DYNAMIC_WEAK (a later global definition wins),
            // GNU_UNIQUE (the process-wide unique table decides).
            STB_WEAK | STB_GNU_UNIQUE => return IndexedSymbol::Deferred,
            // Local and unknown bindings: glibc skips the object.
            _ => return IndexedSymbol::NotDefined,
        }
        let plain = matches!(sym.st_info & 0xf, STT_FUNC | STT_OBJECT | STT_NOTYPE);
        if !plain || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE {
            return IndexedSymbol::Deferred;
        }
        let address = self.bias.wrapping_add(sym.st_value as usize);
        match NonNull::new(ptr::with_exposed_provenance_mut(address)) {
            Some(p) => IndexedSymbol::Found(p),
            None => IndexedSymbol::Deferred,
        }
    }

    /// Every symbol the hash table covers, for tests: their names.
    #[cfg(test)]
    pub(crate) fn names(&self) -> Vec<std::ffi::CString> {
        (self.symoffset..self.nsyms)
            .filter_map(|i| {
                let at = self.sym(i).st_name as usize;
                // SAFETY: the string table is NUL-terminated, so a string
                // starting inside it ends inside it.
                (at < self.strsz)
                    .then(|| unsafe { CStr::from_ptr(self.strtab.add(at).cast()) }.to_owned())
            })
            .collect()
    }
}

/// What `check_match` says of one chain entry.
enum Check {
    /// Not this name, or not a definition it considers.
    Skip,
    /// This name, of a non-hidden real version: taken only if it is the
    /// only one.
    Version,
    /// The symbol dlsym takes.
    Match,
    /// Unreadable (a name outside the string table).
    Malformed,
}

/// `a % d`, with `magic` = `u64::MAX / d + 1` (Lemire, Kaser and Kurz,
/// "Faster remainder by direct computation", exact for every 32-bit `a` and
/// `d`): two multiplications instead of a division.
fn fast_mod(a: u32, magic: u64, d: u32) -> u32 {
    let low = magic.wrapping_mul(u64::from(a));
    ((u128::from(low) * u128::from(d)) >> 64) as u32
}

/// Whether two byte strings of the same length are equal: word compares
/// inline (names are short; a `memcmp` call costs more than comparing).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
        let mut w = [0; N];
        w.copy_from_slice(&s[at..at + N]);
        w
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        // Whole words, then the last (overlapping) word.
        let mut i = 0;
        while i + 8 < n {
            if word::<8>(a, i) != word::<8>(b, i) {
                return false;
            }
            i += 8;
        }
        word::<8>(a, n - 8) == word::<8>(b, n - 8)
    } else if n >= 4 {
        word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// The GNU hash of a symbol name (`dl_new_hash`).
fn gnu_hash(name: &[u8]) -> u32 {
    name.iter().fold(5381u32, |h, &b| {
        h.wrapping_mul(33).wrapping_add(u32::from(b))
    })
}

#[cfg(test)]
mod tests;
