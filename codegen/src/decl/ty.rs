//! What a declared type means to C: the classification every declaration
//! goes through, with the C type it becomes and the checks it needs.

use super::report::Errors;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// A declared type, classified.
// Compile-time data, a few per declaration: size does not matter here.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Ty {
    /// An integer, float or `bool` (C takes it as is). `rust` is the type as
    /// Rust code names it (ILU and `c_*` names resolved).
    Prim { rust: TokenStream, src: Type },
    /// A raw pointer (passed as is; taking one makes the wrapper `unsafe`).
    RawPtr(Type),
    /// A function pointer or `Option` of one (passed as is).
    FnPtr(Type),
    /// `&str` / ILU `string`: copied to a NUL-terminated temporary.
    Str(Type),
    /// `&CStr` / ILU `constant-string`: passed without copying; as a result,
    /// a checked non-NULL string.
    CStr(Type),
    /// `Option<&CStr>`: NULL is `None`.
    OptCStr(Type),
    /// `&[u8]` / ILU `bytes`.
    Bytes(Type),
    /// `&mut [u8]`.
    BytesMut(Type),
    /// ILU `unicode`: a `&str` passed as NUL-terminated UTF-16.
    Unicode(Type),
    /// `impl Fn(A, B) -> R` / `impl FnMut(..)`: a closure made into a C
    /// callback for the duration of the call.
    Closure {
        /// The type as written.
        src: Type,
        /// `FnMut` rather than `Fn`.
        mutable: bool,
        /// Argument types.
        args: Vec<Type>,
        /// Result type (`None` for `()`).
        ret: Option<Type>,
    },
    /// Any other named type: converted through `IntoC`/`FromC`
    /// (`define_c_enum!` enums, `#[derive(CStruct)]` structs, aliases).
    User(Type),
}

/// Where a type appears.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// An `in` parameter.
    In,
    /// An `out` or `inout` parameter (C receives a pointer to it).
    Out,
    /// The return type.
    Return,
}

/// The C type names of `core::ffi` a declaration may use as they are (all
/// but `c_void`, which is no value); alien-build imports them (and `c_void`)
/// into the files it generates.
pub const C_ALIASES: &[&str] = &[
    "c_char",
    "c_schar",
    "c_uchar",
    "c_short",
    "c_ushort",
    "c_int",
    "c_uint",
    "c_long",
    "c_ulong",
    "c_longlong",
    "c_ulonglong",
    "c_float",
    "c_double",
];
const PRIMS: &[&str] = &[
    "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "isize", "usize", "f32", "f64", "bool",
];

/// ILU's type keywords and what they are.
fn ilu_keyword(name: &str) -> Option<&'static str> {
    Some(match name {
        "short_cardinal" => "u16",
        "cardinal" => "u32",
        "short_integer" => "i16",
        "integer" => "i32",
        "short_real" => "f32",
        "real" => "f64",
        "byte" => "u8",
        "boolean" => "bool",
        "string" => "&str",
        "constant_string" => "&CStr",
        "bytes" => "&[u8]",
        "unicode" => "unicode",
        "pointer" => "*mut c_void",
        _ => return None,
    })
}

fn single_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let seg = &p.path.segments[0];
            matches!(seg.arguments, PathArguments::None).then(|| seg.ident.to_string())
        }
        _ => None,
    }
}

fn last_segment(ty: &Type) -> Option<(&syn::Ident, &PathArguments)> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| (&s.ident, &s.arguments))
        }
        _ => None,
    }
}

fn is_cstr(ty: &Type) -> bool {
    matches!(last_segment(ty), Some((id, PathArguments::None)) if id == "CStr")
}

fn is_u8(ty: &Type) -> bool {
    single_ident(ty).as_deref() == Some("u8")
}

fn generic_arg(args: &PathArguments) -> Option<&Type> {
    match args {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Classifies `ty`, recording an error (and returning `None`) for a type C
/// cannot take.
pub fn classify(ty: &Type, errors: &mut Errors) -> Option<Ty> {
    if let Some(name) = single_ident(ty) {
        if PRIMS.contains(&name.as_str()) {
            return Some(Ty::Prim {
                rust: ty.to_token_stream(),
                src: ty.clone(),
            });
        }
        if C_ALIASES.contains(&name.as_str()) {
            // Used as written: the declaration is Rust code, and its names
            // resolve where it stands (so the user's own import is used).
            return Some(Ty::Prim {
                rust: ty.to_token_stream(),
                src: ty.clone(),
            });
        }
        if let Some(k) = ilu_keyword(&name) {
            let span = ty.span();
            return Some(match k {
                "&str" => Ty::Str(ty.clone()),
                "&CStr" => Ty::CStr(ty.clone()),
                "&[u8]" => Ty::Bytes(ty.clone()),
                "unicode" => Ty::Unicode(ty.clone()),
                "*mut c_void" => {
                    Ty::RawPtr(syn::parse_quote_spanned!(span=> *mut ::core::ffi::c_void))
                }
                prim => {
                    let id = syn::Ident::new(prim, span);
                    Ty::Prim {
                        rust: quote!(#id),
                        src: ty.clone(),
                    }
                }
            });
        }
        match name.as_str() {
            "String" => {
                errors.error(
                    ty,
                    "C cannot take or return `String`: pass `&str` (copied to a NUL-terminated temporary) or \
                     `&CStr`; a returned `const char *` is `&CStr` or `Option<&CStr>`",
                );
                return None;
            }
            "char" => {
                errors.error(
                    ty,
                    "Rust's `char` is not C's `char`: declare `c_char` (or `u32` for a code point)",
                );
                return None;
            }
            "i128" | "u128" => {
                errors.error(ty, "128-bit integers have no stable C ABI here; pass two 64-bit halves or a pointer");
                return None;
            }
            _ => {}
        }
    }
    match ty {
        Type::Ptr(_) => Some(Ty::RawPtr(ty.clone())),
        Type::BareFn(f) => {
            if f.abi.is_none() {
                errors.error(
                    ty,
                    "a function pointer passed to C must be `extern \"C\" fn(...)`",
                );
                return None;
            }
            Some(Ty::FnPtr(ty.clone()))
        }
        Type::Paren(p) => classify(&p.elem, errors),
        Type::Group(g) => classify(&g.elem, errors),
        Type::Reference(r) => {
            let elem = &*r.elem;
            if r.mutability.is_none() && single_ident(elem).as_deref() == Some("str") {
                return Some(Ty::Str(ty.clone()));
            }
            if r.mutability.is_none() && is_cstr(elem) {
                return Some(Ty::CStr(ty.clone()));
            }
            if let Type::Slice(s) = elem {
                if is_u8(&s.elem) {
                    return Some(if r.mutability.is_some() {
                        Ty::BytesMut(ty.clone())
                    } else {
                        Ty::Bytes(ty.clone())
                    });
                }
            }
            if single_ident(elem).as_deref() == Some("String") {
                errors.error(ty, "C cannot take `&String`: declare `&str`");
                return None;
            }
            errors.error(
                ty,
                "C cannot take a Rust reference to this type: use a raw pointer, or an `out`/`inout` parameter of the pointee type",
            );
            None
        }
        Type::Tuple(t) if t.elems.is_empty() => {
            errors.error(
                ty,
                "`()` is not a C type: leave out the return type of a `void` function",
            );
            None
        }
        Type::Tuple(_) => {
            errors.error(ty, "C cannot take a tuple: declare a `#[repr(C)]` struct with `#[derive(alien::CStruct)]`");
            None
        }
        Type::Array(_) => {
            errors.error(ty, "C cannot take an array by value: pass a pointer, or wrap it in a `#[repr(C)]` struct");
            None
        }
        Type::Slice(_) => {
            errors.error(ty, "C cannot take a slice: `&[u8]`/`&mut [u8]` pass bytes, other data needs a raw pointer");
            None
        }
        Type::ImplTrait(it) => closure(ty, it, errors),
        Type::TraitObject(_) => {
            errors.error(
                ty,
                "C cannot take a trait object: pass a closure as `impl Fn(A, B) -> R`",
            );
            None
        }
        Type::Never(_) => {
            errors.error(ty, "`!` is not a C type");
            None
        }
        Type::Path(_) => {
            if let Some((id, args)) = last_segment(ty) {
                let name = id.to_string();
                match name.as_str() {
                    "Vec" | "Box" | "Rc" | "Arc" | "HashMap" | "BTreeMap" | "VecDeque"
                    | "String" | "OsString" | "PathBuf" | "CString" => {
                        errors.error(
                            ty,
                            format_args!("C cannot take `{name}`: pass a pointer to its data (and the length) instead"),
                        );
                        return None;
                    }
                    "Option" => {
                        if let Some(inner) = generic_arg(args) {
                            if let Type::Reference(r) = inner {
                                if r.mutability.is_none() && is_cstr(&r.elem) {
                                    return Some(Ty::OptCStr(ty.clone()));
                                }
                            }
                            if matches!(inner, Type::BareFn(_)) {
                                return Some(Ty::FnPtr(ty.clone()));
                            }
                            if let Some((n, _)) = last_segment(inner) {
                                if n == "NonNull" {
                                    return Some(Ty::RawPtr(ty.clone()));
                                }
                            }
                        }
                        errors.error(ty, "C takes `Option` only of `&CStr`, `NonNull<T>` or an `extern \"C\" fn` (NULL is `None`)");
                        return None;
                    }
                    _ => {}
                }
            }
            Some(Ty::User(ty.clone()))
        }
        _ => {
            errors.error(ty, "C cannot take this type");
            None
        }
    }
}

/// The `CStr` path as the user wrote it inside `&CStr` (so their import is
/// what names it); the full path for ILU's `constant_string`.
fn cstr_elem(t: &Type) -> TokenStream {
    match t {
        Type::Reference(r) => r.elem.to_token_stream(),
        _ => quote!(::core::ffi::CStr),
    }
}

/// Most arguments of a callback made from a closure (`impl FnMut(..)`).
pub const MAX_CLOSURE_ARGS: usize = 10;

/// `impl Fn(A, B) -> R` or `impl FnMut(..)`.
fn closure(ty: &Type, it: &syn::TypeImplTrait, errors: &mut Errors) -> Option<Ty> {
    for bound in &it.bounds {
        let syn::TypeParamBound::Trait(t) = bound else {
            continue;
        };
        let Some(seg) = t.path.segments.last() else {
            continue;
        };
        let mutable = match seg.ident.to_string().as_str() {
            "Fn" => false,
            "FnMut" => true,
            "FnOnce" => {
                errors.error(
                    ty,
                    "C may call a callback more than once: take `impl Fn(..)` or `impl FnMut(..)`",
                );
                return None;
            }
            _ => continue,
        };
        let PathArguments::Parenthesized(p) = &seg.arguments else {
            continue;
        };
        let args: Vec<Type> = p.inputs.iter().cloned().collect();
        let ret = match &p.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, t) => Some((**t).clone()),
        };
        if args.len() > MAX_CLOSURE_ARGS {
            errors.error(
                ty,
                format_args!("a callback takes at most {MAX_CLOSURE_ARGS} arguments here"),
            );
            return None;
        }
        return Some(Ty::Closure {
            src: ty.clone(),
            mutable,
            args,
            ret,
        });
    }
    errors.error(
        ty,
        "C cannot take `impl Trait` other than a closure `impl Fn(A, B) -> R`",
    );
    None
}

impl Ty {
    /// The type as written by the user.
    pub fn source(&self) -> TokenStream {
        match self {
            Ty::Prim { src, .. } => src.to_token_stream(),
            Ty::RawPtr(t)
            | Ty::FnPtr(t)
            | Ty::Str(t)
            | Ty::CStr(t)
            | Ty::OptCStr(t)
            | Ty::Bytes(t)
            | Ty::BytesMut(t)
            | Ty::Unicode(t)
            | Ty::User(t) => t.to_token_stream(),
            Ty::Closure { src, .. } => src.to_token_stream(),
        }
    }

    /// Whether the type may appear at `pos`; records why not.
    pub fn check_position(&self, pos: Position, errors: &mut Errors) -> bool {
        let src = self.source();
        match (self, pos) {
            (
                Ty::Str(_)
                | Ty::CStr(_)
                | Ty::OptCStr(_)
                | Ty::Bytes(_)
                | Ty::BytesMut(_)
                | Ty::Unicode(_),
                Position::Out,
            ) => {
                errors.error(
                    src,
                    "`out`/`inout` needs a value C can write through a pointer; strings and byte slices cannot be: \
                     declare an `out` raw pointer (e.g. `*mut c_char`) or pass a `&mut [u8]` buffer as an `in` parameter",
                );
                false
            }
            (Ty::Str(_) | Ty::Unicode(_), Position::Return) => {
                errors.error(src, "a returned C string is borrowed, not owned: declare `&CStr` or `Option<&CStr>`");
                false
            }
            (Ty::Closure { .. }, Position::Out | Position::Return) => {
                errors.error(
                    src,
                    "a closure is passed to C as a callback: only as an `in` parameter",
                );
                false
            }
            (Ty::Bytes(_) | Ty::BytesMut(_), Position::Return) => {
                errors.error(
                    src,
                    "C returns no length with a pointer: declare a raw pointer result",
                );
                false
            }
            _ => true,
        }
    }

    /// Whether passing it needs a run-time check that can fail.
    pub fn needs_check(&self, pos: Position) -> bool {
        match self {
            Ty::Str(_) | Ty::Unicode(_) => true,
            Ty::CStr(_) => pos == Position::Return,
            _ => false,
        }
    }

    /// The C type it becomes (for `in` and return positions).
    pub fn c_type(&self, pos: Position) -> TokenStream {
        match self {
            Ty::Prim { rust, .. } => rust.clone(),
            Ty::RawPtr(t) | Ty::FnPtr(t) => t.to_token_stream(),
            Ty::Str(_) | Ty::CStr(_) | Ty::OptCStr(_) => quote!(*const ::core::ffi::c_char),
            Ty::Bytes(_) => quote!(*const u8),
            Ty::BytesMut(_) => quote!(*mut u8),
            Ty::Unicode(_) => quote!(*const u16),
            Ty::Closure { args, ret, .. } => {
                let ret = ret.as_ref().map_or_else(|| quote!(()), |r| quote!(#r));
                quote!(unsafe extern "C" fn(#(#args),*) -> #ret)
            }
            // Spanned at the user's type, so that a type C cannot take is
            // reported there (once: rustc merges identical errors at one span).
            Ty::User(t) => {
                let span = t.span();
                match pos {
                    Position::In => quote_spanned!(span=> <#t as ::alien::__private::IntoC>::C),
                    _ => quote_spanned!(span=> <#t as ::alien::__private::FromC>::C),
                }
            }
        }
    }

    /// The Rust type the wrapper takes or returns.
    pub fn rust_type(&self, pos: Position) -> TokenStream {
        match self {
            Ty::Prim { rust, .. } => rust.clone(),
            Ty::Str(_) | Ty::Unicode(_) => quote!(&str),
            Ty::CStr(t) => {
                let elem = cstr_elem(t);
                if pos == Position::Return {
                    quote!(&'static #elem)
                } else {
                    quote!(&#elem)
                }
            }
            Ty::OptCStr(t) => {
                let elem = match t {
                    Type::Path(p) => match p.path.segments.last().map(|s| &s.arguments) {
                        Some(args) => {
                            generic_arg(args).map_or_else(|| quote!(::core::ffi::CStr), cstr_elem)
                        }
                        None => quote!(::core::ffi::CStr),
                    },
                    _ => quote!(::core::ffi::CStr),
                };
                if pos == Position::Return {
                    quote!(::core::option::Option<&'static #elem>)
                } else {
                    quote!(::core::option::Option<&#elem>)
                }
            }
            Ty::Bytes(_) => quote!(&[u8]),
            Ty::BytesMut(_) => quote!(&mut [u8]),
            Ty::RawPtr(t) | Ty::FnPtr(t) | Ty::User(t) => t.to_token_stream(),
            Ty::Closure { src, .. } => src.to_token_stream(),
        }
    }

    /// Whether it is a raw pointer (a wrapper taking one must be `unsafe`).
    pub fn is_raw_pointer(&self) -> bool {
        matches!(self, Ty::RawPtr(_))
    }
}
