//! Finding a declaration's address: its library, the global scope, and the
//! libraries loaded later.

use super::{Source, Supplier, Table};
use crate::decl::Decl;
use crate::library::{Library, LibraryError};

/// Whether a library loaded later is searched for `decl`: when the
/// declaration names it, or names no library at all.
pub(crate) fn serves(supplier: &Supplier, decl: &Decl) -> bool {
    supplier.late && decl.library().is_none_or(|spec| spec.name == supplier.name)
}

impl Table {
    /// The supplier index of a declared library, opening it on first use.
    /// A failure is remembered; `retry` tries the loader again.
    fn open_spec(&mut self, decl: &Decl, retry: bool) -> Option<Result<u32, LibraryError>> {
        let spec = decl.library()?;
        // Declarations of one block share one spec: the last one opened is
        // recognized by its address, without comparing names.
        let key = std::ptr::from_ref(spec) as usize;
        if let Some((k, index)) = self.last_spec {
            if k == key {
                return Some(Ok(index));
            }
        }
        if let Some((_, r)) = self.opened.iter().find(|(n, _)| *n == spec.name) {
            if let Ok(index) = r {
                // A name, once opened, keeps its supplier.
                self.last_spec = Some((key, *index));
            }
            if r.is_ok() || !retry {
                return Some(r.clone());
            }
        }
        let result = Library::open(spec.name, spec.candidates).map(|library| {
            let index = self.suppliers.len() as u32;
            self.suppliers.push(Supplier {
                name: spec.name.to_owned(),
                source: Source::Owned(library),
                late: false,
            });
            index
        });
        match self.opened.iter_mut().find(|(n, _)| *n == spec.name) {
            Some(slot) => slot.1 = result.clone(),
            None => self.opened.push((spec.name, result.clone())),
        }
        if let Ok(index) = result {
            self.last_spec = Some((key, index));
        }
        Some(result)
    }

    /// Looks `decl` up everywhere it may be: its own library, the global
    /// scope, then the later libraries that serve it. On failure, every place
    /// tried and why.
    pub(crate) fn lookup(
        &mut self,
        decl: &'static Decl,
        retry: bool,
    ) -> Result<(usize, u32), Vec<String>> {
        let mut attempts = Vec::new();
        let mut own = None;
        match self.open_spec(decl, retry) {
            Some(Ok(index)) => {
                own = Some(index);
                let s = &self.suppliers[index as usize];
                if let Some(p) = s.source.library().symbol(decl.symbol()) {
                    return Ok((p.as_ptr() as usize, index));
                }
                attempts.push(format!(
                    "library \"{}\" at {}: no such symbol",
                    s.name,
                    s.source.library().path()
                ));
            }
            Some(Err(e)) => attempts.push(e.to_string()),
            None => {}
        }
        if let Some(p) = Library::global().symbol(decl.symbol()) {
            return Ok((p.as_ptr() as usize, 1));
        }
        attempts.push("the process's global scope (the program, libc and libraries loaded RTLD_GLOBAL): no such symbol".to_owned());
        for (index, s) in self.suppliers.iter().enumerate().skip(2) {
            if Some(index as u32) == own || !serves(s, decl) {
                continue;
            }
            if let Some(p) = s.source.library().symbol(decl.symbol()) {
                return Ok((p.as_ptr() as usize, index as u32));
            }
            attempts.push(format!(
                "library \"{}\" loaded at run time from {}: no such symbol",
                s.name,
                s.source.library().path()
            ));
        }
        Err(attempts)
    }

    /// The name and file of a supplier, for introspection.
    pub(crate) fn supplier_info(&self, index: u32) -> Option<(String, String)> {
        if index == super::SUPPLIER_HOOK {
            return Some(("<failure hook>".to_owned(), String::new()));
        }
        let s = self.suppliers.get(index as usize).filter(|_| index != 0)?;
        Some((s.name.clone(), s.source.library().path().to_owned()))
    }
}

/// Where a probed symbol is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbedSymbol {
    /// Its address.
    pub address: usize,
    /// The name of the library that has it (`"<global scope>"` for the
    /// program, libc and everything loaded `RTLD_GLOBAL`).
    pub library: String,
}

/// Whether `symbol` is available right now, without side effects (SBCL's
/// `find-foreign-symbol-address`): nothing is added to the table, no library
/// is opened, no slot changes. It searches the global scope and every library
/// the table has already opened.
pub fn probe(symbol: &str) -> Option<ProbedSymbol> {
    let name = std::ffi::CString::new(symbol).ok()?;
    if let Some(p) = Library::global().symbol(&name) {
        return Some(ProbedSymbol {
            address: p.as_ptr() as usize,
            library: "<global scope>".to_owned(),
        });
    }
    let t = super::lock();
    t.suppliers.iter().skip(2).find_map(|s| {
        s.source.library().symbol(&name).map(|p| ProbedSymbol {
            address: p.as_ptr() as usize,
            library: s.name.clone(),
        })
    })
}
