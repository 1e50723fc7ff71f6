//! `define_alien_variable!`: C globals reached through a `ref` slot.
//!
//! ```text
//! define_alien_variable! {
//!     #![library("fixture")]
//!     /// The fixture's counter.
//!     pub static counter: c_int;
//!     pub static version_number: c_long = "fixture_version";
//! }
//! ```

use super::attrs::{self, LibraryAttr};
use super::emit;
use super::report::Errors;
use super::ty::{classify, Position, Ty};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Token, Type, Visibility};

struct RawVariable {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    ty: Type,
    c_name: Option<LitStr>,
}

impl Parse for RawVariable {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![static]>()?;
        if input.peek(Token![mut]) {
            return Err(input.error("leave out `mut`: access goes through `get`/`set`"));
        }
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        let c_name = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        Ok(RawVariable {
            attrs,
            vis,
            name,
            ty,
            c_name,
        })
    }
}

struct Block {
    library: Option<LibraryAttr>,
    items: Vec<RawVariable>,
}

impl Parse for Block {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut library = None;
        for attr in input.call(Attribute::parse_inner)? {
            if !attr.path().is_ident("library") {
                return Err(syn::Error::new_spanned(
                    attr,
                    "unknown inner attribute; a block takes `#![library(\"name\")]`",
                ));
            }
            library = Some(attr.parse_args()?);
        }
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Block { library, items })
    }
}

/// Expands `define_alien_variable!`.
pub fn expand(input: TokenStream) -> TokenStream {
    let block: Block = match syn::parse2(input) {
        Ok(b) => b,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for v in block.items {
        let n = v.name.to_string();
        if names.contains(&n) {
            errors.error(
                &v.name,
                format_args!("duplicate declaration `{n}` in this block"),
            );
        }
        names.push(n);
        let item = attrs::split(v.attrs, &mut errors);
        if item.flags.inline.is_some() || item.flags.errno || item.flags.no_callbacks {
            let span = item.flags.first.unwrap_or_else(|| v.name.span());
            errors.push(syn::Error::new(
                span,
                "`#[alien(...)]` flags apply to functions, not variables",
            ));
        }
        let Some(ty) = classify(&v.ty, &mut errors) else {
            continue;
        };
        let rust_ty = match &ty {
            Ty::Prim { .. } | Ty::RawPtr(_) | Ty::FnPtr(_) | Ty::User(_) => {
                ty.rust_type(Position::Return)
            }
            _ => {
                errors.error(
                    &v.ty,
                    "a C variable holds a C value: declare a `*const c_char` (or another raw pointer) instead of a \
                     marshalled string or slice type",
                );
                continue;
            }
        };
        let c_name = v
            .c_name
            .unwrap_or_else(|| LitStr::new(&v.name.to_string(), v.name.span()));
        if c_name.value().is_empty() || c_name.value().contains('\0') {
            errors.error(
                &c_name,
                "the C name must be non-empty and free of NUL bytes",
            );
            continue;
        }
        let library = item.library.or_else(|| block.library.clone());
        let (lib_static, lib_expr) = emit::library(library.as_ref());
        let symbol = emit::c_string(&c_name);
        let name = &v.name;
        let vis = &v.vis;
        let attrs = &item.other;
        let cfgs = &item.cfgs;
        let rust_name = name.to_string();
        let registration = emit::register(quote!(::core::slice::from_ref(&#name.decl)));
        let span = v.ty.span();
        let shim = quote_spanned!(span=> fn __alien_check<T: ::alien::__private::CRepr>() {} __alien_check::<#rust_ty>(););
        out.push(quote! {
            #(#cfgs)*
            #(#attrs)*
            #[allow(non_upper_case_globals)]
            #vis static #name: ::alien::Variable<#rust_ty> = {
                #lib_static
                ::alien::Variable::__new(::alien::__private::Decl::data(
                    #symbol, #lib_expr, #rust_name, ::core::module_path!(),
                ))
            };
            #(#cfgs)*
            const _: () = {
                #registration
                #[allow(dead_code)]
                fn __alien_shims() { #shim }
            };
        });
    }
    if let Err(tokens) = errors.finish() {
        return tokens;
    }
    out.into_iter().collect()
}
