//! What a header's type is once its typedefs are followed.

use super::syntax::single_name;
use std::collections::{HashMap, HashSet};
use syn::Type;

/// The header's typedefs and structs, to resolve a type through typedefs.
pub(super) struct Types<'a> {
    /// Each typedef's target, by name.
    pub(super) aliases: HashMap<String, &'a Type>,
    /// The names of the header's structs.
    pub(super) structs: HashSet<String>,
}

impl Types<'_> {
    /// `t` with its typedefs followed (at most 32 deep).
    pub(super) fn resolve<'t>(&'t self, mut t: &'t Type) -> &'t Type {
        for _ in 0..32 {
            match single_name(t).and_then(|n| self.aliases.get(&n)) {
                Some(next) => t = next,
                None => break,
            }
        }
        t
    }

    /// Whether `t` is a byte (`void`, `char`, `unsigned char`, ...), the
    /// pointee of a buffer.
    pub(super) fn is_byte(&self, t: &Type) -> bool {
        matches!(
            single_name(self.resolve(t)).as_deref(),
            Some("u8" | "i8" | "c_char" | "c_uchar" | "c_schar" | "c_void")
        )
    }

    /// Whether `t` is a `char`, the pointee of a string.
    pub(super) fn is_char(&self, t: &Type) -> bool {
        matches!(
            single_name(self.resolve(t)).as_deref(),
            Some("c_char" | "i8" | "c_schar")
        )
    }

    /// Whether `t` is a raw pointer.
    pub(super) fn is_pointer(&self, t: &Type) -> bool {
        matches!(self.resolve(t), Type::Ptr(_))
    }

    /// The struct named by `t` (through typedefs), if any.
    pub(super) fn struct_of(&self, t: &Type) -> Option<String> {
        single_name(self.resolve(t)).filter(|n| self.structs.contains(n))
    }
}
