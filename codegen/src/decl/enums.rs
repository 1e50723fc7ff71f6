//! `define_c_enum!` (Larceny's `define-gtk-enum`): Rust enums whose variants
//! stand for C integer constants.
//!
//! ```text
//! define_c_enum! {
//!     /// zlib's flush values.
//!     #[repr(c_int)]
//!     pub enum Flush { NoFlush = 0, SyncFlush = 2, Finish = 4 }
//! }
//! ```
//!
//! The Rust enum has no discriminants of its own: the C values live in the
//! conversions, so any constant expression of the C type works (`= Z_OK`,
//! `= -1`). A value C returns that no variant has is an error, never UB. When
//! several variants share a value, converting from C gives the first.

use super::report::Errors;
use super::ty::{classify, Ty};
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Fields, ItemEnum, Type};

struct Block {
    enums: Vec<ItemEnum>,
}

impl Parse for Block {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut enums = Vec::new();
        while !input.is_empty() {
            enums.push(input.parse()?);
        }
        Ok(Block { enums })
    }
}

fn repr_of(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> TokenStream {
    let mut repr = None;
    attrs.retain(|a| {
        if a.path().is_ident("repr") {
            match a.parse_args::<Type>() {
                Ok(t) => repr = Some(t),
                Err(e) => errors.push(e),
            }
            false
        } else {
            true
        }
    });
    match repr {
        None => quote!(::core::ffi::c_int),
        Some(t) => match classify(&t, errors) {
            Some(Ty::Prim { rust, .. }) if !is_float(&t) => rust,
            Some(_) => {
                errors.error(
                    &t,
                    "a C enum's representation is an integer type (`c_int`, `u32`, ...)",
                );
                quote!(::core::ffi::c_int)
            }
            None => quote!(::core::ffi::c_int),
        },
    }
}

fn is_float(t: &Type) -> bool {
    let s = quote!(#t).to_string();
    matches!(
        s.as_str(),
        "f32" | "f64" | "c_float" | "c_double" | "real" | "short_real" | "bool" | "boolean"
    )
}

/// Expands `define_c_enum!`.
pub fn expand(input: TokenStream) -> TokenStream {
    let block: Block = match syn::parse2(input) {
        Ok(b) => b,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let mut out = Vec::new();
    for mut item in block.enums {
        let repr = repr_of(&mut item.attrs, &mut errors);
        let header_check = super::checked::take_enum(&mut item, &mut errors);
        if !item.generics.params.is_empty() {
            errors.error(&item.generics, "a C enum cannot be generic");
            continue;
        }
        let mut names = Vec::new();
        let mut values: Vec<Expr> = Vec::new();
        for v in &mut item.variants {
            if !matches!(v.fields, Fields::Unit) {
                errors.error(&v.fields, "a C enum's variants carry no data");
                continue;
            }
            match v.discriminant.take() {
                Some((_, e)) => values.push(e),
                None => {
                    errors.error(
                        &v.ident,
                        format_args!(
                            "variant `{}` needs its C value: `{} = <value>`",
                            v.ident, v.ident
                        ),
                    );
                    continue;
                }
            }
            names.push(v.ident.clone());
        }
        if names.is_empty() {
            errors.error(&item.ident, "a C enum needs at least one variant");
            continue;
        }
        let ident = &item.ident;
        let type_name = ident.to_string();
        let name_strs: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let header_check = header_check.map(|c| c.emit(ident, &names, &values));
        out.push(quote! {
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #item
            #[allow(clippy::all)]
            impl #ident {
                /// The C value of this variant.
                pub const fn to_c(self) -> #repr {
                    match self { #(#ident::#names => { const V: #repr = #values; V })* }
                }
                /// The variant for a C value, if any.
                pub fn from_c(value: #repr) -> ::core::option::Option<Self> {
                    #(if value == { const V: #repr = #values; V } { return ::core::option::Option::Some(#ident::#names); })*
                    ::core::option::Option::None
                }
            }
            impl ::alien::CEnum for #ident {
                type Repr = #repr;
                const VARIANTS: &'static [(&'static str, Self)] = &[#((#name_strs, #ident::#names)),*];
                fn to_c(self) -> #repr { #ident::to_c(self) }
                fn from_c_value(value: #repr) -> ::core::option::Option<Self> { #ident::from_c(value) }
            }
            impl ::alien::IntoC for #ident {
                type C = #repr;
                #[inline]
                fn into_c(self) -> #repr { #ident::to_c(self) }
            }
            impl ::alien::FromC for #ident {
                type C = #repr;
                #[inline]
                fn from_c(c: #repr) -> ::core::result::Result<Self, ::alien::MarshalError> {
                    #ident::from_c(c).ok_or(::alien::MarshalError::UnknownEnumValue { type_name: #type_name, value: c as i128 })
                }
            }
            #header_check
        });
    }
    if let Err(tokens) = errors.finish() {
        return tokens;
    }
    out.into_iter().collect()
}
