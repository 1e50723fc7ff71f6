//! Procedural macros of `alien`. Use them through the `alien` crate, which
//! re-exports them and documents them; the work is done by
//! `alien_codegen::decl`, shared with the build-time generator.

use proc_macro::TokenStream;

/// Declares C functions; see the `alien` crate.
#[proc_macro]
pub fn define_c_function(input: TokenStream) -> TokenStream {
    alien_codegen::decl::expand_functions(input.into()).into()
}

/// A typed callable for a C function, as an expression; see the `alien` crate.
#[proc_macro]
pub fn foreign_procedure(input: TokenStream) -> TokenStream {
    alien_codegen::decl::expand_procedure(input.into()).into()
}

/// Declares C global variables; see the `alien` crate.
#[proc_macro]
pub fn define_alien_variable(input: TokenStream) -> TokenStream {
    alien_codegen::decl::expand_variables(input.into()).into()
}

/// Declares Rust enums standing for C integer constants; see the `alien` crate.
#[proc_macro]
pub fn define_c_enum(input: TokenStream) -> TokenStream {
    alien_codegen::decl::expand_enums(input.into()).into()
}

/// Marks a `#[repr(C)]` struct as a type C takes; see the `alien` crate.
#[proc_macro_derive(CStruct)]
pub fn derive_cstruct(input: TokenStream) -> TokenStream {
    alien_codegen::decl::expand_cstruct(input.into()).into()
}
