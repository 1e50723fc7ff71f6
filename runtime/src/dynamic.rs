//! Table entries for symbols named only at run time (SBCL's
//! `ensure-foreign-linkage`).

use crate::decl::{Decl, LibrarySpec};
use crate::error::Error;
use crate::table::{lock, try_entry};
use std::ffi::CString;

/// A table entry made at run time for a symbol whose signature alien does not
/// know.
#[derive(Debug, Clone, Copy)]
pub struct DynamicEntry {
    decl: &'static Decl,
    entry: usize,
}

impl DynamicEntry {
    /// The C-callable entry address: it never changes and follows later
    /// binding. If the symbol is still missing when C calls it, the message
    /// is printed and the process aborts (no Rust frame can catch it).
    pub fn entry(&self) -> usize {
        self.entry
    }

    /// The address a Rust caller should call right now (the function, or a
    /// lazy stub that resolves and otherwise panics at the caller). The stub
    /// knows no signature, so it saves the complete argument state — integer
    /// registers, `%al` and the vector state with `xsavec`/`xsave`/`fxsave`.
    pub fn slot(&self) -> *const () {
        self.decl.slot()
    }

    /// Whether the symbol is bound.
    pub fn is_resolved(&self) -> bool {
        self.decl.is_resolved()
    }

    /// The declaration record.
    pub fn decl(&self) -> &'static Decl {
        self.decl
    }
}

/// Makes (or finds) the table entry for `symbol`, looked up in `library`
/// (searched like a declaration's) and the global scope. A missing symbol is
/// not an error: the entry waits, and [`load_library`](crate::load_library)
/// or a later call resolves it.
pub fn try_ensure_linkage(symbol: &str, library: Option<&str>) -> Result<DynamicEntry, Error> {
    crate::table::init();
    let cname = CString::new(symbol).map_err(|_| Error::InvalidSymbolName(symbol.to_owned()))?;
    let key = (symbol.to_owned(), library.map(str::to_owned));
    let existing = lock().dynamic.get(&key).copied();
    let decl = match existing {
        Some(d) => d,
        None => {
            let spec: Option<&'static LibrarySpec> = library.map(|l| {
                &*Box::leak(Box::new(LibrarySpec {
                    name: Box::leak(l.to_owned().into_boxed_str()),
                    candidates: &[],
                }))
            });
            let decl: &'static Decl = Box::leak(Box::new(Decl::code(
                Box::leak(cname.into_boxed_c_str()),
                spec,
                crate::decl::FLAG_UNKNOWN_SIGNATURE,
                "<run time>",
                "<run time>",
            )));
            let mut t = lock();
            if let Some(d) = t.dynamic.get(&key) {
                *d
            } else {
                match t.lookup(decl, false) {
                    Ok((addr, supplier)) => t.bind(decl, addr, supplier),
                    Err(_) => t.wait(decl)?,
                }
                t.dynamic.insert(key, decl);
                t.generation += 1;
                decl
            }
        }
    };
    let entry = try_entry(decl)?;
    Ok(DynamicEntry { decl, entry })
}

/// [`try_ensure_linkage`], panicking on an invalid name or when executable
/// memory cannot be had.
pub fn ensure_linkage(symbol: &str, library: Option<&str>) -> DynamicEntry {
    match try_ensure_linkage(symbol, library) {
        Ok(e) => e,
        Err(e) => panic!("alien: ensure_linkage({symbol:?}): {e}"),
    }
}
