//! `foreign_procedure!` (Larceny's `foreign-procedure`): an expression that
//! yields a typed callable from a C name, argument types and a return type,
//! going through the same linkage table as `define_c_function!`.
//!
//! ```text
//! foreign_procedure!(#[library("m")] "cos", (f64) -> f64)
//! foreign_procedure!(unsafe "strlen", (*const c_char) -> usize)
//! foreign_procedure!("frexp", (f64, out c_int) -> f64)
//! ```

use super::attrs;
use super::call::CallPlan;
use super::emit;
use super::function::{self, Direction, RawFunction, RawParam};
use super::report::Errors;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Type, Visibility};

struct Procedure {
    raw: RawFunction,
}

fn parse_typed_param(input: ParseStream<'_>, index: usize) -> syn::Result<RawParam> {
    let name = format_ident!("a{}", index);
    if input.peek(Token![in]) {
        let kw: Token![in] = input.parse()?;
        return Ok(RawParam {
            dir: Direction::In,
            dir_span: Some(kw.span),
            name,
            ty: input.parse()?,
            len_of: None,
        });
    }
    if input.peek(Ident::peek_any) && !input.peek2(Token![::]) && !input.peek2(Token![<]) {
        let fork = input.fork();
        let word = Ident::parse_any(&fork)?;
        let dir = match word.to_string().as_str() {
            "out" => Some(Direction::Out),
            "inout" => Some(Direction::InOut),
            _ => None,
        };
        if let Some(dir) = dir {
            if !(fork.is_empty() || fork.peek(Token![,])) {
                input.parse::<Ident>()?;
                return Ok(RawParam {
                    dir,
                    dir_span: Some(word.span()),
                    name,
                    ty: input.parse()?,
                    len_of: None,
                });
            }
        }
    }
    let ty: Type = input.parse()?;
    Ok(RawParam {
        dir: Direction::In,
        dir_span: None,
        name,
        ty,
        len_of: None,
    })
}

impl Parse for Procedure {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let unsafety: Option<Token![unsafe]> = input.parse()?;
        let c_name: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        let content;
        syn::parenthesized!(content in input);
        let mut params = Vec::new();
        while !content.is_empty() {
            if content.peek(Token![...]) {
                return Err(content.error(
                    "foreign_procedure! does not take variadic functions: declare one with define_c_function!",
                ));
            }
            params.push(parse_typed_param(&content, params.len())?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        let ret = if input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        let name = Ident::new(
            &format!("foreign_procedure_{}", sanitize(&c_name.value())),
            c_name.span(),
        );
        Ok(Procedure {
            raw: RawFunction {
                attrs,
                vis: Visibility::Inherited,
                unsafety,
                name,
                params,
                variadic: None,
                ret,
                c_name: Some(c_name),
            },
        })
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Expands `foreign_procedure!`.
pub fn expand(input: TokenStream) -> TokenStream {
    let proc: Procedure = match syn::parse2(input) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    let checked = function::check(proc.raw, None, &mut errors);
    if let Err(tokens) = errors.finish() {
        return tokens;
    }
    let Some(f) = checked else { return quote!() };
    let _ = attrs::Flags::default();
    // In the table, a procedure is known by its C name.
    let rust_name = f.c_name.value();
    let symbol = emit::c_string(&f.c_name);
    let (lib_static, lib_expr) = emit::library(f.library.as_ref());
    let flags = f.flags.bits(false);
    let registration = emit::register(quote!(::core::slice::from_ref(&DECL)));
    let plan = CallPlan::new(&f, &quote!(DECL.slot()));
    let CallPlan {
        inputs,
        input_names,
        output,
        body,
        shims,
        ..
    } = &plan;
    let unsafety = if f.unsafety { quote!(unsafe) } else { quote!() };
    quote! {{
        #lib_static
        static DECL: ::alien::__private::Decl = ::alien::__private::Decl::code(
            #symbol, #lib_expr, #flags, #rust_name, ::core::module_path!(),
        );
        #registration
        #[allow(dead_code)]
        fn __alien_shims() { #shims }
        #[inline(always)]
        #[allow(clippy::too_many_arguments, clippy::needless_question_mark, unused_mut)]
        #unsafety fn __alien_call(#(#inputs),*) -> ::core::result::Result<#output, ::alien::CallError> {
            #body
        }
        #[inline]
        #[allow(clippy::too_many_arguments)]
        #unsafety fn __alien_procedure(#(#inputs),*) -> #output {
            #[allow(unused_unsafe)]
            match unsafe { __alien_call(#(#input_names),*) } {
                ::core::result::Result::Ok(v) => v,
                ::core::result::Result::Err(e) => ::alien::__private::fail(e),
            }
        }
        __alien_procedure
    }}
}
