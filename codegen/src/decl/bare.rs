//! `define_c_function!` blocks marked `#![alien(bare)]`: C prototypes taken
//! as they are, with no Rust body per declaration.
//!
//! A bare block is what `alien-build` emits for the functions of a header
//! that need no marshalling (thousands of them, for a large header), so its
//! expansion costs about what the `extern` block bindgen writes costs:
//!
//! - the declarations themselves, as an `unsafe extern "C-unwind"` block
//!   whose items are linked to the block's trampolines (the user's tokens
//!   are passed through, so rustc checks the types and its errors point at
//!   them);
//! - one naked function holding a trampoline per declaration, in
//!   declaration order, 16 bytes apart: `endbr64; jmp [rip + slot]`, where
//!   `slot` is the declaration's linkage-table slot;
//! - the block's records: one array of one repeated constant, and the
//!   symbols as one string, which the runtime gives the records when the
//!   block is registered (`alien::__private::BareBlock`).
//!
//! The grammar is the prototypes' only: attributes (`doc`, lint levels,
//! `deprecated`), a visibility, `unsafe fn name(params) -> type;`, with
//! `...` for a variadic function (a trampoline leaves `%al` and every
//! argument register alone, and so does a lazy stub). The declarations are
//! read token by token, without building syntax trees. What needs more
//! (marshalling, `#[cfg]`, renaming, a library of its own) belongs in a
//! block without `bare`, and is reported as such.

use super::attrs::LibraryAttr;
use super::report::Errors;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bare blocks expanded by this process so far (part of the symbol prefix,
/// so that two identical blocks of one crate get different trampolines).
static EXPANSIONS: AtomicUsize = AtomicUsize::new(0);

/// Whether the block's inner attributes include `#![alien(bare)]`.
pub fn is_bare(input: &TokenStream) -> bool {
    let mut tokens = input.clone().into_iter();
    loop {
        match (tokens.next(), tokens.next(), tokens.next()) {
            (
                Some(TokenTree::Punct(p)),
                Some(TokenTree::Punct(bang)),
                Some(TokenTree::Group(g)),
            ) if p.as_char() == '#' && bang.as_char() == '!' => {
                if alien_bare(&g.stream()) {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

/// Whether an attribute's tokens are `alien(bare)`.
fn alien_bare(attr: &TokenStream) -> bool {
    let t: Vec<TokenTree> = attr.clone().into_iter().collect();
    matches!(&t[..], [TokenTree::Ident(i), TokenTree::Group(g)]
        if i == "alien" && g.stream().to_string() == "bare")
}

/// One declaration of a bare block.
struct BareFn {
    /// Passed-through attributes (`#` and the bracketed group).
    attrs: Vec<TokenTree>,
    /// The visibility tokens.
    vis: Vec<TokenTree>,
    name: Ident,
    /// The symbol: the name without `r#`.
    symbol: String,
    /// The parenthesized parameters.
    params: TokenTree,
    /// `-> type`, or nothing.
    ret: Vec<TokenTree>,
}

/// The attributes a bare declaration may carry.
const PASSED: &[&str] = &[
    "doc",
    "allow",
    "warn",
    "deny",
    "expect",
    "forbid",
    "deprecated",
];

/// Expands a bare block.
pub fn expand(input: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let mut tokens: Vec<TokenTree> = input.into_iter().collect();
    let mut library = None;
    let mut at = 0;
    while let [TokenTree::Punct(p), TokenTree::Punct(bang), TokenTree::Group(g), ..] = &tokens[at..]
    {
        if p.as_char() != '#' || bang.as_char() != '!' {
            break;
        }
        let body: Vec<TokenTree> = g.stream().into_iter().collect();
        match &body[..] {
            [TokenTree::Ident(i), TokenTree::Group(args)] if i == "library" => {
                match syn::parse2::<LibraryAttr>(args.stream()) {
                    Ok(_) if library.is_some() => errors.error(
                        g,
                        "duplicate `#![library]`: a block has one default library",
                    ),
                    Ok(l) => library = Some(l),
                    Err(e) => errors.push(e),
                }
            }
            _ if alien_bare(&g.stream()) => {}
            [TokenTree::Ident(i), ..] if i == "alien" => errors.error(
                g,
                "a bare block takes `#![alien(bare)]` and `#![library(...)]` only; \
                 `checked` does not apply: a bare block's declarations are the header's prototypes",
            ),
            _ => errors.error(
                g,
                "unknown inner attribute; a bare block takes `#![library(\"name\")]` and `#![alien(bare)]`",
            ),
        }
        at += 3;
    }
    let rest = tokens.split_off(at);
    let mut fns = Vec::new();
    let mut item = Vec::new();
    for t in rest {
        if matches!(&t, TokenTree::Punct(p) if p.as_char() == ';') {
            if let Some(f) = declaration(std::mem::take(&mut item), &t, &mut errors) {
                fns.push(f);
            }
        } else {
            item.push(t);
        }
    }
    if let Some(last) = item.last() {
        errors.error(last, "expected `;` after the declaration");
    }
    let mut seen = HashSet::new();
    for f in &fns {
        if !seen.insert(f.symbol.as_str()) {
            errors.error(
                &f.name,
                format_args!("duplicate declaration `{}` in this block", f.symbol),
            );
        }
    }
    if let Err(e) = errors.finish() {
        return e;
    }
    if fns.is_empty() {
        return TokenStream::new();
    }
    emit(&fns, library.as_ref())
}

/// Reads one declaration (its tokens before `semi`).
fn declaration(tokens: Vec<TokenTree>, semi: &TokenTree, errors: &mut Errors) -> Option<BareFn> {
    let mut it = tokens.into_iter().peekable();
    let mut attrs = Vec::new();
    let mut ok = true;
    while matches!(it.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        let hash = it.next()?;
        let Some(TokenTree::Group(g)) = it.next() else {
            errors.error(&hash, "expected an attribute after `#`");
            return None;
        };
        let what = match g.stream().into_iter().next() {
            Some(TokenTree::Ident(i)) => i.to_string(),
            _ => String::new(),
        };
        if PASSED.contains(&what.as_str()) {
            attrs.push(hash);
            attrs.push(TokenTree::Group(g));
        } else {
            errors.error(
                &g,
                format_args!(
                    "`#[{what}]` is not supported in a bare block (which takes documentation, lint levels \
                     and `#[deprecated]`); declare the function in a block without `#![alien(bare)]`"
                ),
            );
            ok = false;
        }
    }
    let mut vis = Vec::new();
    if matches!(it.peek(), Some(TokenTree::Ident(i)) if i == "pub") {
        vis.extend(it.next());
        if matches!(it.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            vis.extend(it.next());
        }
    }
    match it.next() {
        Some(TokenTree::Ident(i)) if i == "unsafe" => {}
        Some(other) => {
            errors.error(
                &other,
                "a bare declaration is `unsafe fn name(...)`: it is C's prototype, called with no checks \
                 (a safe declaration needs a block without `#![alien(bare)]`)",
            );
            return None;
        }
        None => {
            errors.error(semi, "expected a declaration before `;`");
            return None;
        }
    }
    match it.next() {
        Some(TokenTree::Ident(i)) if i == "fn" => {}
        other => {
            match other {
                Some(t) => errors.error(&t, "expected `fn`"),
                None => errors.error(semi, "expected `fn`"),
            }
            return None;
        }
    }
    let name = match it.next() {
        Some(TokenTree::Ident(i)) => i,
        other => {
            match other {
                Some(t) => errors.error(&t, "expected the function's name"),
                None => errors.error(semi, "expected the function's name"),
            }
            return None;
        }
    };
    let params = match it.next() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => g,
        other => {
            match other {
                Some(t) => errors.error(
                    &t,
                    "expected the parameter list (a bare declaration has no generics)",
                ),
                None => errors.error(semi, "expected the parameter list"),
            }
            return None;
        }
    };
    let ret: Vec<TokenTree> = it.collect();
    if let Some(first) = ret.first() {
        let arrow = matches!(&ret[..], [TokenTree::Punct(a), TokenTree::Punct(b), _, ..]
            if a.as_char() == '-' && b.as_char() == '>');
        if !arrow {
            errors.error(first, "expected `-> type` or `;` after the parameters");
            ok = false;
        }
    }
    let symbol = name.to_string();
    let symbol = symbol.strip_prefix("r#").unwrap_or(&symbol).to_owned();
    ok.then_some(BareFn {
        attrs,
        vis,
        name,
        symbol,
        params: TokenTree::Group(params),
        ret,
    })
}

/// The prefix of the block's trampoline symbols: unique per crate version,
/// block and expansion.
fn symbol_prefix(fns: &[BareFn]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for var in ["CARGO_PKG_NAME", "CARGO_PKG_VERSION", "CARGO_CRATE_NAME"] {
        std::env::var(var).unwrap_or_default().hash(&mut h);
    }
    for f in fns {
        f.symbol.hash(&mut h);
    }
    EXPANSIONS.fetch_add(1, Ordering::Relaxed).hash(&mut h);
    format!("__alien_bare_{:016x}_", h.finish())
}

/// The block's items.
fn emit(fns: &[BareFn], library: Option<&LibraryAttr>) -> TokenStream {
    let prefix = symbol_prefix(fns);
    let n = fns.len();
    let first = &fns[0].name;
    let array = format_ident!("__alien_{}_decls", first);
    let start = format_ident!("__alien_{}_start", first);
    let table = format_ident!("__alien_{}_trampolines", first);
    let (lib_static, lib_expr) = match library {
        Some(l) => {
            let ident = format_ident!("__alien_{}_library", first);
            (
                super::emit::library_static(&ident, l),
                quote!(::core::option::Option::Some(&#ident)),
            )
        }
        None => (quote!(), quote!(::core::option::Option::None)),
    };
    let mut names = String::with_capacity(n * 16);
    // One assembler macro per block makes each trampoline one short line;
    // one FDE covers them all (none touches the stack: the return address
    // is at the CFA - 8 throughout), as one covers a PLT.
    let mac = format!("{prefix}t");
    let mut asm = String::with_capacity(512 + n * (mac.len() + 8));
    let _ = write!(
        asm,
        ".macro {mac} i\n\
         .p2align 4, 0xcc\n\
         .globl {prefix}\\i\n\
         .hidden {prefix}\\i\n\
         .type {prefix}\\i,@function\n\
         {prefix}\\i:\n\
         endbr64\n\
         jmp qword ptr [rip + {{decls}} + {{size}}*\\i + {{slot}}]\n\
         .size {prefix}\\i, .-{prefix}\\i\n\
         .endm\n\
         .p2align 4, 0xcc\n\
         .globl {prefix}start\n\
         .hidden {prefix}start\n\
         {prefix}start:\n\
         .cfi_startproc\n"
    );
    let mut items: Vec<TokenTree> = Vec::with_capacity(n * 12);
    for (i, f) in fns.iter().enumerate() {
        names.push_str(&f.symbol);
        names.push('\0');
        let _ = writeln!(asm, "{mac} {i}");
        // #(#attrs)* #[link_name = "<prefix><i>"] #vis unsafe fn #name #params #ret;
        items.extend(f.attrs.iter().cloned());
        let link_name: TokenStream = [
            TokenTree::Ident(Ident::new("link_name", Span::call_site())),
            TokenTree::Punct(Punct::new('=', Spacing::Alone)),
            TokenTree::Literal(Literal::string(&format!("{prefix}{i}"))),
        ]
        .into_iter()
        .collect();
        items.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
        items.push(TokenTree::Group(Group::new(Delimiter::Bracket, link_name)));
        items.extend(f.vis.iter().cloned());
        items.push(TokenTree::Ident(Ident::new("unsafe", Span::call_site())));
        items.push(TokenTree::Ident(Ident::new("fn", Span::call_site())));
        items.push(TokenTree::Ident(f.name.clone()));
        items.push(f.params.clone());
        items.extend(f.ret.iter().cloned());
        items.push(TokenTree::Punct(Punct::new(';', Spacing::Alone)));
    }
    let _ = write!(asm, ".cfi_endproc\n.purgem {mac}");
    let items: TokenStream = items.into_iter().collect();
    let start_sym = format!("{prefix}start");
    let unsupported = "`#![alien(bare)]` blocks are implemented for x86-64 Linux only";
    let asm_lit = syn::LitStr::new(&asm, Span::call_site());
    quote! {
        #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
        ::core::compile_error!(#unsupported);
        #lib_static
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #array: [::alien::__private::Decl; #n] =
            [const { ::alien::__private::Decl::bare(#lib_expr, ::core::module_path!()) }; #n];
        const _: () = {
            unsafe extern "C-unwind" {
                #[link_name = #start_sym]
                fn #start();
            }
            #[::alien::__private::linkme::distributed_slice(::alien::__private::LINKAGE)]
            #[linkme(crate = ::alien::__private::linkme)]
            static __ALIEN_REGISTRATION: &'static [::alien::__private::Decl] = &#array;
            #[::alien::__private::linkme::distributed_slice(::alien::__private::BARE)]
            #[linkme(crate = ::alien::__private::linkme)]
            static __ALIEN_BARE: ::alien::__private::BareBlock = ::alien::__private::BareBlock {
                decls: &#array,
                names: #names,
                first: #start,
                table: #table,
            };
        };
        unsafe extern "C-unwind" {
            #items
        }
        // A naked function, not `global_asm!`: an item wherever the block
        // is, in a function body too (where `global_asm!` is refused).
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        #[doc(hidden)]
        #[unsafe(naked)]
        #[allow(non_snake_case)]
        unsafe extern "C" fn #table() {
            ::core::arch::naked_asm!(
                #asm_lit,
                decls = sym #array,
                size = const ::core::mem::size_of::<::alien::__private::Decl>(),
                slot = const ::alien::__private::SLOT_OFFSET,
            )
        }
    }
}
