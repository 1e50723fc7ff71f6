//! Where a loaded object's symbol tables are: its `link_map`, its program
//! headers (`dl_iterate_phdr`) and its dynamic section.

use std::ffi::{c_int, c_void};
use std::mem::{align_of, size_of};
use std::ptr;

/// `ElfW(Dyn)`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct Dyn {
    pub(super) d_tag: i64,
    pub(super) d_val: u64,
}

pub(super) const DT_NULL: i64 = 0;
const DT_STRTAB: i64 = 5;
const DT_SYMTAB: i64 = 6;
const DT_STRSZ: i64 = 10;
const DT_SYMENT: i64 = 11;
const DT_GNU_HASH: i64 = 0x6fff_fef5;
const DT_VERSYM: i64 = 0x6fff_fff0;
const DT_VERDEF: i64 = 0x6fff_fffc;
const DT_VERNEED: i64 = 0x6fff_fffe;
pub(super) const DT_DEPAUDIT: i64 = 0x6fff_fefb;
pub(super) const DT_AUDIT: i64 = 0x6fff_fefc;

/// `struct link_map`'s public head (glibc's <link.h>).
#[repr(C)]
pub(super) struct LinkMapHead {
    pub(super) l_addr: usize,
    pub(super) l_name: *const std::ffi::c_char,
    pub(super) l_ld: *const Dyn,
}

/// Where a loaded object is mapped, from its program headers. Its segments
/// stay mapped while the object is loaded: readers of what [`Layout::words`]
/// returns rely on their caller keeping it open.
pub(super) struct Layout {
    pub(super) bias: usize,
    /// Readable `PT_LOAD` segments, as address ranges.
    pub(super) segments: Vec<(usize, usize)>,
    pub(super) dynamic: usize,
    /// Entries the `PT_DYNAMIC` segment has room for.
    pub(super) dynamic_len: usize,
}

impl Layout {
    /// The layout of the object whose dynamic section is at `dynamic`
    /// (found with `dl_iterate_phdr`); `None` unless its load bias is `bias`.
    pub(super) fn of(bias: usize, dynamic: usize) -> Option<Layout> {
        let mut search = Search {
            dynamic,
            found: None,
        };
        // SAFETY: the callback matches dl_iterate_phdr's contract and only
        // touches `search` through `data`, which outlives the call.
        unsafe { libc::dl_iterate_phdr(Some(find_object), (&raw mut search).cast()) };
        search.found.filter(|l| l.bias == bias && l.dynamic_len > 0)
    }

    /// A pointer to `count` values of `T` at `at`, when they are aligned and
    /// lie in one readable segment.
    pub(super) fn words<T>(&self, at: usize, count: usize) -> Option<*const T> {
        let end = at.checked_add(count.checked_mul(size_of::<T>())?)?;
        let inside = self
            .segments
            .iter()
            .any(|&(start, stop)| start <= at && end <= stop);
        (inside && at.is_multiple_of(align_of::<T>()) && at != 0)
            .then(|| ptr::with_exposed_provenance(at))
    }
}

/// `dl_iterate_phdr`'s state: the dynamic section sought, the layout found.
struct Search {
    dynamic: usize,
    found: Option<Layout>,
}

/// Records the layout of the object whose `PT_DYNAMIC` is at `search.dynamic`.
unsafe extern "C" fn find_object(
    info: *mut libc::dl_phdr_info,
    _size: usize,
    data: *mut c_void,
) -> c_int {
    // SAFETY: dl_iterate_phdr passes a valid info for the duration of the
    // call, and `data` is the `Search` given by `Layout::of`.
    let (info, search) = unsafe { (&*info, &mut *data.cast::<Search>()) };
    let bias = info.dlpi_addr as usize;
    let phdrs: &[libc::Elf64_Phdr] = if info.dlpi_phdr.is_null() {
        &[]
    } else {
        // SAFETY: the loader's program headers of a loaded object: phnum entries.
        unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) }
    };
    let Some(dynamic) = phdrs.iter().find(|p| {
        p.p_type == libc::PT_DYNAMIC && bias.wrapping_add(p.p_vaddr as usize) == search.dynamic
    }) else {
        return 0;
    };
    let segments = phdrs
        .iter()
        .filter(|p| p.p_type == libc::PT_LOAD && p.p_flags & libc::PF_R != 0)
        .map(|p| {
            let start = bias.wrapping_add(p.p_vaddr as usize);
            (start, start.saturating_add(p.p_memsz as usize))
        })
        .collect();
    search.found = Some(Layout {
        bias,
        segments,
        dynamic: search.dynamic,
        dynamic_len: dynamic.p_memsz as usize / size_of::<Dyn>(),
    });
    1
}

/// The dynamic section's entries that locate the symbol tables, as
/// addresses in memory.
pub(super) struct Tables {
    pub(super) gnu_hash: usize,
    pub(super) symtab: usize,
    pub(super) strtab: usize,
    pub(super) strsz: usize,
    pub(super) versym: Option<usize>,
}

impl Tables {
    /// Reads the dynamic section of `layout`'s object.
    pub(super) fn read(layout: &Layout) -> Option<Tables> {
        let entries = layout.words::<Dyn>(layout.dynamic, layout.dynamic_len)?;
        let (mut gnu_hash, mut symtab, mut strtab, mut strsz) = (None, None, None, None);
        let (mut versym, mut versioned) = (None, false);
        for i in 0..layout.dynamic_len {
            // SAFETY: `words` checked `dynamic_len` entries in a segment of
            // the object, which the caller of `SymbolIndex::build` keeps open.
            let d = unsafe { *entries.add(i) };
            // glibc relocates the addresses of a writable dynamic section in
            // place; a read-only one keeps link-time addresses. A link-time
            // address is below the load bias (the tables are then checked to
            // lie in the library's segments either way).
            let address = || {
                let v = usize::try_from(d.d_val).ok()?;
                if v < layout.bias {
                    v.checked_add(layout.bias)
                } else {
                    Some(v)
                }
            };
            match d.d_tag {
                DT_NULL => break,
                DT_GNU_HASH => gnu_hash = Some(address()?),
                DT_SYMTAB => symtab = Some(address()?),
                DT_STRTAB => strtab = Some(address()?),
                DT_STRSZ => strsz = Some(usize::try_from(d.d_val).ok()?),
                DT_SYMENT if d.d_val != size_of::<libc::Elf64_Sym>() as u64 => return None,
                DT_VERSYM => versym = Some(address()?),
                DT_VERDEF | DT_VERNEED => versioned = true,
                _ => {}
            }
        }
        // glibc reads `versym` only when the library defines or needs versions.
        if versioned != versym.is_some() {
            return None;
        }
        Some(Tables {
            gnu_hash: gnu_hash?,
            symtab: symtab?,
            strtab: strtab?,
            strsz: strsz?,
            versym,
        })
    }
}
