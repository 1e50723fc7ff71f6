//! The model of a declared C function, parsed from `define_c_function!` and
//! `foreign_procedure!` input and checked (ILU's `define-c-function`).

use super::attrs::{self, Flags, LibraryAttr};
use super::report::Errors;
use super::ty::{classify, Position, Ty};
use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Type, Visibility};

/// ILU's argument directions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
    /// Passed to C (the default).
    In,
    /// Written by C through a pointer; returned after the result.
    Out,
    /// Passed to C through a pointer, and returned as C left it.
    InOut,
}

/// One parameter as written.
pub struct RawParam {
    /// Direction.
    pub dir: Direction,
    /// The direction keyword, for spans.
    pub dir_span: Option<Span>,
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: Type,
    /// `= slice.len()`: the slice whose length the wrapper passes here.
    pub len_of: Option<Ident>,
}

/// A checked parameter.
pub struct Param {
    /// Direction.
    pub dir: Direction,
    /// Name.
    pub name: Ident,
    /// Classified type.
    pub ty: Ty,
    /// The slice parameter whose length the wrapper passes here (the caller
    /// does not pass this parameter).
    pub len_of: Option<Ident>,
}

/// A declared function, checked.
pub struct Function {
    /// Attributes kept on the wrapper (docs, `allow`, `must_use`, ...).
    pub attrs: Vec<Attribute>,
    /// `#[cfg]`s applied to everything generated.
    pub cfgs: Vec<Attribute>,
    /// The wrapper's visibility.
    pub vis: Visibility,
    /// Whether the wrapper is `unsafe fn`.
    pub unsafety: bool,
    /// The Rust name.
    pub name: Ident,
    /// The C symbol name.
    pub c_name: LitStr,
    /// Parameters in C order.
    pub params: Vec<Param>,
    /// `...` present.
    pub variadic: bool,
    /// The return type (`None` for `void`).
    pub ret: Option<Ty>,
    /// ILU's flags.
    pub flags: Flags,
    /// The library.
    pub library: Option<LibraryAttr>,
}

impl Function {
    /// Where a failed check of the C signature is reported: at the first
    /// user type in it (the only kind whose C type can fail to exist), not
    /// at the whole macro.
    pub fn sig_span(&self) -> Span {
        self.params
            .iter()
            .map(|p| &p.ty)
            .chain(self.ret.as_ref())
            .find_map(|t| match t {
                Ty::User(t) => Some(syn::spanned::Spanned::span(t)),
                _ => None,
            })
            .unwrap_or_else(Span::call_site)
    }
}

/// Most fixed parameters a variadic declaration may have.
pub const MAX_VARIADIC_FIXED: usize = 4;

/// Parses one parameter: `[in|out|inout] name: Type [= slice.len()]`.
pub fn parse_param(input: ParseStream<'_>) -> syn::Result<RawParam> {
    let mut p = parse_param_head(input)?;
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let slice = Ident::parse_any(input)?;
        input.parse::<Token![.]>()?;
        let method: Ident = input.parse()?;
        let args;
        syn::parenthesized!(args in input);
        if method != "len" || !args.is_empty() {
            return Err(syn::Error::new(
                method.span(),
                "a parameter's value can only be tied to a slice's length: `= slice.len()`",
            ));
        }
        p.len_of = Some(slice);
    }
    Ok(p)
}

fn parse_param_head(input: ParseStream<'_>) -> syn::Result<RawParam> {
    if input.peek(Token![in]) {
        let kw: Token![in] = input.parse()?;
        let name = Ident::parse_any(input)?;
        input.parse::<Token![:]>()?;
        return Ok(RawParam {
            dir: Direction::In,
            dir_span: Some(kw.span),
            name,
            ty: input.parse()?,
            len_of: None,
        });
    }
    let first = Ident::parse_any(input)?;
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
        return Ok(RawParam {
            dir: Direction::In,
            dir_span: None,
            name: first,
            ty: input.parse()?,
            len_of: None,
        });
    }
    let dir = match first.to_string().as_str() {
        "out" => Direction::Out,
        "inout" => Direction::InOut,
        other => {
            return Err(syn::Error::new(
                first.span(),
                format!("unknown direction `{other}`; expected `in`, `out` or `inout`"),
            ))
        }
    };
    let name = Ident::parse_any(input)?;
    input.parse::<Token![:]>()?;
    Ok(RawParam {
        dir,
        dir_span: Some(first.span()),
        name,
        ty: input.parse()?,
        len_of: None,
    })
}

/// A function declaration as written, before checking.
pub struct RawFunction {
    /// Attributes.
    pub attrs: Vec<Attribute>,
    /// Visibility.
    pub vis: Visibility,
    /// `unsafe`.
    pub unsafety: Option<Token![unsafe]>,
    /// Name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<RawParam>,
    /// `...`, if present.
    pub variadic: Option<Token![...]>,
    /// Return type.
    pub ret: Option<Type>,
    /// `= "c_name"`.
    pub c_name: Option<LitStr>,
}

impl Parse for RawFunction {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let unsafety: Option<Token![unsafe]> = input.parse()?;
        if input.peek(Token![extern]) {
            return Err(
                input.error("leave out `extern \"C\"`: every declaration here is a C function")
            );
        }
        input.parse::<Token![fn]>()?;
        let name: Ident = input.parse()?;
        let content;
        syn::parenthesized!(content in input);
        let mut params = Vec::new();
        let mut variadic = None;
        while !content.is_empty() {
            if content.peek(Token![...]) {
                variadic = Some(content.parse()?);
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
                if !content.is_empty() {
                    return Err(content.error("`...` must be the last parameter"));
                }
                break;
            }
            params.push(parse_param(&content)?);
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
        let c_name = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        Ok(RawFunction {
            attrs,
            vis,
            unsafety,
            name,
            params,
            variadic,
            ret,
            c_name,
        })
    }
}

/// Checks a parsed declaration; every problem is recorded in `errors`.
pub fn check(
    raw: RawFunction,
    default_library: Option<&LibraryAttr>,
    errors: &mut Errors,
) -> Option<Function> {
    let before = errors_len(errors);
    let item = attrs::split(raw.attrs, errors);
    let c_name = raw
        .c_name
        .unwrap_or_else(|| LitStr::new(&raw.name.unraw().to_string(), raw.name.span()));
    if c_name.value().is_empty() {
        errors.error(&c_name, "the C name is empty");
    } else if c_name.value().contains('\0') {
        errors.error(&c_name, "the C name contains a NUL byte");
    }
    let unsafety = raw.unsafety.is_some();
    let mut params = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for p in raw.params {
        let pname = p.name.to_string();
        if seen.contains(&pname) {
            errors.error(&p.name, format_args!("duplicate parameter `{pname}`"));
        }
        seen.push(pname);
        let Some(ty) = classify(&p.ty, errors) else {
            continue;
        };
        let pos = if p.dir == Direction::In {
            Position::In
        } else {
            Position::Out
        };
        if !ty.check_position(pos, errors) {
            continue;
        }
        if ty.is_raw_pointer() && p.dir != Direction::Out && !unsafety {
            errors.error(
                &p.ty,
                format_args!(
                    "`{}` takes a raw pointer, which C may read or write through: declare it `unsafe fn`",
                    raw.name
                ),
            );
        }
        if let (Some(span), true) = (item.flags.inline, ty.needs_check(pos)) {
            let _ = span;
            errors.error(
                &p.ty,
                "an `inline` declaration performs no run-time checks, and this type needs one (interior NUL): \
                 pass `&CStr`, or drop `inline`",
            );
        }
        params.push(Param {
            dir: p.dir,
            name: p.name,
            ty,
            len_of: p.len_of,
        });
    }
    check_tied_lengths(&raw.name, &params, unsafety, errors);
    let ret = match raw.ret {
        None => None,
        Some(t) => classify(&t, errors).filter(|ty| ty.check_position(Position::Return, errors)).inspect(|ty| {
            if item.flags.inline.is_some() && ty.needs_check(Position::Return) {
                errors.error(
                    ty.source(),
                    "an `inline` declaration performs no run-time checks, and a `&CStr` result needs one (NULL): \
                     declare `Option<&CStr>`, or drop `inline`",
                );
            }
        }),
    };
    if let Some(dots) = &raw.variadic {
        if params.is_empty() && seen.is_empty() {
            errors.error(
                dots,
                "a variadic C function needs at least one fixed parameter",
            );
        }
        if seen.len() > MAX_VARIADIC_FIXED {
            errors.error(
                dots,
                format_args!(
                    "variadic declarations take at most {MAX_VARIADIC_FIXED} fixed parameters here"
                ),
            );
        }
        if !unsafety {
            errors.error(
                dots,
                format_args!(
                    "`{}` is variadic: nothing checks the extra arguments against what C reads, so declare it `unsafe fn`",
                    raw.name
                ),
            );
        }
    }
    if errors_len(errors) != before {
        return None;
    }
    Some(Function {
        attrs: item.other,
        cfgs: item.cfgs,
        vis: raw.vis,
        unsafety,
        name: raw.name,
        c_name,
        params,
        variadic: raw.variadic.is_some(),
        ret,
        flags: item.flags,
        library: item.library.or_else(|| default_library.cloned()),
    })
}

/// Length parameters tied to slices (`len: c_uint = buf.len()`), and the
/// rule that makes them matter: a safe function may hand C a slice only
/// together with its length, computed by the wrapper, so that safe code
/// cannot pass a length the slice does not have.
fn check_tied_lengths(function: &Ident, params: &[Param], unsafety: bool, errors: &mut Errors) {
    for p in params {
        let Some(slice) = &p.len_of else { continue };
        if p.dir == Direction::Out {
            errors.error(
                &p.name,
                "an `out` parameter cannot take a slice's length; make it `in` or `inout`",
            );
        }
        // A primitive must be an integer; a user type (an alias such as
        // `uLong`) must convert from `usize`, which rustc checks.
        let integer = match &p.ty {
            Ty::Prim { src, .. } => !matches!(
                src.to_token_stream().to_string().as_str(),
                "f32" | "f64" | "bool" | "c_float" | "c_double"
            ),
            Ty::User(_) => true,
            _ => false,
        };
        if !integer {
            errors.error(
                p.ty.source(),
                "a length tied to a slice must have an integer type",
            );
        }
        let target = params.iter().find(|q| q.name == *slice);
        match target {
            Some(q) if matches!(q.ty, Ty::Bytes(_) | Ty::BytesMut(_)) && q.dir == Direction::In => {
            }
            _ => errors.error(
                slice,
                format_args!(
                    "`{slice}` is not a `&[u8]` or `&mut [u8]` parameter of this declaration"
                ),
            ),
        }
    }
    if unsafety {
        return;
    }
    for q in params {
        if !matches!(q.ty, Ty::Bytes(_) | Ty::BytesMut(_)) {
            continue;
        }
        if !params.iter().any(|p| p.len_of.as_ref() == Some(&q.name)) {
            let name = &q.name;
            errors.error(
                q.ty.source(),
                format_args!(
                    "`{function}` hands `{name}` to C as a bare pointer, and nothing stops a caller from passing \
                     a length it does not have: tie a length parameter to it (`len: c_uint = {name}.len()`), \
                     or declare `unsafe fn`"
                ),
            );
        }
    }
}

fn errors_len(errors: &Errors) -> usize {
    errors.len()
}
