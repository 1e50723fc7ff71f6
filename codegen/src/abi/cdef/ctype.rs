//! C types as declared, richer than [`Type`]: they remember tags, function
//! types, unions and what cannot be represented, so that a `typedef` or a
//! pointer to any of them is fine and only a use by value needs a [`Type`].

use crate::abi::Type;
use std::sync::Arc;

/// The most levels of arrays and nested structs in one type.
pub(super) const MAX_DEPTH: usize = 64;

/// The longest spelling kept for a pointed-to type.
pub(super) const MAX_SPELLING: usize = 4096;

/// Stands for the declarator inside a pointer type's spelling.
pub(super) const HOLE: &str = "@";

/// Which tag namespace entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TagKind {
    Struct,
    Union,
    Enum,
}

impl TagKind {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            TagKind::Struct => "struct",
            TagKind::Union => "union",
            TagKind::Enum => "enum",
        }
    }
}

/// A declared C type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CType {
    /// `void`.
    Void,
    /// An integer, `_Bool` or floating type (never a pointer, struct or
    /// array).
    Scalar(Type),
    /// A pointer; the spelling of the pointer type with [`HOLE`] where a name
    /// would go (`"int (*@)(int)"`).
    Pointer(Arc<str>),
    /// A struct, union or enum by its tag, looked up when used (so that a
    /// typedef of a tag declared later in full works).
    Tag(TagKind, Arc<str>),
    /// A struct or union without a tag.
    Anon(Arc<Aggregate>),
    /// An array; `None` for `[]`.
    Array(Box<CType>, Option<usize>),
    /// A function type.
    Func(Arc<FuncType>),
    /// A type C has but the model has not (`long double`), with its size and
    /// alignment on x86-64 if known.
    Unsupported {
        what: Arc<str>,
        layout: Option<(usize, usize)>,
    },
}

/// A struct or union body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Aggregate {
    pub kind: TagKind,
    /// The tag, or for an untagged one the typedef naming it.
    pub name: Option<String>,
    /// Whether `name` is a tag (spelled `struct name`) or a typedef name.
    pub tagged: bool,
    pub members: Vec<Member>,
    /// Size and alignment, or why they are unknown (bit-fields).
    pub layout: Result<(usize, usize), String>,
    /// The model's type (a struct), or why there is none.
    pub repr: Result<Type, String>,
    /// Levels of nesting (1 for a struct of scalars).
    pub depth: usize,
}

/// A member of a struct or union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member {
    /// `None` for an anonymous struct or union member, or an unnamed
    /// bit-field.
    pub name: Option<String>,
    pub ty: CType,
    /// Its byte offset (0 when the layout is unknown).
    pub offset: usize,
    /// Whether it is a bit-field.
    pub bitfield: bool,
}

/// A function type.
#[derive(Debug, Clone)]
pub(super) struct FuncType {
    pub ret: CType,
    /// Parameter types, adjusted (arrays and functions become pointers).
    pub params: Vec<CType>,
    pub names: Vec<Option<String>>,
    /// Byte offsets of the parameters in the text of parse `origin`.
    pub positions: Vec<usize>,
    pub origin: u64,
    pub variadic: bool,
}

impl PartialEq for FuncType {
    /// Parameter names and positions do not matter.
    fn eq(&self, other: &FuncType) -> bool {
        self.ret == other.ret && self.params == other.params && self.variadic == other.variadic
    }
}

impl Eq for FuncType {}

impl Aggregate {
    /// `struct tag`, `union tag`, a typedef's name, or `struct <anonymous>`.
    pub(super) fn spelling(&self) -> String {
        match (&self.name, self.tagged) {
            (Some(n), true) => format!("{} {n}", self.kind.keyword()),
            (Some(n), false) => n.clone(),
            (None, _) => format!("{} <anonymous>", self.kind.keyword()),
        }
    }
}

/// The C name of a scalar of the model.
pub(super) fn scalar_name(t: &Type) -> String {
    match t {
        Type::Void => "void",
        Type::Bool => "_Bool",
        Type::I8 => "char",
        Type::U8 => "unsigned char",
        Type::I16 => "short",
        Type::U16 => "unsigned short",
        Type::I32 => "int",
        Type::U32 => "unsigned int",
        Type::I64 => "long",
        Type::U64 => "unsigned long",
        Type::F32 => "float",
        Type::F64 => "double",
        Type::Pointer => "void *",
        other => return other.to_string(),
    }
    .to_owned()
}

impl CType {
    /// The C spelling of a declaration of `inner` (a name, or "") with this
    /// type: `int (*)(int)`, `char [16]`, `struct rect`.
    pub(super) fn spell(&self, inner: &str) -> String {
        let join = |base: &str| {
            if inner.is_empty() {
                base.to_owned()
            } else {
                format!("{base} {inner}")
            }
        };
        let wrap = || {
            if inner.starts_with('*') {
                format!("({inner})")
            } else {
                inner.to_owned()
            }
        };
        match self {
            CType::Void => join("void"),
            CType::Scalar(t) => join(&scalar_name(t)),
            CType::Pointer(s) => s.replace(HOLE, inner).trim_end().to_owned(),
            CType::Tag(k, n) => join(&format!("{} {n}", k.keyword())),
            CType::Anon(a) => join(&a.spelling()),
            CType::Unsupported { what, .. } => join(what),
            CType::Array(e, n) => {
                let n = n.map_or(String::new(), |n| n.to_string());
                e.spell(&format!("{}[{n}]", wrap()))
            }
            CType::Func(f) => {
                let mut params: Vec<String> = f.params.iter().map(|p| p.spell("")).collect();
                if f.variadic {
                    params.push("...".to_owned());
                }
                if params.is_empty() {
                    params.push("void".to_owned());
                }
                f.ret.spell(&format!("{}({})", wrap(), params.join(", ")))
            }
        }
    }

    /// Levels of arrays and nested structs (0 for scalars and pointers).
    /// Tags count through their definitions, given by `tag_depth`.
    pub(super) fn depth(&self, tag_depth: &dyn Fn(&str) -> usize) -> usize {
        match self {
            CType::Array(e, _) => 1 + e.depth(tag_depth),
            CType::Anon(a) => a.depth,
            CType::Tag(TagKind::Enum, _) => 0,
            CType::Tag(_, n) => tag_depth(n),
            CType::Func(f) => {
                1 + f
                    .params
                    .iter()
                    .map(|p| p.depth(tag_depth))
                    .chain(std::iter::once(f.ret.depth(tag_depth)))
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }
}
