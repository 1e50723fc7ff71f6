// What both matrix tests need on top of the model (`gen.rs`): conversions
// between the model and alien's `Type`/`Value`, and the case filter.
// Included inside a module next to `gen` and `m` at the crate root.

use crate::gen::{self, Sc, Sig, StructDef, Ty};
use alien::ffi::{Type, Value};

/// The matrix `build.rs` generated (`ALIEN_MATRIX_SEED` chooses its values).
pub fn signatures() -> Vec<Sig> {
    let seed = env!("ALIEN_MATRIX_SEED");
    let seed = u64::from_str_radix(seed.trim_start_matches("0x"), 16).unwrap_or(gen::DEFAULT_SEED);
    gen::signatures(seed)
}

/// The scalar type and bits of a scalar `Value`.
pub fn value_bits(v: &Value) -> Option<(Sc, u64)> {
    Some(match v {
        Value::Bool(b) => (Sc::Bool, u64::from(*b)),
        Value::I8(x) => (Sc::I8, u64::from(*x as u8)),
        Value::U8(x) => (Sc::U8, u64::from(*x)),
        Value::I16(x) => (Sc::I16, u64::from(*x as u16)),
        Value::U16(x) => (Sc::U16, u64::from(*x)),
        Value::I32(x) => (Sc::I32, u64::from(*x as u32)),
        Value::U32(x) => (Sc::U32, u64::from(*x)),
        Value::I64(x) => (Sc::I64, *x as u64),
        Value::U64(x) => (Sc::U64, *x),
        Value::F32(x) => (Sc::F32, u64::from(x.to_bits())),
        Value::F64(x) => (Sc::F64, x.to_bits()),
        Value::Pointer(p) => (Sc::Ptr, *p as usize as u64),
        _ => return None,
    })
}

/// The leaf bytes (padding skipped) of a `Value` of model type `t`.
pub fn value_leaf_bytes(sts: &[StructDef], t: &Ty, v: &Value) -> Result<Vec<u8>, String> {
    match (t, v) {
        (Ty::Sc(s), v) => match value_bits(v) {
            Some((k, bits)) if k == *s => Ok(bits.to_le_bytes()[..s.size()].to_vec()),
            _ => Err(format!("{v:?} where a {} was expected", s.c())),
        },
        (t, Value::Struct(b)) => {
            let (size, _) = gen::size_align(sts, t);
            if b.len() == size {
                Ok(gen::strip_padding(sts, t, b))
            } else {
                Err(format!(
                    "a struct of {} bytes where {} has {size}",
                    b.len(),
                    gen::ty_c(sts, t)
                ))
            }
        }
        (t, v) => Err(format!("{v:?} where {} was expected", gen::ty_c(sts, t))),
    }
}

/// The `Value` of model type `t` with these leaf bits (padding zero).
pub fn value_from_bits(sts: &[StructDef], t: &Ty, bits: &[u64]) -> Value {
    let b = bits.first().copied().unwrap_or(0);
    match t {
        Ty::Sc(s) => match s {
            Sc::Bool => Value::Bool(b & 1 == 1),
            Sc::I8 => Value::I8(b as i8),
            Sc::U8 => Value::U8(b as u8),
            Sc::I16 => Value::I16(b as i16),
            Sc::U16 => Value::U16(b as u16),
            Sc::I32 => Value::I32(b as i32),
            Sc::U32 => Value::U32(b as u32),
            Sc::I64 => Value::I64(b as i64),
            Sc::U64 => Value::U64(b),
            Sc::F32 => Value::F32(f32::from_bits(b as u32)),
            Sc::F64 => Value::F64(f64::from_bits(b)),
            Sc::Ptr => Value::Pointer(b as usize as *mut std::ffi::c_void),
        },
        t => Value::Struct(gen::value_bytes(sts, t, bits)),
    }
}

/// alien's `Type` for a model type, built independently of the generated code.
pub fn model_type(sts: &[StructDef], t: &Ty) -> Type {
    match t {
        Ty::Sc(s) => match s {
            Sc::Bool => Type::Bool,
            Sc::I8 => Type::I8,
            Sc::U8 => Type::U8,
            Sc::I16 => Type::I16,
            Sc::U16 => Type::U16,
            Sc::I32 => Type::I32,
            Sc::U32 => Type::U32,
            Sc::I64 => Type::I64,
            Sc::U64 => Type::U64,
            Sc::F32 => Type::F32,
            Sc::F64 => Type::F64,
            Sc::Ptr => Type::Pointer,
        },
        Ty::Arr(e, n) => Type::Array(Box::new(model_type(sts, e)), *n),
        Ty::St(i) => Type::structure(sts[*i].fields.iter().map(|f| model_type(sts, f)).collect())
            .unwrap_or(Type::Void),
    }
}

/// Hex of bytes, for messages.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `MATRIX_ONLY=3,17` restricts the run to those signature ids (to chase a
/// crash); `MATRIX_VERBOSE=1` prints each signature before its call.
pub fn selected(id: usize) -> bool {
    match std::env::var("MATRIX_ONLY") {
        Ok(s) if !s.is_empty() => s.split(',').any(|x| x.trim().parse() == Ok(id)),
        _ => true,
    }
}

pub fn verbose(sts: &[StructDef], sig: &Sig) {
    if std::env::var_os("MATRIX_VERBOSE").is_some() {
        eprintln!("{}", sig.describe(sts));
    }
}

/// Counts by category, for the report.
pub fn census(sigs: &[Sig]) -> Vec<(&'static str, usize)> {
    let mut v: Vec<(&'static str, usize)> = Vec::new();
    for s in sigs {
        match v.iter_mut().find(|(c, _)| *c == s.cat) {
            Some((_, n)) => *n += 1,
            None => v.push((s.cat, 1)),
        }
    }
    v
}

/// A resident/virtual size reading of `/proc/self/status`, in KiB.
pub fn vm_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `rsp` mod 16 inside this (never inlined) function: the same for every
/// ABI-conforming call chain; a thunk or stub that misaligns the stack
/// shifts it.
#[inline(never)]
pub fn sp_residue() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe {
        std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    std::hint::black_box(sp) & 15
}
