//! Tokens shared by every kind of declaration: the library spec, the C-string
//! symbol, and the registration in the link-time registry.

use super::attrs::LibraryAttr;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::ffi::CString;
use syn::LitStr;

/// `c"name"` for a symbol (checked free of NUL bytes beforehand).
pub fn c_string(name: &LitStr) -> TokenStream {
    let value = name.value().replace('\0', "");
    match CString::new(value) {
        Ok(c) => {
            let mut lit = Literal::c_string(&c);
            lit.set_span(name.span());
            quote!(#lit)
        }
        Err(_) => quote!(c""),
    }
}

/// `static #ident: LibrarySpec = ...;` for `lib`.
pub fn library_static(ident: &Ident, lib: &LibraryAttr) -> TokenStream {
    let (name, candidates) = (&lib.name, &lib.candidates);
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, dead_code)]
        static #ident: ::alien::__private::LibrarySpec =
            ::alien::__private::LibrarySpec { name: #name, candidates: &[#(#candidates),*] };
    }
}

/// `static __ALIEN_LIB: LibrarySpec = ...;` and the expression naming it.
pub fn library(lib: Option<&LibraryAttr>) -> (TokenStream, TokenStream) {
    match lib {
        None => (quote!(), quote!(::core::option::Option::None)),
        Some(l) => (
            library_static(&Ident::new("__ALIEN_LIB", Span::call_site()), l),
            quote!(::core::option::Option::Some(&__ALIEN_LIB)),
        ),
    }
}

/// Registers `decls` (an expression of type `&'static [Decl]`: a block's
/// array, or one record as a slice) in the link-time registry.
pub fn register(decls: TokenStream) -> TokenStream {
    quote! {
        #[::alien::__private::linkme::distributed_slice(::alien::__private::LINKAGE)]
        #[linkme(crate = ::alien::__private::linkme)]
        static __ALIEN_REGISTRATION: &'static [::alien::__private::Decl] = #decls;
    }
}
