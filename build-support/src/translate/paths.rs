//! Shortening bindgen's absolute paths to the names the generated file
//! imports (`::core::ffi::c_int` → `c_int`).

use alien_codegen::decl::ty::C_ALIASES;
use std::collections::BTreeSet;
use syn::visit_mut::VisitMut;
use syn::TypePath;

/// C type names imported from `core::ffi` at the top of the file: the ones
/// declarations take as they are, and `c_void`.
fn c_names() -> impl Iterator<Item = &'static str> {
    C_ALIASES.iter().copied().chain(["c_void"])
}

/// `::core::ffi::c_int` → `c_int`, `::core::option::Option` → `Option`,
/// recording which C names were used.
#[derive(Default)]
pub(super) struct ShortPaths {
    /// The C names shortened, to import.
    pub(super) used: BTreeSet<&'static str>,
}

impl VisitMut for ShortPaths {
    fn visit_type_path_mut(&mut self, tp: &mut TypePath) {
        syn::visit_mut::visit_type_path_mut(self, tp);
        if tp.qself.is_some() || tp.path.leading_colon.is_none() {
            return;
        }
        let segs = &tp.path.segments;
        let root = |i: usize| segs[i].ident == "core" || segs[i].ident == "std";
        let c_name = |seg: &syn::PathSegment| c_names().find(|n| seg.ident == n);
        let short = match segs.len() {
            3 if root(0) && segs[1].ident == "ffi" => c_name(&segs[2]).map(Some),
            4 if root(0) && segs[1].ident == "os" && segs[2].ident == "raw" => {
                c_name(&segs[3]).map(Some)
            }
            3 if root(0) && segs[1].ident == "option" && segs[2].ident == "Option" => Some(None),
            _ => None,
        };
        if let Some(used) = short {
            if let Some(n) = used {
                self.used.insert(n);
            }
            if let Some(last) = tp.path.segments.pop() {
                tp.path.leading_colon = None;
                tp.path.segments = std::iter::once(last.into_value()).collect();
            }
        }
    }
}
