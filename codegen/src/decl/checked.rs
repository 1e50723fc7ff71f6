//! Declarations checked against a C header at compile time.
//!
//! `alien-build` describes every prototype of a header as a declaration in
//! a module (the bare block's `unsafe extern "C-unwind"` items re-exported,
//! or prototype-only items of the same form), with helper traits in its
//! `__alien` submodule. A declaration marked
//! `#[alien(checked = path::to::that_module)]` (or a block marked
//! `#![alien(checked = ...)]`) expands, besides the declaration, to a
//! function that is never called and that compiles only if the C types the
//! declaration passes agree with the prototype:
//!
//! - the prototype is split into its parameter types by a generic function
//!   taking `unsafe extern "C-unwind" fn(A0, .., An) -> R` with the declaration's
//!   arity (and `...`), so a different arity or variadic-ness is a type
//!   mismatch at the declaration's name;
//! - each C type the declaration passes (after marshalling: `out`/`inout`
//!   as the pointer C receives, strings as `*const c_char`, enums as their
//!   integer type) must implement `Param<H>` for the header's `H`, and the
//!   result `Ret<H>` (checked by `Header<H>::param::<O>()`, with `H` known
//!   before `O` is looked at, so the error is the trait's own message):
//!   an error spanned at that parameter's type.
//!
//! `define_c_enum!` takes `#[alien(checked = path, prefix = "Z_")]`: each
//! variant's value is compared, at compile time, with the header's constant
//! `prefix` + the variant in SCREAMING_SNAKE_CASE (or the variant's
//! `#[alien(c_name = "Z_OK")]`).

use super::attrs::{take_options, AlienArg};
use super::call::CallPlan;
use super::function::Function;
use super::report::Errors;
use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, ItemEnum, LitStr};

/// Gives every token of `tokens` the span `span`, so that an error anywhere
/// in it points there.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => {
                let mut n = Group::new(g.delimiter(), respan(g.stream(), span));
                n.set_span(span);
                TokenTree::Group(n)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// The path of `checked = path`, from a list of taken options.
fn checked_path(args: Vec<AlienArg>, errors: &mut Errors) -> Option<syn::Path> {
    let mut path = None;
    for arg in args {
        match arg {
            AlienArg::Path(_, p) => path = Some(p),
            other => errors.error(
                other.key(),
                "expected `checked = path::to::prototypes` (the module alien-build generated)",
            ),
        }
    }
    path
}

/// Takes `checked = path` out of a declaration's `#[alien(...)]`.
pub fn take_function_path(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Option<syn::Path> {
    let args = take_options(attrs, &["checked"], errors);
    checked_path(args, errors)
}

/// Whether an inner attribute is `#![alien(checked = ...)]` (others are
/// reported as unknown by the block).
pub fn is_block_check(attr: &Attribute) -> bool {
    attr.path().is_ident("alien")
        && attr
            .parse_args_with(
                syn::punctuated::Punctuated::<AlienArg, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|list| list.iter().any(|a| a.key() == "checked"))
}

/// Reads a block's `#![alien(checked = path)]`.
pub fn block_path(attr: &Attribute) -> syn::Result<syn::Path> {
    let mut attrs = vec![attr.clone()];
    let mut errors = Errors::new();
    let path = take_function_path(&mut attrs, &mut errors);
    let rest = attrs.first().map(|a| a.to_token_stream());
    if let Some(rest) = rest {
        return Err(syn::Error::new_spanned(
            rest,
            "a block takes `#![alien(checked = path)]` only; put flags on each declaration",
        ));
    }
    if let Err(tokens) = errors.finish() {
        return Err(syn::Error::new_spanned(tokens, "invalid `#![alien(...)]`"));
    }
    path.ok_or_else(|| syn::Error::new_spanned(attr, "expected `#![alien(checked = path)]`"))
}

fn c_ident(name: &str, span: Span) -> Ident {
    syn::parse_str::<Ident>(name)
        .map(|mut i| {
            i.set_span(span);
            i
        })
        .unwrap_or_else(|_| Ident::new_raw(name, span))
}

/// The compile-time check of `f` against `path::<C name>`.
pub fn function(f: &Function, path: &syn::Path) -> TokenStream {
    let plan = CallPlan::new(f, &quote!(0usize));
    let name_span = f.name.span();
    let proto = c_ident(&f.c_name.value(), name_span);
    let n = f.params.len();
    let gens: Vec<Ident> = (0..n).map(|i| format_ident!("__AlienA{}", i)).collect();
    let dots = if f.variadic { quote!(, ...) } else { quote!() };
    let ret_index = syn::Index::from(n);
    let mut checks = Vec::new();
    for (i, (param, c)) in f.params.iter().zip(&plan.c_params).enumerate() {
        let idx = syn::Index::from(i);
        let span = param.ty.source().span();
        checks.push(respan(quote!(__alien_p.#idx.param::<#c>();), span));
    }
    let ret_span = f.ret.as_ref().map_or(name_span, |r| r.source().span());
    let c_ret = &plan.c_ret;
    checks.push(respan(
        quote!(__alien_p.#ret_index.ret::<#c_ret>();),
        ret_span,
    ));
    let cfgs = &f.cfgs;
    let header_fn = respan(quote!(#path::#proto), name_span);
    let split = quote_spanned! {name_span=>
        let __alien_p = __alien_parts(#header_fn);
    };
    let h = quote!(#path::__alien::Header);
    quote! {
        #(#cfgs)*
        const _: () = {
            #[allow(dead_code, non_snake_case, unused_variables, clippy::all)]
            fn __alien_checked() {
                fn __alien_parts<#(#gens,)* __AlienR>(
                    _: unsafe extern "C-unwind" fn(#(#gens),* #dots) -> __AlienR,
                ) -> (#(#h<#gens>,)* #h<__AlienR>,) {
                    (#(#h::<#gens>::NEW,)* #h::<__AlienR>::NEW,)
                }
                #split
                #(#checks)*
            }
        };
    }
}

/// `#[alien(checked = path, prefix = "Z_")]` of a `define_c_enum!` enum.
pub struct EnumCheck {
    path: syn::Path,
    prefix: String,
    /// `#[alien(c_name = "...")]` of each variant that has one.
    c_names: Vec<(Ident, LitStr)>,
}

/// Takes the check options out of the enum's and its variants' attributes.
pub fn take_enum(item: &mut ItemEnum, errors: &mut Errors) -> Option<EnumCheck> {
    let mut path = None;
    let mut prefix = String::new();
    for arg in take_options(&mut item.attrs, &["checked", "prefix"], errors) {
        match arg {
            AlienArg::Path(k, p) if k == "checked" => path = Some(p),
            AlienArg::Str(k, s) if k == "prefix" => prefix = s.value(),
            other => errors.error(
                other.key(),
                "expected `checked = path::to::prototypes` or `prefix = \"C_PREFIX_\"`",
            ),
        }
    }
    let mut c_names = Vec::new();
    for v in &mut item.variants {
        for arg in take_options(&mut v.attrs, &["c_name"], errors) {
            match arg {
                AlienArg::Str(_, s) => c_names.push((v.ident.clone(), s)),
                other => errors.error(other.key(), "expected `c_name = \"C_CONSTANT\"`"),
            }
        }
    }
    for a in item
        .attrs
        .iter()
        .chain(item.variants.iter().flat_map(|v| &v.attrs))
    {
        if a.path().is_ident("alien") {
            errors.error(
                a,
                "a C enum takes `#[alien(checked = path, prefix = \"...\")]`, and its variants `#[alien(c_name = \"...\")]`",
            );
        }
    }
    if path.is_none() && (!prefix.is_empty() || !c_names.is_empty()) {
        errors.error(
            &item.ident,
            "`prefix` and `c_name` name the header's constants for `checked = path`, which is missing",
        );
    }
    item.attrs.retain(|a| !a.path().is_ident("alien"));
    for v in &mut item.variants {
        v.attrs.retain(|a| !a.path().is_ident("alien"));
    }
    path.map(|path| EnumCheck {
        path,
        prefix,
        c_names,
    })
}

/// `StreamEnd` → `STREAM_END`; a name without lower-case letters stays.
fn screaming(name: &str) -> String {
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        return name.to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

impl EnumCheck {
    /// One compile-time assertion per variant, spanned at the variant.
    pub fn emit(&self, ident: &Ident, names: &[Ident], values: &[Expr]) -> TokenStream {
        let path = &self.path;
        let mut out = TokenStream::new();
        for (name, value) in names.iter().zip(values) {
            let c_name = self.c_names.iter().find(|(v, _)| v == name).map_or_else(
                || format!("{}{}", self.prefix, screaming(&name.to_string())),
                |(_, s)| s.value(),
            );
            let span = name.span();
            let constant = c_ident(&c_name, span);
            let message = format!(
                "`{ident}::{name} = {}` does not match the C header: its `{c_name}` has another value",
                value.to_token_stream()
            );
            out.extend(respan(
                quote! {
                    const _: () = ::core::assert!(
                        (#ident::#name.to_c() as i128) == (#path::#constant as i128),
                        #message
                    );
                },
                span,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::screaming;

    #[test]
    fn screaming_snake_case() {
        assert_eq!(screaming("StreamEnd"), "STREAM_END");
        assert_eq!(screaming("Ok"), "OK");
        assert_eq!(screaming("IOError"), "IO_ERROR");
        assert_eq!(screaming("Utf8Text"), "UTF8_TEXT");
        assert_eq!(screaming("FX_OK"), "FX_OK");
    }
}
