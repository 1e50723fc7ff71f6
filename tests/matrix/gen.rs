// The System V signature matrix: a deterministic model of C signatures,
// argument values and the checksum every generated C function computes.
//
// Shared (with `include!`; it includes `signatures.rs`, `c_output.rs` and
// `rust_output.rs` in turn) by `tests/build.rs`, which writes `matrix.c` and
// `matrix.rs` from it, and by the `matrix_*` tests, which recompute the
// expected checksums and results from the same model. No dependencies, no
// inner attributes (it is included inside a `mod`).
//
// The checksum of a call is FNV-1a (64 bit), seeded per signature, over the
// little-endian bytes of every scalar leaf of every argument in order
// (struct fields one by one, arrays element by element, padding never), a
// `_Bool` as one byte. A scalar result is `conv(type, h)`; a struct result
// has leaf `k` set to `conv(type_k, leaf_hash(h, k))`.

use std::fmt::Write as _;

/// A scalar C type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sc {
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    Ptr,
}

impl Sc {
    pub const ALL: [Sc; 12] = [
        Sc::Bool,
        Sc::I8,
        Sc::U8,
        Sc::I16,
        Sc::U16,
        Sc::I32,
        Sc::U32,
        Sc::I64,
        Sc::U64,
        Sc::F32,
        Sc::F64,
        Sc::Ptr,
    ];
    /// Integer-class scalars.
    pub const INTS: [Sc; 10] = [
        Sc::Bool,
        Sc::I8,
        Sc::U8,
        Sc::I16,
        Sc::U16,
        Sc::I32,
        Sc::U32,
        Sc::I64,
        Sc::U64,
        Sc::Ptr,
    ];
    /// What C's default argument promotions leave as a variadic extra.
    pub const VARIADIC: [Sc; 4] = [Sc::I32, Sc::I64, Sc::F64, Sc::Ptr];

    pub fn size(self) -> usize {
        match self {
            Sc::Bool | Sc::I8 | Sc::U8 => 1,
            Sc::I16 | Sc::U16 => 2,
            Sc::I32 | Sc::U32 | Sc::F32 => 4,
            Sc::I64 | Sc::U64 | Sc::F64 | Sc::Ptr => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Sc::F32 | Sc::F64)
    }

    pub fn mask(self) -> u64 {
        if self.size() == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * self.size())) - 1
        }
    }

    pub fn c(self) -> &'static str {
        match self {
            Sc::Bool => "_Bool",
            Sc::I8 => "int8_t",
            Sc::U8 => "uint8_t",
            Sc::I16 => "int16_t",
            Sc::U16 => "uint16_t",
            Sc::I32 => "int32_t",
            Sc::U32 => "uint32_t",
            Sc::I64 => "int64_t",
            Sc::U64 => "uint64_t",
            Sc::F32 => "float",
            Sc::F64 => "double",
            Sc::Ptr => "void *",
        }
    }

    pub fn rust(self) -> &'static str {
        match self {
            Sc::Bool => "bool",
            Sc::I8 => "i8",
            Sc::U8 => "u8",
            Sc::I16 => "i16",
            Sc::U16 => "u16",
            Sc::I32 => "i32",
            Sc::U32 => "u32",
            Sc::I64 => "i64",
            Sc::U64 => "u64",
            Sc::F32 => "f32",
            Sc::F64 => "f64",
            Sc::Ptr => "*mut c_void",
        }
    }

    /// The variant name in `alien::ffi::Type` and `Value` (and here).
    pub fn name(self) -> &'static str {
        match self {
            Sc::Bool => "Bool",
            Sc::I8 => "I8",
            Sc::U8 => "U8",
            Sc::I16 => "I16",
            Sc::U16 => "U16",
            Sc::I32 => "I32",
            Sc::U32 => "U32",
            Sc::I64 => "I64",
            Sc::U64 => "U64",
            Sc::F32 => "F32",
            Sc::F64 => "F64",
            Sc::Ptr => "Ptr",
        }
    }

    pub fn alien_type(self) -> &'static str {
        match self {
            Sc::Ptr => "Type::Pointer",
            Sc::Bool => "Type::Bool",
            Sc::I8 => "Type::I8",
            Sc::U8 => "Type::U8",
            Sc::I16 => "Type::I16",
            Sc::U16 => "Type::U16",
            Sc::I32 => "Type::I32",
            Sc::U32 => "Type::U32",
            Sc::I64 => "Type::I64",
            Sc::U64 => "Type::U64",
            Sc::F32 => "Type::F32",
            Sc::F64 => "Type::F64",
        }
    }

    /// A C expression of this type with these bits.
    pub fn c_lit(self, bits: u64) -> String {
        match self {
            Sc::Bool => format!("(_Bool){}", bits & 1),
            Sc::F32 => format!("f32b(0x{:x}U)", bits as u32),
            Sc::F64 => format!("f64b(0x{bits:x}ULL)"),
            Sc::Ptr => format!("(void *)0x{bits:x}ULL"),
            other => format!("({})0x{:x}ULL", other.c(), bits),
        }
    }

    /// A Rust expression of this type with these bits.
    pub fn rust_lit(self, bits: u64) -> String {
        match self {
            Sc::Bool => format!("{}", bits & 1 == 1),
            Sc::F32 => format!("f32::from_bits(0x{:x})", bits as u32),
            Sc::F64 => format!("f64::from_bits(0x{bits:x})"),
            Sc::Ptr => format!("(0x{bits:x}usize as *mut c_void)"),
            other => format!("(0x{:x}u64 as {})", bits, other.rust()),
        }
    }
}

/// A type: scalar, one of the catalog's structs, or an array (in structs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Sc(Sc),
    St(usize),
    Arr(Box<Ty>, usize),
}

/// A struct of the catalog.
#[derive(Clone, Debug)]
pub struct StructDef {
    pub what: &'static str,
    pub fields: Vec<Ty>,
}

/// Every struct the matrix passes: each eightbyte class, nesting, arrays.
pub fn structs() -> Vec<StructDef> {
    use Sc::*;
    let s = |t: Sc| Ty::Sc(t);
    let arr = |t: Ty, n: usize| Ty::Arr(Box::new(t), n);
    let d = |what: &'static str, fields: Vec<Ty>| StructDef { what, fields };
    vec![
        d("int,int (INTEGER)", vec![s(I32), s(I32)]), // 0
        d("char,short,int (INTEGER)", vec![s(I8), s(I16), s(I32)]), // 1
        d("long (INTEGER)", vec![s(I64)]),            // 2
        d("float,float (SSE)", vec![s(F32), s(F32)]), // 3
        d("double (SSE)", vec![s(F64)]),              // 4
        d("float x4 (SSE,SSE)", vec![s(F32), s(F32), s(F32), s(F32)]), // 5
        d("double,long (SSE,INTEGER)", vec![s(F64), s(I64)]), // 6
        d("int,float (INTEGER)", vec![s(I32), s(F32)]), // 7
        d(
            "float,int,double (INTEGER,SSE)",
            vec![s(F32), s(I32), s(F64)],
        ), // 8
        d("double x4 (MEMORY)", vec![s(F64), s(F64), s(F64), s(F64)]), // 9
        d("long x3 (MEMORY)", vec![s(I64), s(I64), s(I64)]), // 10
        d("char[20] (MEMORY)", vec![arr(s(I8), 20)]), // 11
        d("{float,float},int (SSE,INTEGER)", vec![Ty::St(3), s(I32)]), // 12
        d("int[3] (INTEGER,INTEGER)", vec![arr(s(I32), 3)]), // 13
        d("uchar x3 (INTEGER, size 3)", vec![s(U8), s(U8), s(U8)]), // 14
        d("float x3 (SSE,SSE size 4)", vec![s(F32), s(F32), s(F32)]), // 15
        d("short,double (INTEGER,SSE)", vec![s(I16), s(F64)]), // 16
        d("double,float (SSE,SSE)", vec![s(F64), s(F32)]), // 17
        d("long,ulong (INTEGER,INTEGER)", vec![s(I64), s(U64)]), // 18
        d("ptr,uint (INTEGER,INTEGER)", vec![s(Ptr), s(U32)]), // 19
        d("bool,float (INTEGER)", vec![s(Bool), s(F32)]), // 20
        d("{float,float}[2] (SSE,SSE)", vec![arr(Ty::St(3), 2)]), // 21
        d(
            "char,double,char (MEMORY, padded)",
            vec![s(I8), s(F64), s(I8)],
        ), // 22
        d("ushort x3 (INTEGER, size 6)", vec![s(U16), s(U16), s(U16)]), // 23
        d(
            "{int,float},{double} (INTEGER,SSE)",
            vec![Ty::St(7), Ty::St(4)],
        ), // 24
        d("double[2] (SSE,SSE)", vec![arr(s(F64), 2)]), // 25
        d("{long x3},char (MEMORY, nested)", vec![Ty::St(10), s(I8)]), // 26
        d(
            "ushort,float (INTEGER... mixed in one eightbyte)",
            vec![s(U16), s(F32)],
        ), // 27
        d("float,float,double (SSE,SSE)", vec![s(F32), s(F32), s(F64)]), // 28
        d(
            "int,int,int,int (INTEGER,INTEGER)",
            vec![s(I32), s(U32), s(I32), s(U32)],
        ), // 29
        d("float (SSE, size 4)", vec![s(F32)]),       // 30
        d("uchar (INTEGER, size 1)", vec![s(U8)]),    // 31
        d(
            "float,float,int (SSE,INTEGER)",
            vec![s(F32), s(F32), s(I32)],
        ), // 32
        d(
            "int,float,float,int (INTEGER,INTEGER)",
            vec![s(I32), s(F32), s(F32), s(I32)],
        ), // 33
        d("float[3] (SSE,SSE size 4)", vec![arr(s(F32), 3)]), // 34
        d("char,long (INTEGER,INTEGER padded)", vec![s(I8), s(I64)]), // 35
        d(
            "{int,int},{int,int} (INTEGER,INTEGER nested)",
            vec![Ty::St(0), Ty::St(0)],
        ), // 36
        d(
            "float,{float,float} (SSE,SSE nested)",
            vec![s(F32), Ty::St(3)],
        ), // 37
        d("uchar[9] (INTEGER,INTEGER size 9)", vec![arr(s(U8), 9)]), // 38
        d(
            "short,double,short (MEMORY, 24)",
            vec![s(I16), s(F64), s(I16)],
        ), // 39
        d("double,int (SSE,INTEGER size 12)", vec![s(F64), s(I32)]), // 40
        d(
            "bool x2,short,float (INTEGER)",
            vec![s(Bool), s(Bool), s(I16), s(F32)],
        ), // 41
    ]
}

/// Size, alignment and field offsets of a type.
pub fn size_align(sts: &[StructDef], t: &Ty) -> (usize, usize) {
    match t {
        Ty::Sc(s) => (s.size(), s.size()),
        Ty::Arr(e, n) => {
            let (s, a) = size_align(sts, e);
            (s * n, a)
        }
        Ty::St(i) => {
            let (size, align, _) = struct_layout(sts, *i);
            (size, align)
        }
    }
}

/// (size, align, field offsets) of struct `i`.
pub fn struct_layout(sts: &[StructDef], i: usize) -> (usize, usize, Vec<usize>) {
    let mut off = 0usize;
    let mut align = 1usize;
    let mut offs = Vec::new();
    for f in &sts[i].fields {
        let (s, a) = size_align(sts, f);
        off = off.next_multiple_of(a);
        offs.push(off);
        off += s;
        align = align.max(a);
    }
    (off.next_multiple_of(align), align, offs)
}

/// Every scalar leaf of `t` with its offset, in order.
pub fn leaves(sts: &[StructDef], t: &Ty, base: usize, out: &mut Vec<(usize, Sc)>) {
    match t {
        Ty::Sc(s) => out.push((base, *s)),
        Ty::Arr(e, n) => {
            let (s, _) = size_align(sts, e);
            for k in 0..*n {
                leaves(sts, e, base + k * s, out);
            }
        }
        Ty::St(i) => {
            let (_, _, offs) = struct_layout(sts, *i);
            for (f, o) in sts[*i].fields.iter().zip(offs) {
                leaves(sts, f, base + o, out);
            }
        }
    }
}

pub fn leaf_list(sts: &[StructDef], t: &Ty) -> Vec<(usize, Sc)> {
    let mut v = Vec::new();
    leaves(sts, t, 0, &mut v);
    v
}

/// Access paths of every leaf (`.f0[2].f1`), in leaf order.
pub fn leaf_paths(sts: &[StructDef], t: &Ty, prefix: &str, out: &mut Vec<String>) {
    match t {
        Ty::Sc(_) => out.push(prefix.to_owned()),
        Ty::Arr(e, n) => {
            for k in 0..*n {
                leaf_paths(sts, e, &format!("{prefix}[{k}]"), out);
            }
        }
        Ty::St(i) => {
            for (j, f) in sts[*i].fields.iter().enumerate() {
                leaf_paths(sts, f, &format!("{prefix}.f{j}"), out);
            }
        }
    }
}

// The rest of the model and the generators, one concept per file (each is
// included here, so all of it stays one module).
include!("signatures.rs");
include!("c_output.rs");
include!("rust_output.rs");
