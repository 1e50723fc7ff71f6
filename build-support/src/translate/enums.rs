//! Phase 2: the C enums picked by `c_enum`. Their typedef goes and they are
//! declared with `define_c_enum!`; parameters and results of the enum's type
//! take the Rust enum, and every other use (constants, fields, callbacks, the
//! C view) the integer type.

use super::header::Header;
use super::syntax::{docs, single_name};
use crate::options::Options;
use crate::print::ty_str;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use syn::visit_mut::VisitMut;
use syn::{Ident, Item, Type, TypeBareFn};

/// The C enums made into Rust enums.
pub(super) struct CEnums {
    /// Each enum's integer type, by name.
    pub(super) repr: HashMap<String, Type>,
    /// Each enum's doc comment, by name.
    docs: HashMap<String, Vec<String>>,
    /// Each enum with its variants (Rust name, C constant), the enums in the
    /// order their constants appear.
    list: Vec<(String, Vec<(String, String)>)>,
}

/// Replaces the named types (C enums made into Rust enums) with their
/// integer type, for the C view.
struct ReplaceTypes<'a> {
    map: &'a HashMap<String, Type>,
}

impl VisitMut for ReplaceTypes<'_> {
    fn visit_type_mut(&mut self, t: &mut Type) {
        if let Some(name) = single_name(t) {
            if let Some(repr) = self.map.get(&name) {
                *t = repr.clone();
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, t);
    }
}

impl CEnums {
    /// Finds the enums `opts.c_enums` picks (a typedef of an integer that
    /// typed constants use), removes their typedefs from the header and
    /// gives every use of them in its items and variables the integer type.
    pub(super) fn extract(header: &mut Header, opts: &Options) -> CEnums {
        let items = &mut header.items;
        let mut enum_repr: HashMap<String, Type> = HashMap::new();
        let mut enum_docs: HashMap<String, Vec<String>> = HashMap::new();
        if !opts.c_enums.is_empty() {
            let typed_consts: HashSet<String> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Const(c) => single_name(&c.ty),
                    _ => None,
                })
                .collect();
            for item in items.iter() {
                if let Item::Type(t) = item {
                    let name = t.ident.to_string();
                    if typed_consts.contains(&name)
                        && opts.c_enums.iter().any(|r| r.is_match(&name))
                    {
                        enum_repr.insert(name.clone(), (*t.ty).clone());
                        enum_docs.insert(name, docs(&t.attrs));
                    }
                }
            }
        }
        let mut enums: Vec<(String, Vec<(String, String)>)> = Vec::new();
        if !enum_repr.is_empty() {
            items.retain(
                |i| !matches!(i, Item::Type(t) if enum_repr.contains_key(&t.ident.to_string())),
            );
            let mut names: Vec<&String> = enum_repr.keys().collect();
            names.sort();
            for e in names {
                let prefix = format!("{e}_");
                let variants = items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Const(c) if single_name(&c.ty).as_deref() == Some(e.as_str()) => {
                            let cname = c.ident.to_string();
                            let v = cname
                                .strip_prefix(&prefix)
                                .filter(|v| syn::parse_str::<Ident>(v).is_ok());
                            Some((v.unwrap_or(&cname).to_owned(), cname))
                        }
                        _ => None,
                    })
                    .collect();
                enums.push((e.clone(), variants));
            }
            let mut replace = ReplaceTypes { map: &enum_repr };
            for item in items.iter_mut() {
                replace.visit_item_mut(item);
            }
            for s in &mut header.statics {
                replace.visit_type_mut(&mut s.ty);
            }
        }
        // Sort the enums in the order their constants appear.
        let order: HashMap<String, usize> = header
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| match it {
                Item::Const(c) => Some((c.ident.to_string(), i)),
                _ => None,
            })
            .collect();
        enums.sort_by_key(|(_, vs)| {
            vs.first()
                .and_then(|(_, c)| order.get(c).copied())
                .unwrap_or(usize::MAX)
        });
        CEnums {
            repr: enum_repr,
            docs: enum_docs,
            list: enums,
        }
    }

    /// `t` with every C enum in it replaced by its integer type: the C view.
    pub(super) fn c_view(&self, t: &Type) -> Type {
        let mut t = t.clone();
        ReplaceTypes { map: &self.repr }.visit_type_mut(&mut t);
        t
    }

    /// The C view of a function pointer type, in place.
    pub(super) fn c_view_fn(&self, f: &mut TypeBareFn) {
        ReplaceTypes { map: &self.repr }.visit_type_bare_fn_mut(f);
    }

    /// Whether `t` names a C enum emitted as a `define_c_enum!` enum (a
    /// declaration passing or returning it marshals it).
    pub(super) fn is_kept(&self, t: &Type) -> bool {
        single_name(t).is_some_and(|n| self.repr.contains_key(&n))
    }

    /// A parameter's or result's type: a C enum itself stays the Rust enum;
    /// anything else takes the C view.
    pub(super) fn keep_enum(&self, t: &Type) -> Type {
        if self.is_kept(t) {
            t.clone()
        } else {
            self.c_view(t)
        }
    }

    /// Appends a `define_c_enum!` block for each enum.
    pub(super) fn render(&self, out: &mut String) {
        for (e, variants) in &self.list {
            let repr = &self.repr[e];
            out.push_str("\nalien::define_c_enum! {\n");
            for d in self.docs.get(e).into_iter().flatten() {
                let _ = writeln!(out, "    ///{d}");
            }
            let _ = writeln!(out, "    #[repr({})]", ty_str(repr));
            if variants.iter().any(|(v, _)| {
                v.chars().any(|c| c.is_ascii_uppercase()) && v.contains('_')
                    || v.chars().all(|c| !c.is_ascii_lowercase())
            }) {
                let _ = writeln!(out, "    #[allow(non_camel_case_types)]");
            }
            let _ = writeln!(out, "    pub enum {e} {{");
            for (v, c) in variants {
                let _ = writeln!(out, "        {v} = {c},");
            }
            let _ = writeln!(out, "    }}\n}}");
        }
    }
}
