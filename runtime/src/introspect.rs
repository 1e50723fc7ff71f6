//! Iterating the linkage table.

use crate::decl::{BindState, Decl, SymbolKind};

/// One row of the linkage table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkageInfo {
    /// The C symbol.
    pub symbol: String,
    /// The Rust name (`"<run time>"` for [`ensure_linkage`](crate::ensure_linkage) entries).
    pub rust_name: &'static str,
    /// The module it was declared in.
    pub module_path: &'static str,
    /// The library the declaration names.
    pub library: Option<&'static str>,
    /// Function or variable.
    pub kind: SymbolKind,
    /// Bound or waiting.
    pub state: BindState,
    /// The resolved address (the function's or variable's), when bound.
    pub address: Option<usize>,
    /// The name of the library that supplied it (`"<global scope>"`,
    /// `"<failure hook>"`, or the declared/loaded library's name).
    pub supplier: Option<String>,
    /// The file of that library.
    pub supplier_path: Option<String>,
}

impl LinkageInfo {
    fn of(decl: &'static Decl, t: &crate::table::Table) -> LinkageInfo {
        let state = decl.state();
        let supplier = t.supplier_info(decl.supplier.load(std::sync::atomic::Ordering::Relaxed));
        LinkageInfo {
            symbol: decl.symbol_str().into_owned(),
            rust_name: decl.rust_name(),
            module_path: decl.module_path(),
            library: decl.library().map(|l| l.name),
            kind: decl.kind(),
            state,
            address: (state == BindState::Bound).then(|| decl.slot() as usize),
            supplier: supplier.as_ref().map(|s| s.0.clone()),
            // The global scope has no single file: ask the loader which
            // object holds the address.
            supplier_path: supplier.map(|s| s.1).filter(|p| !p.is_empty()).or_else(|| {
                (state == BindState::Bound)
                    .then(|| crate::library::object_containing(decl.slot() as usize))
                    .flatten()
                    .map(|o| o.path)
                    .filter(|p| !p.is_empty())
            }),
        }
    }
}

/// Every declaration in the program (and every run-time entry), with its state.
pub fn linkage() -> Vec<LinkageInfo> {
    crate::table::init();
    let t = crate::table::lock();
    t.all_decls().map(|d| LinkageInfo::of(d, &t)).collect()
}

/// The row of one declaration.
pub(crate) fn info_of(decl: &'static Decl) -> LinkageInfo {
    crate::table::init();
    let t = crate::table::lock();
    LinkageInfo::of(decl, &t)
}
