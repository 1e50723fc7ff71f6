//! The `prototypes` description: each function's C prototype as a
//! declaration (the bare block's own, re-exported, or a prototype-only one),
//! the variables' types, the constants re-exported and the structs' layouts,
//! which hand-written declarations are checked against.

use super::enums::CEnums;
use super::syntax::{docs, ident};
use super::Translation;
use crate::helpers::HELPERS;
use crate::print::ty_str;
use proc_macro2::Span;
use std::fmt::Write as _;
use syn::{ForeignItemFn, Ident, ReturnType, Type};

/// One function's C prototype.
pub(super) struct Prototype {
    /// The function's doc comment lines.
    docs: Vec<String>,
    /// The C symbol.
    c_name: String,
    /// `unsafe extern "C" fn(..) -> ..`, printed, in the C view (C enums
    /// as their integer type).
    ty: String,
}

impl Prototype {
    /// The C view of `f`, whose symbol is `c_name`.
    pub(super) fn of(f: &ForeignItemFn, c_name: &str, enums: &CEnums) -> Prototype {
        let mut c_fn = syn::TypeBareFn {
            lifetimes: None,
            unsafety: Some(Default::default()),
            abi: Some(syn::Abi {
                extern_token: Default::default(),
                name: Some(syn::LitStr::new("C", Span::call_site())),
            }),
            fn_token: Default::default(),
            paren_token: Default::default(),
            inputs: f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(pt) => Some(syn::BareFnArg {
                        attrs: Vec::new(),
                        name: match &*pt.pat {
                            syn::Pat::Ident(i) => Some((i.ident.clone(), Default::default())),
                            _ => None,
                        },
                        ty: (*pt.ty).clone(),
                    }),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect(),
            variadic: f.sig.variadic.as_ref().map(|_| syn::BareVariadic {
                attrs: Vec::new(),
                name: None,
                dots: Default::default(),
                comma: None,
            }),
            output: match &f.sig.output {
                ReturnType::Type(_, t) if !matches!(**t, Type::Never(_)) => f.sig.output.clone(),
                _ => ReturnType::Default,
            },
        };
        enums.c_view_fn(&mut c_fn);
        Prototype {
            docs: docs(&f.attrs),
            c_name: c_name.to_owned(),
            ty: ty_str(&Type::BareFn(c_fn)),
        }
    }
}

impl Translation<'_> {
    /// Appends the description, `pub mod <module>`, to `out`; `headers`
    /// names the headers it describes.
    pub(super) fn render_prototypes(&self, out: &mut String, module: &str, headers: &str) {
        let m = ident(module);
        // Written as text (the items are one line each): building syn items
        // and pretty-printing them cost more than the rest of the translation.
        //
        // The functions of the bare block are their own prototypes: the glob
        // re-exports them (with the types and constants). Every other
        // function gets a prototype-only declaration here, which shadows the
        // glob's wrapper of the same name; it is linked to a symbol that
        // does not exist, so that calling it is a link error, not a call.
        let mut body = String::from("pub use super::*;\n");
        // (Without declarations, nothing is re-exported: every prototype is
        // declared here.)
        let bare: std::collections::HashSet<&str> = self
            .decls
            .iter()
            .filter(|d| d.bare && self.opts.declarations)
            .map(|d| d.name.as_str())
            .collect();
        let own: Vec<&Prototype> = self
            .prototypes
            .iter()
            .filter(|p| !bare.contains(p.c_name.as_str()))
            .collect();
        if !own.is_empty() {
            body.push_str("unsafe extern \"C-unwind\" {\n");
            for p in own {
                for line in &p.docs {
                    let _ = writeln!(body, "    ///{line}");
                }
                let _ = writeln!(
                    body,
                    "    #[link_name = \"__alien_prototype_only__{}\"]",
                    p.c_name
                );
                let sig = p.ty.strip_prefix("unsafe extern \"C\" fn").unwrap_or(&p.ty);
                let _ = writeln!(body, "    pub fn {}{sig};", ident(&p.c_name));
            }
            body.push_str("}\n");
        }
        for (c_name, t) in &self.var_protos {
            let _ = writeln!(body, "/// The type of C variable `{c_name}`.");
            let _ = writeln!(body, "pub type {} = {};", ident(c_name), ty_str(t));
        }
        let known: Vec<_> = self
            .index
            .layouts
            .iter()
            .filter(|l| l.size > 0 && l.align > 0 && syn::parse_str::<Ident>(&l.name).is_ok())
            .collect();
        if !known.is_empty() {
            body.push_str("/// Struct and union sizes and alignments, as clang laid them out.\n");
            body.push_str("pub mod layout {\n    use super::__alien::Layout;\n");
            for l in known {
                let (n, s, a) = (&l.name, l.size, l.align);
                let _ = writeln!(body, "    /// `{n}`: {s} bytes, aligned to {a}.");
                let _ = writeln!(
                    body,
                    "    pub const {}: Layout = Layout {{ size: {s}, align: {a} }};",
                    ident(n)
                );
            }
            body.push_str("}\n");
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "/// The C prototypes of {headers}, as declarations, to check hand-written"
        );
        let _ = writeln!(
            out,
            "/// declarations against: `#[alien(checked = path::to::{module})]` on a declaration"
        );
        let _ = writeln!(
            out,
            "/// (or `#![alien(checked = ...)]` on a block) makes it a compile error for it to"
        );
        let _ = writeln!(
            out,
            "/// disagree with the header. Constants are re-exported; `layout` gives struct sizes."
        );
        let _ = writeln!(
            out,
            "#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, unused_imports)]"
        );
        let _ = writeln!(out, "pub mod {m} {{");
        for text in [body.as_str(), HELPERS] {
            for line in text.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push_str("}\n");
    }
}
