//! Phase 1: bindgen's output parsed, its paths shortened, and its functions
//! and variables split off from the items that stay as bindgen wrote them.

use super::paths::ShortPaths;
use crate::BuildError;
use std::collections::BTreeSet;
use syn::visit_mut::VisitMut;
use syn::{ForeignItem, ForeignItemFn, ForeignItemStatic, Item};

/// bindgen's output, parsed.
pub(super) struct Header {
    /// Types, constants and layout tests: what stays as bindgen wrote it.
    pub(super) items: Vec<Item>,
    /// The functions, to declare.
    pub(super) functions: Vec<ForeignItemFn>,
    /// The global variables, to declare.
    pub(super) statics: Vec<ForeignItemStatic>,
    /// The C type names the file uses (imported from `core::ffi`).
    pub(super) c_names: BTreeSet<&'static str>,
}

impl Header {
    /// Parses bindgen's output and shortens its paths; functions and
    /// variables leave the item list, everything else stays.
    pub(super) fn parse(raw: &str) -> Result<Header, BuildError> {
        let file = syn::parse_file(raw).map_err(|source| BuildError::Output { source })?;
        let mut file_items = file.items;
        let mut short = ShortPaths::default();
        for item in &mut file_items {
            short.visit_item_mut(item);
        }

        let mut functions: Vec<ForeignItemFn> = Vec::new();
        let mut statics: Vec<ForeignItemStatic> = Vec::new();
        let mut items: Vec<Item> = Vec::new();
        for item in file_items {
            match item {
                Item::ForeignMod(m) => {
                    for fi in m.items {
                        match fi {
                            ForeignItem::Fn(f) => functions.push(f),
                            ForeignItem::Static(s) => statics.push(s),
                            _ => {}
                        }
                    }
                }
                other => items.push(other),
            }
        }
        Ok(Header {
            items,
            functions,
            statics,
            c_names: short.used,
        })
    }
}
