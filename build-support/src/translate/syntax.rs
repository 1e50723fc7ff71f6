//! Reading bindgen's items: names, doc comments and link names out of syn's
//! trees.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Attribute, Expr, Ident, Lit, Meta, Type};

/// The one-segment name of `t` (`c_int`, `z_stream`), if it is one.
pub(super) fn single_name(t: &Type) -> Option<String> {
    match t {
        Type::Path(p)
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1 =>
        {
            let s = &p.path.segments[0];
            s.arguments.is_none().then(|| s.ident.to_string())
        }
        _ => None,
    }
}

/// The lines of the doc comments in `attrs`, without trailing blank lines.
pub(super) fn docs(attrs: &[Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for a in attrs {
        if !a.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(l) = &nv.value {
                if let Lit::Str(s) = &l.lit {
                    out.extend(s.value().lines().map(|l| l.trim_end().to_owned()));
                }
            }
        }
    }
    // Trailing blank lines say nothing.
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out
}

/// The C symbol of `#[link_name = "..."]` in `attrs`, if bindgen wrote one.
pub(super) fn link_name(attrs: &[Attribute]) -> Option<String> {
    for a in attrs {
        if !a.path().is_ident("link_name") {
            continue;
        }
        if let Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(l) = &nv.value {
                if let Lit::Str(s) = &l.lit {
                    return Some(s.value().trim_start_matches('\u{1}').to_owned());
                }
            }
        }
    }
    None
}

/// `name` as an identifier: raw (`r#type`) when it is a keyword.
pub(super) fn ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new_raw(name, Span::call_site()))
}

/// The names of `f`'s parameters, in order.
pub(super) fn param_names(f: &syn::ForeignItemFn) -> Vec<String> {
    f.sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => Some(pt.pat.to_token_stream().to_string()),
            _ => None,
        })
        .collect()
}
