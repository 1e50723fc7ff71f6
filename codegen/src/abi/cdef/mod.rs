//! C declarations as text at run time, like LuaJIT's `ffi.cdef`: a registry
//! of typedefs, tags, enum constants and function declarations, fed with C
//! source and asked for [`Signature`]s and [`Type`]s.
//!
//! ```
//! use alien_codegen::abi::cdef::CDefs;
//! use alien_codegen::abi::Type;
//!
//! let mut defs = CDefs::new();
//! defs.parse("typedef struct { int x, y; } point; struct rect { double x, y, w, h; };")?;
//! let f = defs.function("int snprintf(char *buf, size_t n, const char *fmt, ...)")?;
//! assert_eq!(f.params, [Type::Pointer, Type::U64, Type::Pointer]);
//! assert!(f.variadic);
//! let sig = f.signature_with(&[Type::F64])?;
//! assert_eq!(sig.fixed(), Some(3));
//! assert_eq!(defs.type_of("struct rect")?.size(), 32);
//! assert_eq!(defs.offset_of("point", "y")?, 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What is read: the declaration syntax of C11 (with a few C23 and GNU
//! forms): all basic types in any order of their words, qualifiers
//! (ignored), pointers to anything, arrays, function types and pointers to
//! them, parameter names or none, `(void)`, `...`, structs and unions with a
//! tag or without, nested and anonymous members, enums (their constants
//! become [`CDefs::constant`]s), `typedef`, several declarators per
//! declaration, integer constant expressions (with `sizeof`, casts and enum
//! constants) in array sizes and enum values, `static const` integers,
//! `_Static_assert`, comments, `__attribute__` and `__asm__` labels. Lines
//! starting with `#` are skipped (macros are not expanded).
//!
//! The target is x86-64 Linux: `long` is 64 bits, `char` is signed,
//! `wchar_t` is `int`.
//!
//! What the type model cannot hold — unions, bit-fields, `long double`,
//! `__int128`, `_Complex`, flexible array members — may still be declared,
//! used behind pointers and measured with [`CDefs::size_of`]; using it by
//! value where a [`Type`] is needed (a parameter, a result, a variable,
//! [`CDefs::type_of`]) is a [`CdefError::Unsupported`]. Layout attributes
//! (`packed`, `aligned`, ...) are refused outright.

mod ctype;
mod error;
mod expr;
mod lexer;
mod parser;
mod registry;
#[cfg(test)]
mod tests;

pub use error::{CdefError, Location};

use super::{Field, Signature, Type, TypeError};
use ctype::CType;
use parser::Parser;
use registry::{Ordinary, Scope};
use std::fmt;
use std::sync::Arc;

/// A registry of C declarations: typedefs, struct/union/enum tags, enum
/// constants, functions and variables.
///
/// [`CDefs::new`] starts with the standard names of x86-64 Linux
/// (`size_t`, `int32_t`, `uintptr_t`, `wchar_t`, `FILE`, `va_list`, ...).
/// [`CDefs::parse`] adds to it; queries ([`CDefs::function`],
/// [`CDefs::type_of`], ...) leave it unchanged.
#[derive(Debug, Clone)]
pub struct CDefs {
    scope: Scope,
}

impl Default for CDefs {
    fn default() -> CDefs {
        CDefs::new()
    }
}

/// A declared function, as the type model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDecl {
    /// Its name.
    pub name: String,
    /// Parameter types (arrays and functions adjusted to pointers).
    pub params: Vec<Type>,
    /// Parameter names, where the declaration gave them.
    pub param_names: Vec<Option<String>>,
    /// The result type.
    pub ret: Type,
    /// Whether it ends in `...`.
    pub variadic: bool,
    /// The signature without variadic arguments (for a variadic function:
    /// all parameters fixed and no extra one).
    pub signature: Signature,
    /// The symbol an `__asm__("name")` label gave, if any.
    pub link_name: Option<String>,
    spelling: String,
}

impl FunctionDecl {
    /// The signature of a call with `extra` variadic arguments after the
    /// declared parameters. The extra types undergo C's default argument
    /// promotions (see [`FunctionDecl::promote`]): pass values of the
    /// promoted types. A function that is not variadic takes no extra
    /// argument.
    pub fn signature_with(&self, extra: &[Type]) -> Result<Signature, TypeError> {
        if !self.variadic {
            if extra.is_empty() {
                return Ok(self.signature.clone());
            }
            return Err(TypeError::TooManyArguments {
                count: self.params.len() + extra.len(),
                max: self.params.len(),
            });
        }
        let mut args = self.params.clone();
        args.extend(extra.iter().map(FunctionDecl::promote));
        Signature::variadic(args, self.params.len(), self.ret.clone())
    }

    /// C's default argument promotion of a variadic argument: `float`
    /// becomes `double`; `_Bool`, `char` and `short` become `int`.
    pub fn promote(ty: &Type) -> Type {
        match ty {
            Type::F32 => Type::F64,
            Type::Bool | Type::I8 | Type::U8 | Type::I16 | Type::U16 => Type::I32,
            other => other.clone(),
        }
    }

    /// The symbol to look up: the `__asm__` label, or the name.
    pub fn symbol(&self) -> &str {
        self.link_name.as_deref().unwrap_or(&self.name)
    }
}

impl fmt::Display for FunctionDecl {
    /// The C declaration, canonically spelled (`int snprintf(char *,
    /// unsigned long, char *, ...)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spelling)
    }
}

impl CDefs {
    /// A registry with the standard names.
    pub fn new() -> CDefs {
        CDefs {
            scope: Scope::standard(),
        }
    }

    /// Reads declarations and remembers them. All or nothing: on an error,
    /// nothing of `src` is kept.
    ///
    /// Declaring a name again is fine if it means the same (so the same
    /// header may be read twice); otherwise it is a
    /// [`CdefError::Redefinition`].
    pub fn parse(&mut self, src: &str) -> Result<(), CdefError> {
        let staged = {
            let mut p = Parser::new(&self.scope, src)?;
            p.unit()?;
            p.staged
        };
        self.scope.merge(staged);
        Ok(())
    }

    /// Reads one function declaration (`int puts(const char *s)`, the `;`
    /// optional) without remembering it.
    pub fn function(&self, src: &str) -> Result<FunctionDecl, CdefError> {
        Parser::new(&self.scope, src)?.single_function()
    }

    /// The type a type name means (`"struct rect"`, `"unsigned long long"`,
    /// `"char *"`, `"int[4]"`, `"void"`).
    pub fn type_of(&self, src: &str) -> Result<Type, CdefError> {
        let mut p = Parser::new(&self.scope, src)?;
        let (ty, at) = p.whole_type()?;
        if let CType::Func(_) = ty {
            return Err(p.invalid(
                at,
                format!(
                    "'{}' is a function type; the model has pointers to functions",
                    ty.spell("")
                ),
            ));
        }
        p.view()
            .model_type(&ty)
            .map_err(|w| p.why_error(w, at, "the type"))
    }

    /// `sizeof` a type name (also for unions and other types the model
    /// cannot hold).
    pub fn size_of(&self, src: &str) -> Result<usize, CdefError> {
        self.layout(src).map(|l| l.0)
    }

    /// `_Alignof` a type name.
    pub fn align_of(&self, src: &str) -> Result<usize, CdefError> {
        self.layout(src).map(|l| l.1)
    }

    fn layout(&self, src: &str) -> Result<(usize, usize), CdefError> {
        let mut p = Parser::new(&self.scope, src)?;
        let (ty, at) = p.whole_type()?;
        p.view()
            .layout(&ty)
            .map_err(|w| p.why_error(w, at, "the type"))
    }

    /// `offsetof(ty, member)`: `member` is a name, or a path through nested
    /// members and array elements (`"pos.x"`, `"items[2].id"`); members of
    /// anonymous structs and unions are found by their own names.
    pub fn offset_of(&self, ty: &str, member: &str) -> Result<usize, CdefError> {
        self.walk(ty, member, |_, offset| Ok(offset))
    }

    /// The type and offset of a member (see [`CDefs::offset_of`] for the
    /// path).
    pub fn member(&self, ty: &str, member: &str) -> Result<Field, CdefError> {
        self.walk(ty, member, |(p, cty, at), offset| {
            let ty = p
                .view()
                .model_type(cty)
                .map_err(|w| p.why_error(w, at, &format!("member '{member}'")))?;
            Ok(Field { ty, offset })
        })
    }

    fn walk<T>(
        &self,
        ty: &str,
        path: &str,
        then: impl FnOnce((&Parser<'_>, &CType, usize), usize) -> Result<T, CdefError>,
    ) -> Result<T, CdefError> {
        let mut p = Parser::new(&self.scope, ty)?;
        let (cty, at) = p.whole_type()?;
        if p.view().aggregate(&cty).is_none() {
            return Err(p.invalid(
                at,
                format!("'{}' is not a complete struct or union", cty.spell("")),
            ));
        }
        p.retarget(path)?;
        let (member, offset) = p.member_path(cty)?;
        then((&p, &member, 0), offset)
    }

    /// The names of a struct's fields, in the order of
    /// [`crate::abi::StructType::fields`] (`None` for an anonymous member).
    pub fn field_names(&self, ty: &str) -> Result<Vec<Option<String>>, CdefError> {
        let mut p = Parser::new(&self.scope, ty)?;
        let (cty, at) = p.whole_type()?;
        // Checks it is a struct the model holds.
        match p.view().model_type(&cty) {
            Ok(Type::Struct(_)) => {}
            Ok(other) => {
                return Err(p.invalid(at, format!("'{other}' is not a struct")));
            }
            Err(w) => return Err(p.why_error(w, at, "the type")),
        }
        let names = p
            .view()
            .aggregate(&cty)
            .map(|a| a.members.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default();
        Ok(names)
    }

    /// A function declared by [`CDefs::parse`].
    pub fn lookup_function(&self, name: &str) -> Option<&FunctionDecl> {
        match self.scope.ordinary.get(name) {
            Some(Ordinary::Function(f, _)) => Some(f),
            _ => None,
        }
    }

    /// Every declared function, in order of declaration.
    pub fn functions(&self) -> impl Iterator<Item = &FunctionDecl> + '_ {
        self.scope
            .functions
            .iter()
            .filter_map(|n| self.lookup_function(n))
    }

    /// The type of a declared variable (`extern int errno_like;`).
    pub fn lookup_variable(&self, name: &str) -> Option<&Type> {
        match self.scope.ordinary.get(name) {
            Some(Ordinary::Variable(t, _)) => Some(t),
            _ => None,
        }
    }

    /// The value of an enum constant or a `static const` integer.
    pub fn constant(&self, name: &str) -> Option<i64> {
        match self.scope.ordinary.get(name) {
            Some(Ordinary::Constant(v)) => Some(*v),
            _ => None,
        }
    }

    /// Whether `name` is a typedef name.
    pub fn is_typedef(&self, name: &str) -> bool {
        matches!(self.scope.ordinary.get(name), Some(Ordinary::Typedef(_)))
    }
}

// `CDefs` is shared between threads by interpreters.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<CDefs>();
    send_sync::<Arc<FunctionDecl>>();
};
