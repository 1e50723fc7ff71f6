//! Values of the run-time type model.

use alien_codegen::abi::{sysv, Type};
use std::ffi::c_void;

/// A C value, for the checked calling path.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// No value (a `void` result).
    Void,
    /// `_Bool`.
    Bool(bool),
    /// `int8_t`.
    I8(i8),
    /// `uint8_t`.
    U8(u8),
    /// `int16_t`.
    I16(i16),
    /// `uint16_t`.
    U16(u16),
    /// `int32_t`.
    I32(i32),
    /// `uint32_t`.
    U32(u32),
    /// `int64_t`.
    I64(i64),
    /// `uint64_t`.
    U64(u64),
    /// `float`.
    F32(f32),
    /// `double`.
    F64(f64),
    /// A pointer.
    Pointer(*mut c_void),
    /// A struct by value: its bytes, laid out as the struct type says.
    Struct(Vec<u8>),
}

impl Value {
    /// A short description of the value's kind, for error messages.
    pub fn kind(&self) -> String {
        match self {
            Value::Struct(b) => format!("a struct of {} bytes", b.len()),
            other => format!("{other:?}"),
        }
    }

    /// Whether this value can be passed as `ty`.
    pub fn fits(&self, ty: &Type) -> bool {
        matches!(
            (self, ty),
            (Value::Bool(_), Type::Bool)
                | (Value::I8(_), Type::I8)
                | (Value::U8(_), Type::U8)
                | (Value::I16(_), Type::I16)
                | (Value::U16(_), Type::U16)
                | (Value::I32(_), Type::I32)
                | (Value::U32(_), Type::U32)
                | (Value::I64(_), Type::I64)
                | (Value::U64(_), Type::U64)
                | (Value::F32(_), Type::F32)
                | (Value::F64(_), Type::F64)
                | (Value::Pointer(_), Type::Pointer)
        ) || matches!((self, ty), (Value::Struct(b), Type::Struct(s)) if b.len() == s.size())
    }

    /// Writes the value into `slots` if it can be passed as `ty` (the check
    /// of [`fits`](Self::fits) and the store of `store` in one match);
    /// `false`, writing nothing, if it cannot. `slots` is zeroed and holds
    /// at least `sysv::slots(ty)` slots.
    #[inline]
    pub(crate) fn store_as(&self, ty: &Type, slots: &mut [u64]) -> bool {
        let w: u64 = match (self, ty) {
            (Value::Bool(v), Type::Bool) => u64::from(*v),
            (Value::I8(v), Type::I8) => u64::from(*v as u8),
            (Value::U8(v), Type::U8) => u64::from(*v),
            (Value::I16(v), Type::I16) => u64::from(*v as u16),
            (Value::U16(v), Type::U16) => u64::from(*v),
            (Value::I32(v), Type::I32) => u64::from(*v as u32),
            (Value::U32(v), Type::U32) => u64::from(*v),
            (Value::I64(v), Type::I64) => *v as u64,
            (Value::U64(v), Type::U64) => *v,
            (Value::F32(v), Type::F32) => u64::from(v.to_bits()),
            (Value::F64(v), Type::F64) => v.to_bits(),
            (Value::Pointer(p), Type::Pointer) => *p as usize as u64,
            (Value::Struct(_), Type::Struct(_)) if self.fits(ty) => {
                self.store(slots);
                return true;
            }
            _ => return false,
        };
        if let Some(slot) = slots.first_mut() {
            *slot = w;
        }
        true
    }

    /// Writes the value into `slots` (zero padded; `slots` holds at least
    /// `sysv::slots` of its type).
    pub(crate) fn store(&self, slots: &mut [u64]) {
        let w: u64 = match self {
            Value::Struct(b) => {
                for (slot, chunk) in slots.iter_mut().zip(b.chunks(8)) {
                    let mut w = [0u8; 8];
                    w[..chunk.len()].copy_from_slice(chunk);
                    *slot = u64::from_le_bytes(w);
                }
                return;
            }
            Value::Void => 0,
            Value::Bool(v) => u64::from(*v),
            Value::I8(v) => u64::from(*v as u8),
            Value::U8(v) => u64::from(*v),
            Value::I16(v) => u64::from(*v as u16),
            Value::U16(v) => u64::from(*v),
            Value::I32(v) => u64::from(*v as u32),
            Value::U32(v) => u64::from(*v),
            Value::I64(v) => *v as u64,
            Value::U64(v) => *v,
            Value::F32(v) => u64::from(v.to_bits()),
            Value::F64(v) => v.to_bits(),
            Value::Pointer(p) => *p as usize as u64,
        };
        if let Some(slot) = slots.first_mut() {
            *slot = w;
        }
    }

    /// Reads a value of `ty` from result slots (small integers were extended by the stub).
    pub(crate) fn load(ty: &Type, slots: &[u64]) -> Value {
        let w = slots.first().copied().unwrap_or(0);
        match ty {
            Type::Void => Value::Void,
            Type::Bool => Value::Bool(w as u8 != 0),
            Type::I8 => Value::I8(w as i8),
            Type::U8 => Value::U8(w as u8),
            Type::I16 => Value::I16(w as i16),
            Type::U16 => Value::U16(w as u16),
            Type::I32 => Value::I32(w as i32),
            Type::U32 => Value::U32(w as u32),
            Type::I64 => Value::I64(w as i64),
            Type::U64 => Value::U64(w),
            Type::F32 => Value::F32(f32::from_bits(w as u32)),
            Type::F64 => Value::F64(f64::from_bits(w)),
            Type::Pointer => Value::Pointer(w as usize as *mut c_void),
            Type::Struct(s) => {
                let mut b: Vec<u8> = slots
                    .iter()
                    .take(sysv::slots(ty))
                    .flat_map(|x| x.to_le_bytes())
                    .collect();
                b.truncate(s.size());
                Value::Struct(b)
            }
            _ => Value::Void,
        }
    }
}
