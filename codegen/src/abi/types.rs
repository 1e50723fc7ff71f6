//! C types: scalars, pointers, and structs (nested, with arrays) by value.

use super::TypeError;
use std::fmt;
use std::sync::Arc;

/// A C type.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Type {
    /// `void` (results only).
    Void,
    /// `_Bool`.
    Bool,
    /// `int8_t` / `signed char`.
    I8,
    /// `uint8_t` / `unsigned char`.
    U8,
    /// `int16_t` / `short`.
    I16,
    /// `uint16_t`.
    U16,
    /// `int32_t` / `int`.
    I32,
    /// `uint32_t` / `unsigned`.
    U32,
    /// `int64_t` / `long` / `long long`.
    I64,
    /// `uint64_t` / `unsigned long`.
    U64,
    /// `float`.
    F32,
    /// `double`.
    F64,
    /// Any data or function pointer.
    Pointer,
    /// A struct by value.
    Struct(Arc<StructType>),
    /// A fixed-size array (only inside structs).
    Array(Box<Type>, usize),
}

/// One field of a struct, at its offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// Its type.
    pub ty: Type,
    /// Its byte offset.
    pub offset: usize,
}

/// A struct laid out by C's rules (each field at the next offset aligned for
/// it; size rounded up to the largest alignment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StructType {
    name: Option<String>,
    fields: Vec<Field>,
    size: usize,
    align: usize,
}

impl StructType {
    /// Lays out `fields` in order.
    pub fn new(name: Option<&str>, fields: Vec<Type>) -> Result<StructType, TypeError> {
        let mut offset = 0usize;
        let mut align = 1usize;
        let mut out = Vec::with_capacity(fields.len());
        for ty in fields {
            if ty == Type::Void {
                return Err(TypeError::InvalidField {
                    what: "a field of type void".to_owned(),
                });
            }
            if let Type::Array(_, 0) = ty {
                return Err(TypeError::InvalidField {
                    what: "an array of zero elements".to_owned(),
                });
            }
            let a = ty.align();
            offset = offset
                .checked_next_multiple_of(a)
                .ok_or(TypeError::TooLarge)?;
            out.push(Field {
                offset,
                ty: ty.clone(),
            });
            offset = offset.checked_add(ty.size()).ok_or(TypeError::TooLarge)?;
            align = align.max(a);
        }
        let size = offset
            .checked_next_multiple_of(align)
            .ok_or(TypeError::TooLarge)?;
        if size == 0 {
            return Err(TypeError::ZeroSizedStruct {
                name: name.map(str::to_owned),
            });
        }
        Ok(StructType {
            name: name.map(str::to_owned),
            fields: out,
            size,
            align,
        })
    }

    /// The fields with their offsets.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Alignment in bytes.
    pub fn align(&self) -> usize {
        self.align
    }

    /// The struct's name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl Type {
    /// A struct type from its fields.
    pub fn structure(fields: Vec<Type>) -> Result<Type, TypeError> {
        StructType::new(None, fields).map(|s| Type::Struct(Arc::new(s)))
    }

    /// Size in bytes (0 for void).
    pub fn size(&self) -> usize {
        match self {
            Type::Void => 0,
            Type::Bool | Type::I8 | Type::U8 => 1,
            Type::I16 | Type::U16 => 2,
            Type::I32 | Type::U32 | Type::F32 => 4,
            Type::I64 | Type::U64 | Type::F64 | Type::Pointer => 8,
            Type::Struct(s) => s.size,
            Type::Array(t, n) => t.size().saturating_mul(*n),
        }
    }

    /// Alignment in bytes.
    pub fn align(&self) -> usize {
        match self {
            Type::Void => 1,
            Type::Struct(s) => s.align,
            Type::Array(t, _) => t.align(),
            other => other.size(),
        }
    }

    /// Whether it is an integer (or bool or pointer): passed in general registers.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Type::Bool
                | Type::I8
                | Type::U8
                | Type::I16
                | Type::U16
                | Type::I32
                | Type::U32
                | Type::I64
                | Type::U64
                | Type::Pointer
        )
    }

    /// Whether it is `float` or `double`.
    pub fn is_float(&self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// Whether it is signed (for extension of small integers).
    pub fn is_signed(&self) -> bool {
        matches!(self, Type::I8 | Type::I16 | Type::I32 | Type::I64)
    }

    /// Every scalar inside, with its offset (structs and arrays flattened).
    pub fn scalars(&self, base: usize, out: &mut Vec<(usize, Type)>) {
        match self {
            Type::Struct(s) => {
                for f in &s.fields {
                    f.ty.scalars(base + f.offset, out);
                }
            }
            Type::Array(t, n) => {
                for i in 0..*n {
                    t.scalars(base + i * t.size(), out);
                }
            }
            Type::Void => {}
            scalar => out.push((base, scalar.clone())),
        }
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Void => write!(f, "void"),
            Type::Bool => write!(f, "_Bool"),
            Type::I8 => write!(f, "int8_t"),
            Type::U8 => write!(f, "uint8_t"),
            Type::I16 => write!(f, "int16_t"),
            Type::U16 => write!(f, "uint16_t"),
            Type::I32 => write!(f, "int32_t"),
            Type::U32 => write!(f, "uint32_t"),
            Type::I64 => write!(f, "int64_t"),
            Type::U64 => write!(f, "uint64_t"),
            Type::F32 => write!(f, "float"),
            Type::F64 => write!(f, "double"),
            Type::Pointer => write!(f, "void *"),
            Type::Struct(s) => {
                write!(f, "struct ")?;
                if let Some(n) = &s.name {
                    write!(f, "{n} ")?;
                }
                write!(f, "{{ ")?;
                for fl in &s.fields {
                    write!(f, "{}; ", fl.ty)?;
                }
                write!(f, "}}")
            }
            Type::Array(t, n) => write!(f, "{t}[{n}]"),
        }
    }
}
