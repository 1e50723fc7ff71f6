//! The names declarations leave behind — typedefs, tags, enum constants,
//! functions, variables — and what needs them: turning a declared type into
//! the model's [`Type`] and laying out structs and unions.

use super::ctype::{Aggregate, CType, Member, TagKind, HOLE, MAX_DEPTH};
use super::FunctionDecl;
use crate::abi::{StructType, Type, TypeError};
use std::collections::HashMap;
use std::sync::Arc;

/// An ordinary identifier.
#[derive(Debug, Clone)]
pub(super) enum Ordinary {
    Typedef(CType),
    /// An enum constant or a `const` integer with an initializer.
    Constant(i64),
    Function(Arc<FunctionDecl>, CType),
    Variable(Type, CType),
}

impl Ordinary {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Ordinary::Typedef(_) => "a typedef",
            Ordinary::Constant(_) => "a constant",
            Ordinary::Function(..) => "a function",
            Ordinary::Variable(..) => "a variable",
        }
    }
}

/// A tag's body once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagBody {
    Aggregate(Arc<Aggregate>),
    /// An enum's underlying integer type.
    Enum(Type),
}

/// A tag: declared (`struct s;`) or defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TagEntry {
    pub kind: TagKind,
    pub body: Option<TagBody>,
}

/// One set of declarations: the committed registry, or what one parse adds
/// to it.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub ordinary: HashMap<String, Ordinary>,
    pub tags: HashMap<String, TagEntry>,
    /// Function names in order of first declaration.
    pub functions: Vec<String>,
}

impl Scope {
    /// Takes over everything `staged` declared (it was checked against
    /// `self`).
    pub(super) fn merge(&mut self, staged: Scope) {
        for f in staged.functions {
            if !self.ordinary.contains_key(&f) {
                self.functions.push(f);
            }
        }
        self.ordinary.extend(staged.ordinary);
        self.tags.extend(staged.tags);
    }

    /// The standard names of x86-64 Linux (LP64, glibc).
    pub(super) fn standard() -> Scope {
        use Type::*;
        let mut s = Scope::default();
        let scalars: &[(&str, Type)] = &[
            ("size_t", U64),
            ("ssize_t", I64),
            ("ptrdiff_t", I64),
            ("intptr_t", I64),
            ("uintptr_t", U64),
            ("intmax_t", I64),
            ("uintmax_t", U64),
            ("int8_t", I8),
            ("int16_t", I16),
            ("int32_t", I32),
            ("int64_t", I64),
            ("uint8_t", U8),
            ("uint16_t", U16),
            ("uint32_t", U32),
            ("uint64_t", U64),
            ("int_least8_t", I8),
            ("int_least16_t", I16),
            ("int_least32_t", I32),
            ("int_least64_t", I64),
            ("uint_least8_t", U8),
            ("uint_least16_t", U16),
            ("uint_least32_t", U32),
            ("uint_least64_t", U64),
            ("int_fast8_t", I8),
            ("int_fast16_t", I64),
            ("int_fast32_t", I64),
            ("int_fast64_t", I64),
            ("uint_fast8_t", U8),
            ("uint_fast16_t", U64),
            ("uint_fast32_t", U64),
            ("uint_fast64_t", U64),
            ("bool", Bool),
            ("wchar_t", I32),
            ("wint_t", U32),
            ("char16_t", U16),
            ("char32_t", U32),
            ("off_t", I64),
            ("off64_t", I64),
            ("pid_t", I32),
            ("uid_t", U32),
            ("gid_t", U32),
            ("id_t", U32),
            ("mode_t", U32),
            ("time_t", I64),
            ("clock_t", I64),
            ("suseconds_t", I64),
            ("useconds_t", U32),
            ("socklen_t", U32),
            ("ino_t", U64),
            ("dev_t", U64),
            ("nlink_t", U64),
            ("blksize_t", I64),
            ("blkcnt_t", I64),
            ("key_t", I32),
            ("sig_atomic_t", I32),
        ];
        for (name, ty) in scalars {
            s.ordinary.insert(
                (*name).to_owned(),
                Ordinary::Typedef(CType::Scalar(ty.clone())),
            );
        }
        for (name, what) in [
            ("__int128_t", "__int128"),
            ("__uint128_t", "unsigned __int128"),
        ] {
            s.ordinary.insert(
                name.to_owned(),
                Ordinary::Typedef(CType::Unsupported {
                    what: what.into(),
                    layout: Some((16, 16)),
                }),
            );
        }
        for (name, v) in [("false", 0), ("true", 1)] {
            s.ordinary.insert(name.to_owned(), Ordinary::Constant(v));
        }
        // FILE is glibc's `struct _IO_FILE`, used through pointers only.
        s.tags.insert(
            "_IO_FILE".to_owned(),
            TagEntry {
                kind: TagKind::Struct,
                body: None,
            },
        );
        s.ordinary.insert(
            "FILE".to_owned(),
            Ordinary::Typedef(CType::Tag(TagKind::Struct, "_IO_FILE".into())),
        );
        // va_list: an array of one `struct __va_list_tag` (so that it is
        // passed as a pointer).
        let ptr = CType::Pointer(format!("void *{HOLE}").into());
        let fields = [
            ("gp_offset", CType::Scalar(U32), 0),
            ("fp_offset", CType::Scalar(U32), 4),
            ("overflow_arg_area", ptr.clone(), 8),
            ("reg_save_area", ptr, 16),
        ];
        let repr = StructType::new(Some("__va_list_tag"), vec![U32, U32, Pointer, Pointer])
            .map(|s| Struct(Arc::new(s)))
            .map_err(|e| e.to_string());
        let tag = Aggregate {
            kind: TagKind::Struct,
            name: Some("__va_list_tag".to_owned()),
            tagged: true,
            members: fields
                .into_iter()
                .map(|(n, ty, offset)| Member {
                    name: Some(n.to_owned()),
                    ty,
                    offset,
                    bitfield: false,
                })
                .collect(),
            layout: Ok((24, 8)),
            repr,
            depth: 1,
        };
        s.tags.insert(
            "__va_list_tag".to_owned(),
            TagEntry {
                kind: TagKind::Struct,
                body: Some(TagBody::Aggregate(Arc::new(tag))),
            },
        );
        let va_list = CType::Array(
            Box::new(CType::Tag(TagKind::Struct, "__va_list_tag".into())),
            Some(1),
        );
        for name in ["va_list", "__builtin_va_list", "__gnuc_va_list"] {
            s.ordinary
                .insert(name.to_owned(), Ordinary::Typedef(va_list.clone()));
        }
        s
    }
}

/// Why a declared type has no [`Type`] or no layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Why {
    Void,
    Function,
    /// An incomplete struct, union or enum (its spelling).
    Incomplete(String),
    IncompleteArray,
    Unsupported {
        what: String,
        reason: Option<String>,
    },
    Type(TypeError),
    TooDeep,
    Invalid(String),
}

/// The registry as seen during one parse: what it adds, over what was there.
#[derive(Debug, Clone, Copy)]
pub(super) struct View<'a> {
    pub staged: &'a Scope,
    pub base: &'a Scope,
}

impl<'a> View<'a> {
    pub(super) fn ordinary(&self, name: &str) -> Option<&'a Ordinary> {
        self.staged
            .ordinary
            .get(name)
            .or_else(|| self.base.ordinary.get(name))
    }

    pub(super) fn tag(&self, name: &str) -> Option<&'a TagEntry> {
        self.staged
            .tags
            .get(name)
            .or_else(|| self.base.tags.get(name))
    }

    pub(super) fn typedef(&self, name: &str) -> Option<&'a CType> {
        match self.ordinary(name) {
            Some(Ordinary::Typedef(t)) => Some(t),
            _ => None,
        }
    }

    /// The body of a struct or union type, if complete.
    pub(super) fn aggregate<'b>(&self, ty: &'b CType) -> Option<&'b Aggregate>
    where
        'a: 'b,
    {
        match ty {
            CType::Anon(a) => Some(a),
            CType::Tag(TagKind::Struct | TagKind::Union, n) => match self.tag(n) {
                Some(TagEntry {
                    body: Some(TagBody::Aggregate(a)),
                    ..
                }) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    /// An enum's integer type if it is complete now; other types unchanged.
    pub(super) fn settle(&self, ty: &CType) -> CType {
        if let CType::Tag(TagKind::Enum, n) = ty {
            if let Some(TagEntry {
                body: Some(TagBody::Enum(t)),
                ..
            }) = self.tag(n)
            {
                return CType::Scalar(t.clone());
            }
        }
        ty.clone()
    }

    /// Nesting depth, through tags.
    pub(super) fn depth(&self, ty: &CType) -> usize {
        ty.depth(&|n| match self.tag(n) {
            Some(TagEntry {
                body: Some(TagBody::Aggregate(a)),
                ..
            }) => a.depth,
            _ => 0,
        })
    }

    /// The model's type for `ty` used by value.
    pub(super) fn model_type(&self, ty: &CType) -> Result<Type, Why> {
        match ty {
            CType::Void => Ok(Type::Void),
            CType::Scalar(t) => Ok(t.clone()),
            CType::Pointer(_) => Ok(Type::Pointer),
            CType::Tag(TagKind::Enum, _) => match self.settle(ty) {
                CType::Scalar(t) => Ok(t),
                _ => Err(Why::Incomplete(ty.spell(""))),
            },
            CType::Tag(..) | CType::Anon(_) => match self.aggregate(ty) {
                Some(a) => a.repr.clone().map_err(|reason| Why::Unsupported {
                    what: format!("{} by value", a.spelling()),
                    reason: Some(reason),
                }),
                None => Err(Why::Incomplete(ty.spell(""))),
            },
            CType::Array(_, None) => Err(Why::IncompleteArray),
            CType::Array(_, Some(0)) => Err(Why::Unsupported {
                what: "a zero-length array".to_owned(),
                reason: None,
            }),
            CType::Array(e, Some(n)) => {
                let t = self.model_type(e)?;
                let total = t
                    .size()
                    .checked_mul(*n)
                    .filter(|&s| s <= isize::MAX as usize);
                if total.is_none() {
                    return Err(Why::Type(TypeError::TooLarge));
                }
                Ok(Type::Array(Box::new(t), *n))
            }
            CType::Func(_) => Err(Why::Function),
            CType::Unsupported { what, .. } => Err(Why::Unsupported {
                what: what.to_string(),
                reason: None,
            }),
        }
    }

    /// Size and alignment of `ty`.
    pub(super) fn layout(&self, ty: &CType) -> Result<(usize, usize), Why> {
        match ty {
            CType::Void => Err(Why::Void),
            CType::Scalar(t) => Ok((t.size(), t.align())),
            CType::Pointer(_) => Ok((8, 8)),
            CType::Tag(TagKind::Enum, _) => match self.settle(ty) {
                CType::Scalar(t) => Ok((t.size(), t.align())),
                _ => Err(Why::Incomplete(ty.spell(""))),
            },
            CType::Tag(..) | CType::Anon(_) => match self.aggregate(ty) {
                Some(a) => a.layout.clone().map_err(|reason| Why::Unsupported {
                    what: format!("the layout of {}", a.spelling()),
                    reason: Some(reason),
                }),
                None => Err(Why::Incomplete(ty.spell(""))),
            },
            CType::Array(_, None) => Err(Why::IncompleteArray),
            CType::Array(e, Some(n)) => {
                let (size, align) = self.layout(e)?;
                let size = size
                    .checked_mul(*n)
                    .filter(|&s| s <= isize::MAX as usize)
                    .ok_or(Why::Type(TypeError::TooLarge))?;
                Ok((size, align))
            }
            CType::Func(_) => Err(Why::Function),
            CType::Unsupported { what, layout } => layout.ok_or_else(|| Why::Unsupported {
                what: format!("the layout of {what}"),
                reason: None,
            }),
        }
    }

    /// Lays out a struct or union. `Err` is for what C itself rejects (the
    /// index of the member to blame or `usize::MAX` for the whole, and why);
    /// what the model cannot represent ends up in `layout`/`repr` instead.
    pub(super) fn lay_out(
        &self,
        kind: TagKind,
        name: Option<String>,
        members: Vec<Member>,
    ) -> Result<Aggregate, (usize, Why)> {
        let mut members = members;
        let mut offset = 0usize;
        let mut size = 0usize;
        let mut align = 1usize;
        let mut layout_err: Option<String> = None;
        let mut repr_err: Option<String> = if kind == TagKind::Union {
            Some("the type model has no unions".to_owned())
        } else {
            None
        };
        let mut types = Vec::with_capacity(members.len());
        let mut depth = 1usize;
        let count = members.len();
        let too_large = |i: usize| (i, Why::Type(TypeError::TooLarge));
        for (i, m) in members.iter_mut().enumerate() {
            let label = match &m.name {
                Some(n) => format!("member '{n}'"),
                None => "anonymous member".to_owned(),
            };
            depth = depth.max(1 + self.depth(&m.ty));
            if depth > MAX_DEPTH {
                return Err((i, Why::TooDeep));
            }
            if m.bitfield {
                let what = match &m.name {
                    Some(n) => format!("it has bit-field '{n}'"),
                    None => "it has an unnamed bit-field".to_owned(),
                };
                layout_err.get_or_insert_with(|| what.clone());
                repr_err.get_or_insert(what);
                continue;
            }
            let (msize, malign) = if let CType::Array(e, None) = &m.ty {
                if i + 1 != count || kind == TagKind::Union {
                    return Err((i, Why::IncompleteArray));
                }
                repr_err.get_or_insert_with(|| format!("it has flexible array {label}"));
                match self.layout(e) {
                    Ok((_, a)) => (0, a),
                    Err(w) => return Err((i, w)),
                }
            } else {
                match self.layout(&m.ty) {
                    Ok(l) => {
                        match self.model_type(&m.ty) {
                            Ok(t) => types.push(t),
                            Err(Why::Unsupported { .. }) => {
                                let is_union = matches!(
                                    self.aggregate(&m.ty),
                                    Some(a) if a.kind == TagKind::Union
                                );
                                repr_err.get_or_insert_with(|| {
                                    if is_union {
                                        format!("its {label} is a union")
                                    } else {
                                        format!("its {label} has type {}", m.ty.spell(""))
                                    }
                                });
                            }
                            Err(w) => return Err((i, w)),
                        }
                        l
                    }
                    Err(Why::Unsupported { reason, .. }) => {
                        let what = format!(
                            "its {label} has type {}{}",
                            m.ty.spell(""),
                            reason.map_or(String::new(), |r| format!(" ({r})"))
                        );
                        layout_err.get_or_insert_with(|| what.clone());
                        repr_err.get_or_insert(what);
                        continue;
                    }
                    Err(w) => return Err((i, w)),
                }
            };
            if layout_err.is_some() {
                continue;
            }
            if kind == TagKind::Struct {
                offset = offset
                    .checked_next_multiple_of(malign)
                    .ok_or(too_large(i))?;
                m.offset = offset;
                offset = offset
                    .checked_add(msize)
                    .filter(|&s| s <= isize::MAX as usize)
                    .ok_or(too_large(i))?;
                size = offset;
            } else {
                m.offset = 0;
                size = size.max(msize);
            }
            align = align.max(malign);
        }
        let size = size
            .checked_next_multiple_of(align)
            .filter(|&s| s <= isize::MAX as usize)
            .ok_or(too_large(usize::MAX))?;
        let repr = match repr_err {
            Some(e) => Err(e),
            None => {
                // Also where an empty struct is refused.
                let s = StructType::new(name.as_deref(), types)
                    .map_err(|e| (usize::MAX, Why::Type(e)))?;
                Ok(Type::Struct(Arc::new(s)))
            }
        };
        let layout = match layout_err {
            Some(e) => Err(e),
            None if size == 0 && kind == TagKind::Struct => {
                return Err((usize::MAX, Why::Type(TypeError::ZeroSizedStruct { name })))
            }
            None if size == 0 => {
                let n = name.map_or(String::new(), |n| format!(" {n}"));
                return Err((
                    usize::MAX,
                    Why::Invalid(format!("union{n} has size zero, which C does not allow")),
                ));
            }
            None => Ok((size, align)),
        };
        Ok(Aggregate {
            kind,
            tagged: name.is_some(),
            name,
            members,
            layout,
            repr,
            depth,
        })
    }
}
