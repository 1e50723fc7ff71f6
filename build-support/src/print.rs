//! Printing types and items of the generated file the way rustfmt would,
//! without a pretty-printer pass per item (the common shapes directly).

use std::fmt::Write as _;
use syn::{ReturnType, Type};

/// Prints a type the way rustfmt would.
pub(crate) fn ty_str(t: &Type) -> String {
    // The common cases directly (paths, pointers, arrays, function pointers):
    // prettyplease costs a file per call.
    fn simple(t: &Type, out: &mut String) -> bool {
        match t {
            Type::Path(p) if p.qself.is_none() => {
                if p.path.leading_colon.is_some() {
                    out.push_str("::");
                }
                for (i, seg) in p.path.segments.iter().enumerate() {
                    if i > 0 {
                        out.push_str("::");
                    }
                    out.push_str(&seg.ident.to_string());
                    match &seg.arguments {
                        syn::PathArguments::None => {}
                        syn::PathArguments::AngleBracketed(a) if a.colon2_token.is_none() => {
                            out.push('<');
                            for (j, arg) in a.args.iter().enumerate() {
                                if j > 0 {
                                    out.push_str(", ");
                                }
                                match arg {
                                    syn::GenericArgument::Type(t) if simple(t, out) => {}
                                    _ => return false,
                                }
                            }
                            out.push('>');
                        }
                        _ => return false,
                    }
                }
                true
            }
            Type::Ptr(p) => {
                out.push_str(if p.mutability.is_some() {
                    "*mut "
                } else {
                    "*const "
                });
                simple(&p.elem, out)
            }
            Type::Array(a) => match &a.len {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    attrs,
                }) if attrs.is_empty() => {
                    out.push('[');
                    if !simple(&a.elem, out) {
                        return false;
                    }
                    let _ = write!(out, "; {}]", n.base10_digits());
                    true
                }
                _ => false,
            },
            Type::Tuple(t) if t.elems.is_empty() => {
                out.push_str("()");
                true
            }
            Type::Paren(p) => simple(&p.elem, out),
            Type::BareFn(f) if f.lifetimes.is_none() => {
                if f.unsafety.is_some() {
                    out.push_str("unsafe ");
                }
                if let Some(abi) = &f.abi {
                    out.push_str("extern ");
                    if let Some(name) = &abi.name {
                        let _ = write!(out, "\"{}\" ", name.value());
                    }
                }
                out.push_str("fn(");
                for (i, arg) in f.inputs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if !arg.attrs.is_empty() {
                        return false;
                    }
                    if let Some((name, _)) = &arg.name {
                        let _ = write!(out, "{name}: ");
                    }
                    if !simple(&arg.ty, out) {
                        return false;
                    }
                }
                if f.variadic.is_some() {
                    out.push_str(if f.inputs.is_empty() { "..." } else { ", ..." });
                }
                out.push(')');
                match &f.output {
                    ReturnType::Default => {}
                    ReturnType::Type(_, t) => {
                        out.push_str(" -> ");
                        if let Type::Never(_) = **t {
                            out.push('!');
                        } else if !simple(t, out) {
                            return false;
                        }
                    }
                }
                true
            }
            _ => false,
        }
    }
    let mut fast = String::new();
    if simple(t, &mut fast) {
        return fast;
    }
    let file: syn::File = syn::parse_quote!(type __T = #t;);
    let s = prettyplease::unparse(&file);
    let s = s.trim();
    let s = s.strip_prefix("type __T = ").unwrap_or(s);
    let s = s.strip_suffix(';').unwrap_or(s);
    // Multi-line types (long fn pointers) become one line.
    let mut one = String::new();
    for (i, line) in s.lines().enumerate() {
        let l = line.trim();
        if i > 0
            && !(one.ends_with('(')
                || one.ends_with('<')
                || l.starts_with(')')
                || l.starts_with('>'))
        {
            one.push(' ');
        }
        one.push_str(l);
    }
    one.replace(",)", ")").replace(",>", ">")
}
