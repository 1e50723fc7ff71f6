//! The attributes declarations take: `#[library(...)]` and `#[alien(...)]`.

use super::report::Errors;
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token};

/// `#[library("z", candidates = ["libz.so.1"])]`.
#[derive(Clone)]
pub struct LibraryAttr {
    /// The library name.
    pub name: LitStr,
    /// File names tried first (string literals, or expressions such as
    /// `env!("...")` that give a `&'static str`).
    pub candidates: Vec<syn::Expr>,
}

impl Parse for LibraryAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: LitStr = input.parse()?;
        if name.value().is_empty() {
            return Err(syn::Error::new(name.span(), "the library name is empty"));
        }
        let mut candidates = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse()?;
            if key != "candidates" {
                return Err(syn::Error::new(key.span(), format!("unknown library option `{key}`; expected `candidates = [\"libfoo.so.1\", ...]`")));
            }
            input.parse::<Token![=]>()?;
            let content;
            syn::bracketed!(content in input);
            let list = Punctuated::<syn::Expr, Token![,]>::parse_terminated(&content)?;
            candidates.extend(list);
        }
        Ok(LibraryAttr { name, candidates })
    }
}

/// ILU's flags, from `#[alien(inline, no_callbacks, errno)]`.
#[derive(Clone, Copy, Default)]
pub struct Flags {
    /// The wrapper is inlined and performs no run-time checks; types that
    /// need one are rejected.
    pub inline: Option<Span>,
    /// The function never calls back into Rust.
    pub no_callbacks: bool,
    /// The wrapper returns `errno` as read right after the call.
    pub errno: bool,
    /// Where the first flag was written (for errors about flags).
    pub first: Option<Span>,
}

impl Flags {
    /// The runtime's flag bits.
    pub fn bits(&self, variadic: bool) -> u8 {
        let mut b = 0;
        if self.no_callbacks {
            b |= 1;
        }
        if self.errno {
            b |= 2;
        }
        if self.inline.is_some() {
            b |= 4;
        }
        if variadic {
            b |= 8;
        }
        b
    }
}

/// What the attributes of one item say, and the ones to pass through.
#[derive(Default)]
pub struct ItemAttrs {
    /// `#[library]`.
    pub library: Option<LibraryAttr>,
    /// `#[alien]` flags.
    pub flags: Flags,
    /// `#[cfg]`: applied to everything generated.
    pub cfgs: Vec<Attribute>,
    /// Everything else (docs included), kept on the generated item.
    pub other: Vec<Attribute>,
}

/// Splits `attrs` into ours and the ones to keep.
pub fn split(attrs: Vec<Attribute>, errors: &mut Errors) -> ItemAttrs {
    let mut out = ItemAttrs::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident("library") {
            match attr.parse_args::<LibraryAttr>() {
                Ok(l) => {
                    if out.library.is_some() {
                        errors.error(&attr, "duplicate `#[library]` attribute");
                    }
                    out.library = Some(l);
                }
                Err(e) => errors.push(e),
            }
        } else if path.is_ident("alien") {
            let parsed = attr.parse_args_with(Punctuated::<AlienArg, Token![,]>::parse_terminated);
            match parsed {
                Ok(list) => {
                    for arg in list {
                        let flag = match arg {
                            AlienArg::Flag(flag) => flag,
                            AlienArg::Path(key, _) | AlienArg::Str(key, _) => {
                                errors.error(
                                    &key,
                                    format_args!(
                                        "`{key} = ...` does not apply here; `checked = path` applies to \
                                         `define_c_function!` and `define_c_enum!` declarations"
                                    ),
                                );
                                continue;
                            }
                        };
                        let name = flag.to_string();
                        out.flags.first.get_or_insert(flag.span());
                        let repeated = match name.as_str() {
                            "inline" => out.flags.inline.replace(flag.span()).is_some(),
                            "no_callbacks" => std::mem::replace(&mut out.flags.no_callbacks, true),
                            "errno" => std::mem::replace(&mut out.flags.errno, true),
                            _ => false,
                        };
                        if repeated {
                            errors.error(&flag, format_args!("flag `{name}` given twice"));
                            continue;
                        }
                        match name.as_str() {
                            "inline" | "no_callbacks" | "errno" => {}
                            other => errors.error(
                                &flag,
                                format_args!("unknown flag `{other}`; expected `inline`, `no_callbacks` or `errno`"),
                            ),
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        } else if path.is_ident("cfg") {
            out.cfgs.push(attr);
        } else {
            out.other.push(attr);
        }
    }
    out
}

/// One entry of `#[alien(...)]`: a flag (`errno`), or `key = path`
/// (`checked = crate::sys::prototypes`), or `key = "text"`
/// (`prefix = "Z_"`).
pub enum AlienArg {
    /// A bare flag.
    Flag(Ident),
    /// `key = path`.
    Path(Ident, syn::Path),
    /// `key = "text"`.
    Str(Ident, LitStr),
}

impl AlienArg {
    /// The flag or key.
    pub fn key(&self) -> &Ident {
        match self {
            AlienArg::Flag(k) | AlienArg::Path(k, _) | AlienArg::Str(k, _) => k,
        }
    }
}

impl Parse for AlienArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Ok(AlienArg::Flag(key));
        }
        input.parse::<Token![=]>()?;
        if input.peek(LitStr) {
            return Ok(AlienArg::Str(key, input.parse()?));
        }
        Ok(AlienArg::Path(key, input.parse()?))
    }
}

impl quote::ToTokens for AlienArg {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        match self {
            AlienArg::Flag(k) => k.to_tokens(tokens),
            AlienArg::Path(k, p) => quote::quote!(#k = #p).to_tokens(tokens),
            AlienArg::Str(k, s) => quote::quote!(#k = #s).to_tokens(tokens),
        }
    }
}

/// Removes the `#[alien(...)]` entries whose key is in `keys` from `attrs`
/// and returns them; the other entries stay for [`split`] (an attribute
/// left empty is dropped).
pub fn take_options(
    attrs: &mut Vec<Attribute>,
    keys: &[&str],
    errors: &mut Errors,
) -> Vec<AlienArg> {
    let mut taken = Vec::new();
    let mut kept_attrs = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !attr.path().is_ident("alien") {
            kept_attrs.push(attr);
            continue;
        }
        let list = match attr.parse_args_with(Punctuated::<AlienArg, Token![,]>::parse_terminated) {
            Ok(list) => list,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut rest: Vec<AlienArg> = Vec::new();
        for arg in list {
            if keys.iter().any(|k| arg.key() == k) {
                taken.push(arg);
            } else {
                rest.push(arg);
            }
        }
        if !rest.is_empty() {
            let span = attr.pound_token.spans[0];
            kept_attrs.push(syn::parse_quote_spanned!(span=> #[alien(#(#rest),*)]));
        }
    }
    *attrs = kept_attrs;
    taken
}
