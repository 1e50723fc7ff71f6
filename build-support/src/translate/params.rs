//! One function's parameters, as the parameter rules shape them: `out` and
//! `inout` pointers, strings, byte buffers with their length tied, closures.

use super::decl::Param;
use super::rules::config;
use super::syntax::single_name;
use super::Translation;
use crate::options::{Direction, ParamKind};
use crate::print::ty_str;
use crate::BuildError;
use alien_codegen::decl::ty::MAX_CLOSURE_ARGS;
use quote::{quote, ToTokens};
use syn::{ForeignItemFn, ReturnType, Type};

/// One function's parameters, translated.
#[derive(Default)]
pub(super) struct Params {
    /// The parameters, in order.
    pub(super) list: Vec<Param>,
    /// Whether one of them keeps the declaration `unsafe` (a raw pointer, a
    /// buffer whose length C learns some other way).
    pub(super) needs_unsafe: bool,
    /// Whether a parameter is not passed as C declares it (a rule, or a C
    /// enum taken as the Rust enum).
    pub(super) marshalled: bool,
    /// Doc lines the rules add (which parameter is which buffer's length).
    pub(super) docs: Vec<String>,
    /// (length parameter, buffer parameter) of `param_buffer` rules.
    ties: Vec<(String, String)>,
}

/// Where a parameter is, for the messages of rules that do not fit it.
struct Site<'a> {
    function: &'a str,
    param: &'a str,
}

impl Site<'_> {
    /// "parameter `p` of `f`".
    fn what(&self) -> String {
        format!("parameter `{}` of `{}`", self.param, self.function)
    }
}

impl Translation<'_> {
    /// Translates the parameters of `f` (`rust` is its name) by the rules
    /// that name them (the last rule for a parameter wins), then ties each
    /// buffer's length parameter to it.
    pub(super) fn params(&mut self, f: &ForeignItemFn, rust: &str) -> Result<Params, BuildError> {
        let opts = self.opts;
        let mut out = Params::default();
        for arg in &f.sig.inputs {
            let syn::FnArg::Typed(pt) = arg else { continue };
            let pname = pt.pat.to_token_stream().to_string();
            let rule = opts
                .params
                .iter()
                .rev()
                .find(|r| r.function == rust && r.param == pname)
                .map(|r| &r.kind);
            let original: &Type = &pt.ty;
            let site = Site {
                function: rust,
                param: &pname,
            };
            if !matches!(rule, None | Some(ParamKind::Direction(Direction::In))) {
                out.marshalled = true;
            }
            let (prefix, ty): (&'static str, String) = match rule {
                None | Some(ParamKind::Direction(Direction::In)) => {
                    ("", self.plain(original, &mut out))
                }
                Some(ParamKind::Direction(d)) => self.direction(&site, original, *d)?,
                Some(k @ (ParamKind::String | ParamKind::CStr)) => {
                    ("", self.string(&site, original, k)?)
                }
                Some(ParamKind::Buffer { len }) => {
                    ("", self.buffer(&site, original, len.as_deref(), &mut out)?)
                }
                Some(ParamKind::Closure) => ("", self.closure(&site, original)?),
            };
            out.list.push(Param {
                prefix,
                name: pname,
                ty,
                tie: None,
            });
        }
        for (len, buf) in std::mem::take(&mut out.ties) {
            match out.list.iter_mut().find(|p| p.name == len) {
                Some(p) if p.prefix != "out " => p.tie = Some(buf),
                // An `out` length cannot be the buffer's: C is trusted with it.
                _ => out.needs_unsafe = true,
            }
        }
        Ok(out)
    }

    /// A parameter without a rule: its type (a C enum as the Rust enum).
    fn plain(&mut self, original: &Type, out: &mut Params) -> String {
        if self.enums.is_kept(original) {
            out.marshalled = true;
        }
        let t = self.enums.keep_enum(original);
        if self.index.types.is_pointer(&t) {
            out.needs_unsafe = true;
        }
        if let Some(s) = self.index.types.struct_of(&t) {
            self.by_value_structs.insert(s);
        }
        ty_str(&t)
    }

    /// An `out` or `inout` parameter: a non-`const` pointer to a value,
    /// taken as the value.
    fn direction(
        &mut self,
        site: &Site<'_>,
        original: &Type,
        d: Direction,
    ) -> Result<(&'static str, String), BuildError> {
        let types = &self.index.types;
        let Type::Ptr(p) = original else {
            return Err(config(format!(
                "{} is `{}`, not a pointer: it cannot be `{}`",
                site.what(),
                ty_str(original),
                if d == Direction::Out { "out" } else { "inout" }
            )));
        };
        if p.mutability.is_none() {
            return Err(config(format!(
                "{} is `{}`: C does not write through a `const` pointer, so it cannot be `out`/`inout`",
                site.what(),
                ty_str(original)
            )));
        }
        if single_name(types.resolve(&p.elem)).as_deref() == Some("c_void") {
            return Err(config(format!(
                "{} is `{}`: `void` has no value to return; say what it points to with a raw pointer",
                site.what(),
                ty_str(original)
            )));
        }
        let elem = self.enums.keep_enum(&p.elem);
        if let Some(s) = types.struct_of(&elem) {
            self.by_value_structs.insert(s);
        }
        Ok((
            if d == Direction::Out {
                "out "
            } else {
                "inout "
            },
            ty_str(&elem),
        ))
    }

    /// A `const char *`, taken as `&str` (`kind` is `String`) or `&CStr`.
    fn string(
        &self,
        site: &Site<'_>,
        original: &Type,
        kind: &ParamKind,
    ) -> Result<String, BuildError> {
        let ok = matches!(original, Type::Ptr(p) if p.const_token.is_some() && self.index.types.is_char(&p.elem));
        if !ok {
            return Err(config(format!(
                "{} is `{}`: only a `const char *` can be taken as a string",
                site.what(),
                ty_str(original)
            )));
        }
        let t = if matches!(kind, ParamKind::String) {
            "&str"
        } else {
            "&CStr"
        };
        Ok(t.to_owned())
    }

    /// A byte buffer, taken as `&[u8]` or `&mut [u8]`; `len` names the
    /// parameter the wrapper passes its length in.
    fn buffer(
        &self,
        site: &Site<'_>,
        original: &Type,
        len: Option<&str>,
        out: &mut Params,
    ) -> Result<String, BuildError> {
        let Type::Ptr(p) = original else {
            return Err(config(format!(
                "{} is `{}`, not a pointer: it cannot be a buffer",
                site.what(),
                ty_str(original)
            )));
        };
        if !self.index.types.is_byte(&p.elem) {
            return Err(config(format!(
                "{} is `{}`: a buffer is a pointer to bytes (`void`, `char`, `unsigned char`)",
                site.what(),
                ty_str(original)
            )));
        }
        let pname = site.param;
        match len {
            // The wrapper passes the buffer's length (in `params`).
            Some(len) => {
                out.docs.push(format!(
                    " `{len}` is `{pname}`'s length, passed by the wrapper."
                ));
                out.ties.push((len.to_owned(), pname.to_owned()));
            }
            // C learns the length some other way: only the caller knows.
            None => out.needs_unsafe = true,
        }
        Ok(if p.mutability.is_some() {
            "&mut [u8]"
        } else {
            "&[u8]"
        }
        .to_owned())
    }

    /// A function pointer, taken as `impl FnMut(..)`.
    fn closure(&self, site: &Site<'_>, original: &Type) -> Result<String, BuildError> {
        let t = self.enums.c_view(self.index.types.resolve(original));
        let bare = match &t {
            Type::BareFn(b) => Some(b.clone()),
            Type::Path(p) => p.path.segments.last().and_then(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(a) if s.ident == "Option" => {
                    match a.args.first() {
                        Some(syn::GenericArgument::Type(Type::BareFn(b))) => Some(b.clone()),
                        _ => None,
                    }
                }
                _ => None,
            }),
            _ => None,
        };
        let Some(bare) = bare else {
            return Err(config(format!(
                "{} is `{}`, not a function pointer: it cannot take a closure",
                site.what(),
                ty_str(original)
            )));
        };
        if bare.variadic.is_some() || bare.inputs.len() > MAX_CLOSURE_ARGS {
            return Err(config(format!(
                "{} is a variadic function pointer or takes more than {MAX_CLOSURE_ARGS} arguments: it cannot take a closure",
                site.what()
            )));
        }
        let args = bare.inputs.iter().map(|a| &a.ty);
        let ret = match &bare.output {
            ReturnType::Type(_, t) => quote!(-> #t),
            ReturnType::Default => quote!(),
        };
        let closure: Type = syn::parse_quote!(impl FnMut(#(#args),*) #ret);
        Ok(ty_str(&closure))
    }
}
