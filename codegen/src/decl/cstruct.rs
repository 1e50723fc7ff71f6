//! `#[derive(CStruct)]`: a `#[repr(C)]` struct C can take by value or
//! through a pointer.

use super::report::Errors;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput};

/// Expands `#[derive(CStruct)]`.
pub fn expand(input: TokenStream) -> TokenStream {
    let item: DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let mut repr_c = false;
    for a in &item.attrs {
        if a.path().is_ident("repr") {
            let _ = a.parse_nested_meta(|m| {
                if m.path.is_ident("C") || m.path.is_ident("transparent") {
                    repr_c = true;
                }
                Ok(())
            });
        }
    }
    if !repr_c {
        errors.error(
            &item.ident,
            format_args!(
                "`{}` must be `#[repr(C)]` for C to take it: Rust's own layout is unspecified",
                item.ident
            ),
        );
    }
    if !item.generics.params.is_empty() {
        errors.error(&item.generics, "a struct passed to C cannot be generic");
    }
    let fields = match &item.data {
        Data::Struct(s) => {
            if s.fields.is_empty() {
                errors.error(
                    &item.ident,
                    "a struct with no fields has size zero, which C does not allow",
                );
            }
            s.fields.iter().map(|f| f.ty.clone()).collect::<Vec<_>>()
        }
        _ => {
            errors.error(
                &item.ident,
                "`CStruct` is for structs; use `define_c_enum!` for C enums",
            );
            Vec::new()
        }
    };
    if let Err(tokens) = errors.finish() {
        return tokens;
    }
    let ident = &item.ident;
    let fields = &fields;
    let checks = fields
        .iter()
        .map(|t| quote_spanned!(t.span()=> __alien_field::<#t>();));
    quote! {
        // SAFETY: `#[repr(C)]` (checked above), every field is `CRepr`
        // (checked below), so the struct has C's layout and zero is valid.
        unsafe impl ::alien::CRepr for #ident {
            fn c_type() -> ::alien::ffi::Type {
                static TYPE: ::std::sync::OnceLock<::alien::ffi::Type> = ::std::sync::OnceLock::new();
                TYPE.get_or_init(|| {
                    ::alien::ffi::Type::structure(::std::vec![#(<#fields as ::alien::CRepr>::c_type()),*])
                        .unwrap_or(::alien::ffi::Type::Void)
                })
                .clone()
            }
        }
        const _: () = {
            fn __alien_field<T: ::alien::CRepr>() {}
            #[allow(dead_code)]
            fn __alien_fields() { #(#checks)* }
        };
        impl ::alien::IntoC for #ident {
            type C = #ident;
            #[inline(always)]
            fn into_c(self) -> #ident { self }
        }
        impl ::alien::FromC for #ident {
            type C = #ident;
            #[inline(always)]
            fn from_c(c: #ident) -> ::core::result::Result<#ident, ::alien::MarshalError> { ::core::result::Result::Ok(c) }
        }
    }
}
