//! `define_c_function!`: parse the block, check every declaration, emit.

use super::attrs::LibraryAttr;
use super::call::CallPlan;
use super::emit;
use super::function::{self, Function, RawFunction};
use super::report::Errors;
use proc_macro2::Ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Visibility};

/// The macro's input: inner attributes, then declarations.
pub struct Block {
    /// `#![library(...)]`: the default library of the block.
    pub library: Option<LibraryAttr>,
    /// Declarations.
    pub functions: Vec<RawFunction>,
    /// Errors found while reading the inner attributes.
    pub attr_errors: Vec<syn::Error>,
    /// `#![alien(checked = path)]`: every declaration is checked against
    /// the header prototypes in `path` (see `checked`).
    pub checked: Option<syn::Path>,
}

impl Parse for Block {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let inner = input.call(Attribute::parse_inner)?;
        let mut library = None;
        let mut attr_errors = Vec::new();
        let mut checked = None;
        for attr in inner {
            if attr.path().is_ident("library") {
                match attr.parse_args::<LibraryAttr>() {
                    Ok(_) if library.is_some() => attr_errors.push(syn::Error::new_spanned(
                        &attr,
                        "duplicate `#![library]`: a block has one default library (put `#[library(...)]` on a \
                         declaration that needs another)",
                    )),
                    Ok(l) => library = Some(l),
                    Err(e) => attr_errors.push(e),
                }
            } else if super::checked::is_block_check(&attr) {
                match super::checked::block_path(&attr) {
                    Ok(p) => checked = Some(p),
                    Err(e) => attr_errors.push(e),
                }
            } else {
                attr_errors.push(syn::Error::new_spanned(
                    &attr,
                    "unknown inner attribute; a block takes `#![library(\"name\")]`, `#![alien(checked = path)]` and `#![alien(bare)]`",
                ));
            }
        }
        let mut functions = Vec::new();
        while !input.is_empty() {
            functions.push(input.parse()?);
        }
        Ok(Block {
            library,
            functions,
            attr_errors,
            checked,
        })
    }
}

/// Expands `define_c_function!`.
pub fn expand(input: TokenStream) -> TokenStream {
    if super::bare::is_bare(&input) {
        return super::bare::expand(input);
    }
    let block: Block = match syn::parse2(input) {
        Ok(b) => b,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::new();
    for e in block.attr_errors {
        errors.push(e);
    }
    let mut names = std::collections::HashSet::new();
    let mut checked = Vec::new();
    let mut header_checks = Vec::new();
    for mut raw in block.functions {
        let name = raw.name.to_string();
        if !names.insert(name.clone()) {
            errors.error(
                &raw.name,
                format_args!("duplicate declaration `{name}` in this block"),
            );
        }
        let header = super::checked::take_function_path(&mut raw.attrs, &mut errors)
            .or_else(|| block.checked.clone());
        if let Some(f) = function::check(raw, block.library.as_ref(), &mut errors) {
            header_checks.push(header.map(|p| super::checked::function(&f, &p)));
            checked.push(f);
        }
    }
    if let Err(tokens) = errors.finish() {
        return tokens;
    }
    // One library record for the block, shared by every declaration that
    // names the block's library (binding opens each library once per record).
    let mut out = TokenStream::new();
    let shared = match (&block.library, checked.first()) {
        (Some(lib), Some(first)) => {
            let ident = hidden(&first.name, "library");
            out.extend(emit::library_static(&ident, lib));
            Some((lib, ident))
        }
        _ => None,
    };
    // The records: one array for the block, in declaration order (so the
    // records of neighbouring declarations are neighbours in memory), and a
    // static of its own for each declaration under `#[cfg]`.
    let array = checked.first().map(|first| hidden(&first.name, "decls"));
    let mut records = Vec::new();
    for f in &checked {
        let same = shared
            .as_ref()
            .filter(|(lib, _)| f.library.as_ref().is_some_and(|l| same_library(l, lib)))
            .map(|(_, ident)| ident);
        let lib_expr = match (same, &f.library) {
            (Some(ident), _) => quote!(::core::option::Option::Some(&#ident)),
            (None, Some(l)) => {
                // Not `_library`: that is the block's, named after the first declaration.
                let ident = hidden(&f.name, "own_library");
                let cfgs = &f.cfgs;
                let spec = emit::library_static(&ident, l);
                out.extend(quote!(#(#cfgs)* #spec));
                quote!(::core::option::Option::Some(&#ident))
            }
            (None, None) => quote!(::core::option::Option::None),
        };
        let symbol = emit::c_string(&f.c_name);
        let rust_name = f.name.to_string();
        let flags = f.flags.bits(f.variadic);
        let record = quote! {
            ::alien::__private::Decl::code(#symbol, #lib_expr, #flags, #rust_name, ::core::module_path!())
        };
        let decl_path = if f.cfgs.is_empty() {
            let index = records.len();
            records.push(record);
            quote!(&super::#array[#index])
        } else {
            let ident = hidden(&f.name, "decl");
            let cfgs = &f.cfgs;
            let registration = emit::register(quote!(::core::slice::from_ref(&#ident)));
            out.extend(quote! {
                #(#cfgs)*
                #[doc(hidden)]
                #[allow(non_upper_case_globals)]
                static #ident: ::alien::__private::Decl = #record;
                #(#cfgs)*
                const _: () = { #registration };
            });
            quote!(&super::#ident)
        };
        out.extend(emit_function(f, &decl_path));
    }
    if let (Some(array), false) = (&array, records.is_empty()) {
        let len = records.len();
        let registration = emit::register(quote!(&#array));
        out.extend(quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            static #array: [::alien::__private::Decl; #len] = [#(#records),*];
            const _: () = { #registration };
        });
    }
    out.extend(header_checks.into_iter().flatten());
    out
}

/// Whether two library attributes name the same library the same way.
fn same_library(a: &LibraryAttr, b: &LibraryAttr) -> bool {
    a.name.value() == b.name.value()
        && a.candidates.len() == b.candidates.len()
        && a.candidates
            .iter()
            .zip(&b.candidates)
            .all(|(x, y)| quote!(#x).to_string() == quote!(#y).to_string())
}

/// The doc line describing the C side.
fn c_doc(f: &Function) -> String {
    let lib = match &f.library {
        Some(l) => format!("library `{}`", l.name.value()),
        None => "the process's global scope".to_owned(),
    };
    format!(
        "\n\nCalls C `{}` from {lib} through alien's linkage table. \
         Companion items (`try_call`, `entry`, `is_resolved`, `info`) are in the module of the same name.",
        f.c_name.value()
    )
}

/// The visibility of a re-export inside the companion module that reaches as
/// far as `vis` does from the declaring module (one module further down).
fn inner_vis(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Public(_) => quote!(pub),
        Visibility::Inherited => quote!(pub(super)),
        Visibility::Restricted(r) => {
            let path = &r.path;
            let first = path.segments.first().map(|s| s.ident.to_string());
            match first.as_deref() {
                _ if path.leading_colon.is_some() => quote!(#vis),
                Some("crate") => quote!(#vis),
                Some("self") => {
                    let rest = path.segments.iter().skip(1);
                    quote!(pub(in super #(:: #rest)*))
                }
                Some("super") => quote!(pub(in super::#path)),
                _ => quote!(#vis),
            }
        }
    }
}

/// The name of a hidden item of declaration `name` at the declaring scope.
fn hidden(name: &Ident, what: &str) -> Ident {
    format_ident!("__alien_{}_{}", name, what)
}

/// One declaration: the wrapper and the hidden items that spell the user's
/// types at the declaring scope, and the companion module, which re-exports
/// them by name. (The module does not glob-import its parent: with N
/// declarations in one scope that made name resolution O(N²).)
fn emit_function(f: &Function, decl_path: &TokenStream) -> TokenStream {
    let name = &f.name;
    let vis = &f.vis;
    let attrs = &f.attrs;
    let cfgs = &f.cfgs;
    let rust_name = name.to_string();
    let plan = CallPlan::new(f, &quote!(#name::DECL.slot()));
    let CallPlan {
        inputs,
        input_names,
        c_params,
        c_ret,
        output,
        body,
        shims,
        ..
    } = &plan;
    let unsafety = if f.unsafety { quote!(unsafe) } else { quote!() };
    let variadic_sig = if f.variadic { quote!(, ...) } else { quote!() };
    let (generics, va_input, va_name) = if f.variadic {
        (
            quote!(<__AlienVarArgs: ::alien::VarArgs<(#(#c_params,)*), #c_ret>>),
            quote!(, __alien_va: __AlienVarArgs),
            quote!(, __alien_va),
        )
    } else {
        (quote!(), quote!(), quote!())
    };
    let inline = if f.flags.inline.is_some() {
        quote!(#[inline(always)])
    } else {
        quote!(#[inline])
    };
    let doc = c_doc(f);
    let inner = inner_vis(vis);
    let cfn = hidden(name, "CFn");
    let sig_span = f.sig_span();
    let cfn_t = quote_spanned!(sig_span=> CFn);
    let c_args = quote_spanned!(sig_span=> (#(#c_params,)*));
    let try_call = hidden(name, "try_call");
    let call = hidden(name, "call");
    let interpose_with_fn = hidden(name, "interpose_with");
    let shims_fn = hidden(name, "shims");
    // A closure replacement needs a callback of the C signature (not for variadic functions).
    let (interpose_with_outer, interpose_with_inner) = if f.variadic {
        (quote!(), quote!())
    } else {
        (
            quote! {
                #(#cfgs)*
                #[doc(hidden)]
                #[allow(non_snake_case)]
                #vis fn #interpose_with_fn<F>(replacement: F) -> ::alien::Interposition
                where
                    F: ::alien::callback::InterposeFn<#c_args, #c_ret>,
                {
                    ::alien::callback::InterposeFn::<#c_args, #c_ret>::interpose(replacement, #name::DECL)
                }
            },
            quote! {
                /// Replaces the function with a closure until the guard drops.
                #[doc(inline)]
                #inner use super::#interpose_with_fn as interpose_with;
            },
        )
    };
    let module_doc = format!("Linkage-table items of [`{rust_name}()`]({rust_name}()).");
    // Compile-time checks of the user's types, when there are any.
    let shims_item = if shims.is_empty() {
        quote!()
    } else {
        quote! {
            #(#cfgs)*
            #[allow(dead_code, non_snake_case)]
            fn #shims_fn() { #shims }
        }
    };
    quote! {
        #(#cfgs)*
        #[doc = #module_doc]
        #[allow(non_snake_case, non_upper_case_globals, dead_code, unused_imports, clippy::all)]
        #vis mod #name {
            /// The declaration's linkage-table record.
            pub const DECL: &'static ::alien::__private::Decl = #decl_path;
            /// The C type of the function.
            #[doc(inline)]
            #inner use super::#cfn as CFn;
            /// Whether the symbol is bound (after startup binding).
            #[inline]
            pub fn is_resolved() -> bool {
                ::alien::__private::is_resolved(DECL)
            }
            /// The declaration's row in the linkage table.
            #[inline]
            pub fn info() -> ::alien::LinkageInfo {
                ::alien::__private::info(DECL)
            }
            /// The C-callable entry: an address that never changes and follows
            /// every later rebinding, to hand to C.
            #[inline]
            pub fn try_entry() -> ::core::result::Result<#cfn_t, ::alien::Error> {
                // SAFETY: the entry jumps to a function of this C type.
                ::alien::try_entry(DECL).map(|a| unsafe { ::alien::__private::transmute::<usize, #cfn_t>(a) })
            }
            /// [`try_entry`], panicking if executable memory cannot be had.
            #[inline]
            pub fn entry() -> #cfn_t {
                // SAFETY: as in `try_entry`.
                unsafe { ::alien::__private::transmute::<usize, #cfn_t>(::alien::__private::entry(DECL)) }
            }
            /// A bind-once snapshot: the function's address right now, as a
            /// plain function pointer that does not follow later relinking
            /// (the module loader's `extern`).
            #[inline]
            pub fn snapshot() -> #cfn_t {
                ::alien::__private::init();
                // SAFETY: the slot holds a function of this C type (or its lazy stub).
                unsafe { ::alien::__private::transmute::<*const (), #cfn_t>(DECL.slot()) }
            }
            /// Replaces the function with `replacement` until the guard drops:
            /// calls through the table and through entry addresses handed to C
            /// reach it.
            #[inline]
            pub fn interpose(replacement: #cfn_t) -> ::alien::Interposition {
                ::alien::interpose(DECL, replacement as usize)
            }
            /// The function under any interpositions (for a replacement that
            /// calls the original).
            #[inline]
            pub fn original() -> #cfn_t {
                // SAFETY: the address is a function of this C type (or its lazy stub).
                unsafe { ::alien::__private::transmute::<usize, #cfn_t>(::alien::original(DECL)) }
            }
            #interpose_with_inner
            /// Calls the function, returning every failure — the symbol
            /// missing, or an argument or result that cannot be converted — as
            /// an error instead of a panic.
            #[doc(inline)]
            #inner use super::#try_call as try_call;
        }
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #cfn = unsafe extern "C" fn(#(#c_params),* #variadic_sig) -> #c_ret;
        #interpose_with_outer
        #(#cfgs)*
        #[doc(hidden)]
        #[inline]
        #[allow(clippy::too_many_arguments, clippy::missing_safety_doc, non_snake_case)]
        #vis #unsafety fn #try_call #generics (#(#inputs),* #va_input) -> ::core::result::Result<#output, ::alien::CallError> {
            if !#name::DECL.is_resolved() {
                ::alien::__private::try_callable(#name::DECL).map_err(::alien::CallError::Undefined)?;
            }
            #[allow(unused_unsafe)]
            unsafe { #call(#(#input_names),* #va_name) }
        }
        #(#cfgs)*
        #[doc(hidden)]
        #[inline(always)]
        #[allow(clippy::too_many_arguments, clippy::missing_safety_doc, clippy::needless_question_mark, unused_mut, non_snake_case)]
        #unsafety fn #call #generics (#(#inputs),* #va_input) -> ::core::result::Result<#output, ::alien::CallError> {
            #body
        }
        #shims_item
        #(#cfgs)*
        #(#attrs)*
        #[doc = #doc]
        #inline
        #[allow(clippy::too_many_arguments, clippy::missing_safety_doc, non_snake_case)]
        #vis #unsafety fn #name #generics (#(#inputs),* #va_input) -> #output {
            #[allow(unused_unsafe)]
            match unsafe { #call(#(#input_names),* #va_name) } {
                ::core::result::Result::Ok(v) => v,
                ::core::result::Result::Err(e) => ::alien::__private::fail(e),
            }
        }
    }
}
