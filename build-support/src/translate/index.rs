//! Phase 3: what the header names. The type namespace (a function whose
//! companion module would clash with a type is renamed `<name>_fn`), its
//! typedefs and structs, the layouts clang gave them, and its constants.

use super::enums::CEnums;
use super::header::Header;
use super::layout::{layout_tests, StructLayout};
use super::types::Types;
use crate::options::Options;
use std::collections::{HashMap, HashSet};
use syn::{Item, Type};

/// The header's names, gathered from its items.
pub(super) struct Index<'h> {
    /// Every name in the type namespace of the generated file.
    pub(super) type_names: HashSet<String>,
    /// Typedefs and structs, to resolve types through.
    pub(super) types: Types<'h>,
    /// Struct and union layouts, in the order bindgen tests them.
    pub(super) layouts: Vec<StructLayout>,
}

impl<'h> Index<'h> {
    /// Gathers the names of `header`'s items (after `enums` took theirs).
    pub(super) fn new(header: &'h Header, enums: &CEnums, opts: &Options) -> Index<'h> {
        let mut type_names: HashSet<String> = HashSet::new();
        let mut struct_names: HashSet<String> = HashSet::new();
        let mut aliases: HashMap<String, &Type> = HashMap::new();
        let mut layouts: Vec<StructLayout> = Vec::new();
        for item in &header.items {
            match item {
                Item::Struct(s) => {
                    type_names.insert(s.ident.to_string());
                    struct_names.insert(s.ident.to_string());
                }
                Item::Union(u) => {
                    type_names.insert(u.ident.to_string());
                }
                Item::Enum(e) => {
                    type_names.insert(e.ident.to_string());
                }
                Item::Type(t) => {
                    type_names.insert(t.ident.to_string());
                    aliases.insert(t.ident.to_string(), &t.ty);
                }
                Item::Mod(m) => {
                    type_names.insert(m.ident.to_string());
                }
                Item::Const(c) if c.ident == "_" => layout_tests(c, &mut layouts),
                _ => {}
            }
        }
        type_names.extend(enums.repr.keys().cloned());
        if let Some(m) = &opts.prototypes {
            type_names.insert(m.clone());
        }
        Index {
            type_names,
            types: Types {
                aliases,
                structs: struct_names,
            },
            layouts,
        }
    }
}
