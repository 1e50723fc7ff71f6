// The System V signature matrix: a deterministic model of C signatures,
// argument values and the checksum every generated C function computes.
//
// Shared (with `include!`) by `tests/build.rs`, which writes `matrix.c` and
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

/// One signature of the matrix with its argument values.
#[derive(Clone, Debug)]
pub struct Sig {
    pub id: usize,
    pub cat: &'static str,
    pub args: Vec<Ty>,
    /// `None`: void.
    pub ret: Option<Ty>,
    /// For variadic signatures, how many arguments are fixed.
    pub fixed: Option<usize>,
    /// Per argument, the bits of each leaf (low `size` bytes).
    pub vals: Vec<Vec<u64>>,
}

pub const FNV0: u64 = 0xcbf2_9ce4_8422_2325;
pub const FNVP: u64 = 0x0000_0100_0000_01b3;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

pub fn seed(id: usize) -> u64 {
    FNV0 ^ (id as u64 + 1).wrapping_mul(GOLDEN)
}

pub fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNVP);
    }
    h
}

pub fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn leaf_hash(h: u64, k: usize) -> u64 {
    splitmix(h.wrapping_add((k as u64 + 1).wrapping_mul(GOLDEN)))
}

/// The bits of a scalar result made from hash `h` (same formula as `cv_*` in C).
pub fn conv(s: Sc, h: u64) -> u64 {
    match s {
        Sc::Bool => h & 1,
        Sc::F32 => {
            let v = (((h >> 32) as u32 as i32) >> 8) as f32 * (1.0 / 1024.0);
            u64::from(v.to_bits())
        }
        Sc::F64 => {
            let v = ((h as i64) >> 11) as f64 * (1.0 / 1_048_576.0);
            v.to_bits()
        }
        other => h & other.mask(),
    }
}

/// Bytes of the leaves of an argument.
pub fn leaf_bytes_of(sts: &[StructDef], t: &Ty, bits: &[u64], out: &mut Vec<u8>) {
    for ((_, s), b) in leaf_list(sts, t).iter().zip(bits) {
        out.extend_from_slice(&b.to_le_bytes()[..s.size()]);
    }
}

/// Bytes of a whole value (padding zero) from its leaf bits.
pub fn value_bytes(sts: &[StructDef], t: &Ty, bits: &[u64]) -> Vec<u8> {
    let (size, _) = size_align(sts, t);
    let mut v = vec![0u8; size];
    for ((o, s), b) in leaf_list(sts, t).iter().zip(bits) {
        v[*o..*o + s.size()].copy_from_slice(&b.to_le_bytes()[..s.size()]);
    }
    v
}

/// Leaf bytes of a whole value (padding skipped).
pub fn strip_padding(sts: &[StructDef], t: &Ty, bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for (o, s) in leaf_list(sts, t) {
        v.extend_from_slice(&bytes[o..o + s.size()]);
    }
    v
}

impl Sig {
    /// The leaf bytes of all arguments, in order (what the checksum covers).
    pub fn arg_bytes(&self, sts: &[StructDef]) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, b) in self.args.iter().zip(&self.vals) {
            leaf_bytes_of(sts, t, b, &mut out);
        }
        out
    }

    pub fn hash(&self, sts: &[StructDef]) -> u64 {
        fnv(seed(self.id), &self.arg_bytes(sts))
    }

    /// The result's leaf bits for hash `h`.
    pub fn ret_bits(&self, sts: &[StructDef], h: u64) -> Vec<u64> {
        match &self.ret {
            None => Vec::new(),
            Some(Ty::Sc(s)) => vec![conv(*s, h)],
            Some(t) => leaf_list(sts, t)
                .iter()
                .enumerate()
                .map(|(k, (_, s))| conv(*s, leaf_hash(h, k)))
                .collect(),
        }
    }

    /// The result's leaf bytes (padding skipped) for hash `h`.
    pub fn ret_leaf_bytes(&self, sts: &[StructDef], h: u64) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(t) = &self.ret {
            leaf_bytes_of(sts, t, &self.ret_bits(sts, h), &mut out);
        }
        out
    }

    pub fn name(&self) -> String {
        format!("sig{}", self.id)
    }

    /// A C-like description.
    pub fn describe(&self, sts: &[StructDef]) -> String {
        let t = |t: &Ty| ty_c(sts, t);
        let mut args: Vec<String> = self.args.iter().map(t).collect();
        if let Some(f) = self.fixed {
            args.insert(f, "...".to_owned());
        }
        let ret = self.ret.as_ref().map_or("void".to_owned(), t);
        format!("[{}] {ret} {}({})", self.cat, self.name(), args.join(", "))
    }
}

/// A C spelling of a type (structs by their fields), for messages.
pub fn ty_c(sts: &[StructDef], t: &Ty) -> String {
    match t {
        Ty::Sc(s) => s.c().to_owned(),
        Ty::Arr(e, n) => format!("{}[{n}]", ty_c(sts, e)),
        Ty::St(i) => {
            let f: Vec<String> = sts[*i].fields.iter().map(|f| ty_c(sts, f)).collect();
            format!("struct S{i}{{{}}}", f.join(","))
        }
    }
}

/// xorshift64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn pick<T: Clone>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())].clone()
    }
}

fn scalar_bits(rng: &mut Rng, s: Sc) -> u64 {
    let r = rng.next();
    match s {
        Sc::Bool => r & 1,
        Sc::F32 => {
            if rng.below(6) == 0 {
                rng.pick(&[
                    0x8000_0000u64,
                    0x7f80_0000,
                    0xff80_0000,
                    1,
                    0x7f7f_ffff,
                    0x7fc1_2345,
                    0x3f80_0000,
                ])
            } else {
                let b = r as u32;
                let nan = b & 0x7f80_0000 == 0x7f80_0000 && b & 0x007f_ffff != 0;
                u64::from(if nan { b | 0x0040_0000 } else { b })
            }
        }
        Sc::F64 => {
            if rng.below(6) == 0 {
                rng.pick(&[
                    0x8000_0000_0000_0000u64,
                    0x7ff0_0000_0000_0000,
                    0xfff0_0000_0000_0000,
                    1,
                    0x7fef_ffff_ffff_ffff,
                    0x7ff8_0000_dead_beef,
                    0x3ff0_0000_0000_0000,
                ])
            } else {
                let nan = r & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000
                    && r & 0x000f_ffff_ffff_ffff != 0;
                if nan {
                    r | 0x0008_0000_0000_0000
                } else {
                    r
                }
            }
        }
        Sc::Ptr => {
            if rng.below(10) == 0 {
                0
            } else {
                r >> 16
            }
        }
        int => {
            let m = int.mask();
            if rng.below(4) == 0 {
                let top = 1u64 << (8 * int.size() - 1);
                rng.pick(&[0, m, 1, top, m >> 1, top | 1])
            } else {
                r & m
            }
        }
    }
}

fn value_of(rng: &mut Rng, sts: &[StructDef], t: &Ty) -> Vec<u64> {
    leaf_list(sts, t)
        .iter()
        .map(|(_, s)| scalar_bits(rng, *s))
        .collect()
}

/// The seed of the matrix's values; `build.rs` takes another one from
/// `ALIEN_MATRIX_SEED` (the tests get it back from the same variable).
pub const DEFAULT_SEED: u64 = 0x5eed_a11e_0001_2345;

/// The matrix: every signature with its values, always the same for a seed
/// (the signatures' shapes depend on it only where they are random).
pub fn signatures(seed: u64) -> Vec<Sig> {
    let sts = structs();
    let ns = sts.len();
    let mut rng = Rng::new(seed);
    let mut out: Vec<Sig> = Vec::new();
    let sc = Ty::Sc;
    let mut push =
        |rng: &mut Rng, cat: &'static str, args: Vec<Ty>, ret: Option<Ty>, fixed: Option<usize>| {
            let vals = args.iter().map(|t| value_of(rng, &sts, t)).collect();
            let id = out.len();
            out.push(Sig {
                id,
                cat,
                args,
                ret,
                fixed,
                vals,
            });
        };
    let any_scalar = |rng: &mut Rng| Ty::Sc(rng.pick(&Sc::ALL));
    let int_scalar = |rng: &mut Rng| Ty::Sc(rng.pick(&Sc::INTS));
    let float_scalar = |rng: &mut Rng| Ty::Sc(rng.pick(&[Sc::F32, Sc::F64]));

    // Every scalar width as argument and as result.
    for r in Sc::ALL {
        for a in Sc::ALL {
            push(&mut rng, "width", vec![sc(a)], Some(sc(r)), None);
        }
    }
    // Each width next to others (so that its upper bits matter) and returned.
    for a in Sc::ALL {
        push(
            &mut rng,
            "width",
            vec![sc(Sc::I64), sc(a), sc(Sc::F64), sc(a), sc(Sc::U8)],
            Some(sc(a)),
            None,
        );
        push(&mut rng, "width", vec![], Some(sc(a)), None);
    }
    // void results (the checksum is read back with matrix_last()).
    for n in 0..10 {
        let args = (0..n).map(|_| any_scalar(&mut rng)).collect();
        push(&mut rng, "void", args, None, None);
    }
    // Random scalar mixes within the registers and a little beyond.
    for _ in 0..120 {
        let n = rng.range(1, 10);
        let args = (0..n).map(|_| any_scalar(&mut rng)).collect();
        let ret = any_scalar(&mut rng);
        push(&mut rng, "mix", args, Some(ret), None);
    }
    // float/double mixes.
    for _ in 0..40 {
        let n = rng.range(1, 8);
        let args = (0..n).map(|_| float_scalar(&mut rng)).collect();
        let ret = float_scalar(&mut rng);
        push(&mut rng, "float", args, Some(ret), None);
    }
    // More integer arguments than registers.
    for _ in 0..40 {
        let n = rng.range(7, 16);
        let args = (0..n).map(|_| int_scalar(&mut rng)).collect();
        let ret = any_scalar(&mut rng);
        push(&mut rng, "spill_int", args, Some(ret), None);
    }
    // More than 8 float arguments, with a few integers between.
    for _ in 0..40 {
        let n = rng.range(9, 16);
        let args = (0..n)
            .map(|_| {
                if rng.below(5) == 0 {
                    int_scalar(&mut rng)
                } else {
                    float_scalar(&mut rng)
                }
            })
            .collect();
        let ret = any_scalar(&mut rng);
        push(&mut rng, "spill_float", args, Some(ret), None);
    }
    // Both spilled, interleaved.
    for _ in 0..20 {
        let n = rng.range(14, 16);
        let args = (0..n).map(|_| any_scalar(&mut rng)).collect();
        let ret = any_scalar(&mut rng);
        push(&mut rng, "spill_mixed", args, Some(ret), None);
    }
    // Structs by value as arguments.
    for s in 0..ns {
        let st = Ty::St(s);
        push(
            &mut rng,
            "struct_arg",
            vec![st.clone()],
            Some(sc(Sc::U64)),
            None,
        );
        push(
            &mut rng,
            "struct_arg",
            vec![sc(Sc::I32), st.clone(), sc(Sc::F64)],
            Some(sc(Sc::F64)),
            None,
        );
        push(
            &mut rng,
            "struct_arg",
            vec![st.clone(), st.clone(), sc(Sc::I8)],
            Some(sc(Sc::I32)),
            None,
        );
        // Five integers first: a two-INTEGER struct no longer fits, the
        // following int still takes the last register.
        let mut a: Vec<Ty> = (0..5).map(|_| int_scalar(&mut rng)).collect();
        a.push(st.clone());
        a.push(sc(Sc::I32));
        a.push(sc(Sc::F32));
        push(&mut rng, "struct_arg", a, Some(sc(Sc::I64)), None);
        // Seven doubles first: a two-SSE struct no longer fits.
        let mut a: Vec<Ty> = (0..7).map(|_| sc(Sc::F64)).collect();
        a.push(st.clone());
        a.push(sc(Sc::F32));
        a.push(sc(Sc::U16));
        push(&mut rng, "struct_arg", a, Some(sc(Sc::F32)), None);
        // Every register of one file taken: the struct goes to the stack if
        // it has an eightbyte of that class, the scalars after it still get
        // registers of the other.
        let mut a: Vec<Ty> = (0..6).map(|_| int_scalar(&mut rng)).collect();
        a.extend([st.clone(), sc(Sc::F64), sc(Sc::I16)]);
        push(&mut rng, "struct_arg", a, Some(sc(Sc::U32)), None);
        let mut a: Vec<Ty> = (0..8).map(|_| float_scalar(&mut rng)).collect();
        a.extend([st.clone(), sc(Sc::I64), sc(Sc::F32)]);
        push(&mut rng, "struct_arg", a, Some(sc(Sc::F64)), None);
        // A random mix with this struct and another one.
        let n = rng.range(2, 12);
        let mut a: Vec<Ty> = (0..n).map(|_| any_scalar(&mut rng)).collect();
        let at = rng.below(a.len() + 1);
        a.insert(at, st.clone());
        let other = Ty::St(rng.below(ns));
        let at = rng.below(a.len() + 1);
        a.insert(at, other);
        let ret = any_scalar(&mut rng);
        push(&mut rng, "struct_arg", a, Some(ret), None);
    }
    // Struct results of every class.
    for s in 0..ns {
        let st = Ty::St(s);
        push(&mut rng, "struct_ret", vec![], Some(st.clone()), None);
        push(
            &mut rng,
            "struct_ret",
            vec![sc(Sc::I8), sc(Sc::F32)],
            Some(st.clone()),
            None,
        );
        push(
            &mut rng,
            "struct_ret",
            vec![st.clone()],
            Some(st.clone()),
            None,
        );
        // Six integers: with a hidden result pointer one goes to the stack.
        let a: Vec<Ty> = (0..6).map(|_| int_scalar(&mut rng)).collect();
        push(&mut rng, "struct_ret", a, Some(st.clone()), None);
        let n = rng.range(1, 9);
        let mut a: Vec<Ty> = (0..n).map(|_| any_scalar(&mut rng)).collect();
        if rng.below(2) == 0 {
            let at = rng.below(a.len() + 1);
            a.insert(at, Ty::St(rng.below(ns)));
        }
        push(&mut rng, "struct_ret", a, Some(st.clone()), None);
    }
    // Variadic calls: 1-2 fixed arguments, promoted extras.
    for k in 0..80 {
        let fixed = rng.range(1, 2);
        let mut a: Vec<Ty> = (0..fixed).map(|_| any_scalar(&mut rng)).collect();
        if k % 10 == 9 {
            a[0] = Ty::St(rng.below(ns));
        }
        let extra = if k % 4 == 3 {
            rng.range(7, 12)
        } else {
            rng.range(1, 6)
        };
        for _ in 0..extra {
            a.push(sc(rng.pick(&Sc::VARIADIC)));
        }
        let ret = if k % 8 == 7 {
            Ty::St(rng.below(ns))
        } else {
            any_scalar(&mut rng)
        };
        push(&mut rng, "variadic", a, Some(ret), Some(fixed));
    }
    // Variadic calls spilling each register file.
    for k in 0..12 {
        let (fixed, extra): (Vec<Ty>, Vec<Sc>) = match k % 4 {
            0 => (vec![sc(Sc::I32)], vec![Sc::F64; 9 + k / 4]),
            1 => (vec![sc(Sc::F64)], vec![Sc::I64; 6 + k / 4]),
            2 => (
                vec![sc(Sc::Ptr), sc(Sc::F32)],
                (0..12 + k / 4).map(|i| Sc::VARIADIC[i % 4]).collect(),
            ),
            _ => (
                vec![Ty::St(9)],
                vec![Sc::F64, Sc::I32, Sc::F64, Sc::I32, Sc::Ptr],
            ),
        };
        let nf = fixed.len();
        let mut a = fixed;
        a.extend(extra.into_iter().map(sc));
        let ret = [sc(Sc::F64), sc(Sc::I16), Ty::St(9), Ty::St(6)][k % 4].clone();
        push(&mut rng, "variadic", a, Some(ret), Some(nf));
    }
    out
}

/// Classes of a value's eightbytes by an independent reading of the ABI
/// (`None`: MEMORY). Used to label thunk shapes.
pub fn classes(sts: &[StructDef], t: &Ty) -> Option<Vec<bool /* sse */>> {
    let (size, _) = size_align(sts, t);
    if size > 16 {
        return None;
    }
    let n = size.div_ceil(8);
    let mut int = vec![false; n];
    for (o, s) in leaf_list(sts, t) {
        if !s.is_float() {
            int[o / 8] = true;
        }
    }
    Some(int.into_iter().map(|i| !i).collect())
}

/// (general registers used incl. a hidden result pointer, stack bytes).
pub fn reg_use(sts: &[StructDef], sig: &Sig) -> (usize, usize) {
    let mut gp = usize::from(matches!(&sig.ret, Some(t) if classes(sts, t).is_none()));
    let mut sse = 0usize;
    let mut stack = 0usize;
    for t in &sig.args {
        let (size, align) = size_align(sts, t);
        if let Some(c) = classes(sts, t) {
            let ns = c.iter().filter(|s| **s).count();
            let ni = c.len() - ns;
            if gp + ni <= 6 && sse + ns <= 8 {
                gp += ni;
                sse += ns;
                continue;
            }
        }
        stack = stack.next_multiple_of(align.max(8)) + size.next_multiple_of(8);
    }
    (gp, stack)
}

/// Whether a typed callback of this signature gets the shift thunk.
pub fn is_shift(sts: &[StructDef], sig: &Sig) -> bool {
    let (gp, stack) = reg_use(sts, sig);
    gp <= 5 && stack == 0
}

/// Whether the typed-callback sample includes this signature.
/// Every 8th signature the shift thunk takes, every 3rd of the others.
pub fn in_typed_sample(sts: &[StructDef], sig: &Sig) -> bool {
    sig.fixed.is_none()
        && sig.args.len() <= 10
        && if is_shift(sts, sig) {
            sig.id % 8 == 1
        } else {
            sig.id % 3 == 1
        }
}

// ---------------------------------------------------------------- C output

fn c_ty(t: &Ty) -> String {
    match t {
        Ty::Sc(s) => s.c().to_owned(),
        Ty::St(i) => format!("S{i}"),
        Ty::Arr(..) => unreachable!("arrays only in structs"),
    }
}

fn c_field(t: &Ty, name: &str) -> String {
    match t {
        Ty::Sc(Sc::Ptr) => format!("void *{name}"),
        Ty::Sc(s) => format!("{} {name}", s.c()),
        Ty::St(i) => format!("S{i} {name}"),
        Ty::Arr(e, n) => c_field(e, &format!("{name}[{n}]")),
    }
}

/// A C initializer of a value from its leaf bits (consumed in order).
fn c_init(sts: &[StructDef], t: &Ty, bits: &mut std::slice::Iter<'_, u64>) -> String {
    match t {
        Ty::Sc(s) => s.c_lit(*bits.next().unwrap_or(&0)),
        Ty::Arr(e, n) => {
            let v: Vec<String> = (0..*n).map(|_| c_init(sts, e, bits)).collect();
            format!("{{{}}}", v.join(", "))
        }
        Ty::St(i) => {
            let v: Vec<String> = sts[*i]
                .fields
                .iter()
                .map(|f| c_init(sts, f, bits))
                .collect();
            format!("{{{}}}", v.join(", "))
        }
    }
}

fn c_arg(sts: &[StructDef], t: &Ty, bits: &[u64]) -> String {
    let mut it = bits.iter();
    match t {
        Ty::St(i) => format!("(S{i}){}", c_init(sts, t, &mut it)),
        _ => c_init(sts, t, &mut it),
    }
}

fn c_ret_ty(sig: &Sig) -> String {
    sig.ret.as_ref().map_or("void".to_owned(), c_ty)
}

/// The C sources of the matrix library: the functions (`matrix.c`) and
/// their callers `callN` (`matrix_callers.c`), two units so that they
/// compile in parallel.
pub fn c_sources(sts: &[StructDef], sigs: &[Sig]) -> Vec<(&'static str, String)> {
    let mut typedefs = String::new();
    for (i, s) in sts.iter().enumerate() {
        let _ = writeln!(typedefs, "/* {} */", s.what);
        let _ = write!(typedefs, "typedef struct S{i} {{");
        for (j, f) in s.fields.iter().enumerate() {
            let _ = write!(typedefs, " {};", c_field(f, &format!("f{j}")));
        }
        let _ = writeln!(typedefs, " }} S{i};");
    }
    let banner = "/* Generated by tests/build.rs from tests/matrix/gen.rs. Do not edit. */\n";
    let mut k = String::new();
    k.push_str(banner);
    k.push_str(
        "/* callN: calls a function pointer of sigN's type with fixed values and\n\
         \x20  returns what it returns. */\n\
         #include <stdint.h>\n#include <string.h>\n\n\
         static float f32b(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }\n\
         static double f64b(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }\n\n",
    );
    k.push_str(&typedefs);
    k.push('\n');
    // What both units of functions see.
    let mut common = String::new();
    common.push_str(
        "#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n\
         #define HIDDEN __attribute__((visibility(\"hidden\"), noinline))\n\
         #define HIDDEN_VAR __attribute__((visibility(\"hidden\"))) _Thread_local\n\
         /* Per thread: the checksum of the last call, and rsp mod 16 inside it: the same\n\
         \x20  for every ABI-conforming caller (a misaligned caller shifts it). */\n\
         extern HIDDEN_VAR uint64_t matrix_last_hash;\n\
         extern HIDDEN_VAR unsigned matrix_sp;\n\
         #define SP() do { uintptr_t sp_; __asm__ volatile(\"mov %%rsp, %0\" : \"=r\"(sp_)); matrix_sp = (unsigned)(sp_ & 15); } while (0)\n\
         /* FNV-1a over the low n bytes of w, little-endian (a scalar's bytes). */\n\
         HIDDEN uint64_t fnvw(uint64_t h, uint64_t w, unsigned n);\n\
         #define H(x) do { __typeof__(x) t_ = (x); uint64_t u_ = 0; memcpy(&u_, &t_, sizeof t_); h = fnvw(h, u_, sizeof t_); } while (0)\n\
         HIDDEN uint64_t lh(uint64_t h, unsigned k);\n\
         static inline _Bool cv_Bool(uint64_t h) { return (_Bool)(h & 1); }\n\
         static inline int8_t cv_I8(uint64_t h) { return (int8_t)h; }\n\
         static inline uint8_t cv_U8(uint64_t h) { return (uint8_t)h; }\n\
         static inline int16_t cv_I16(uint64_t h) { return (int16_t)h; }\n\
         static inline uint16_t cv_U16(uint64_t h) { return (uint16_t)h; }\n\
         static inline int32_t cv_I32(uint64_t h) { return (int32_t)h; }\n\
         static inline uint32_t cv_U32(uint64_t h) { return (uint32_t)h; }\n\
         static inline int64_t cv_I64(uint64_t h) { return (int64_t)h; }\n\
         static inline uint64_t cv_U64(uint64_t h) { return h; }\n\
         static inline float cv_F32(uint64_t h) { return (float)((int32_t)(uint32_t)(h >> 32) >> 8) * 0x1p-10f; }\n\
         static inline double cv_F64(uint64_t h) { return (double)((int64_t)h >> 11) * 0x1p-20; }\n\
         static inline void *cv_Ptr(uint64_t h) { return (void *)(uintptr_t)h; }\n\n",
    );
    common.push_str(&typedefs);
    for i in 0..sts.len() {
        let _ = writeln!(
            common,
            "HIDDEN uint64_t hS{i}(uint64_t h, const S{i} *v);\nHIDDEN S{i} mkS{i}(uint64_t h);"
        );
    }
    common.push('\n');
    let mut c = String::new();
    c.push_str(banner);
    c.push_str(&common);
    c.push_str(
        "HIDDEN_VAR uint64_t matrix_last_hash;\n\
         HIDDEN_VAR unsigned matrix_sp;\n\
         uint64_t matrix_last(void) { return matrix_last_hash; }\n\
         unsigned matrix_sp_residue(void) { return matrix_sp; }\n\
         /* The last of n double extras (to probe what a float extra becomes). */\n\
         double matrix_va_last_double(int n, ...) {\n\
         \x20   va_list ap; va_start(ap, n); double d = 0;\n\
         \x20   for (int i = 0; i < n; i++) d = va_arg(ap, double);\n\
         \x20   va_end(ap); return d;\n}\n\
         /* Calls f(1, 2, 3, 4, 5, 6, 7) (the 7th on the stack) with sentinels in\n\
         \x20  every callee-saved register; returns the xor of each with its\n\
         \x20  sentinel after the call, or-ed (0: all preserved). A callee taking\n\
         \x20  fewer arguments ignores the rest. */\n\
         uint64_t matrix_saved_check(void *f);\n\
         __asm__(\".pushsection .text\\n.globl matrix_saved_check\\n.type matrix_saved_check, @function\\nmatrix_saved_check:\\n\"\n\
         \x20   \"push %rbx\\npush %rbp\\npush %r12\\npush %r13\\npush %r14\\npush %r15\\nsub $24, %rsp\\n\"\n\
         \x20   \"mov %rdi, %r11\\nmovq $7, (%rsp)\\n\"\n\
         \x20   \"movabs $0x5a5a00000000b0b0, %rbx\\nmovabs $0x5a5a00000000b1b1, %rbp\\nmovabs $0x5a5a00000000c2c2, %r12\\n\"\n\
         \x20   \"movabs $0x5a5a00000000c3c3, %r13\\nmovabs $0x5a5a00000000c4c4, %r14\\nmovabs $0x5a5a00000000c5c5, %r15\\n\"\n\
         \x20   \"mov $1, %edi\\nmov $2, %esi\\nmov $3, %edx\\nmov $4, %ecx\\nmov $5, %r8d\\nmov $6, %r9d\\nxor %eax, %eax\\ncall *%r11\\n\"\n\
         \x20   \"movabs $0x5a5a00000000b0b0, %rax\\nxor %rbx, %rax\\n\"\n\
         \x20   \"movabs $0x5a5a00000000b1b1, %rcx\\nxor %rbp, %rcx\\nor %rcx, %rax\\n\"\n\
         \x20   \"movabs $0x5a5a00000000c2c2, %rcx\\nxor %r12, %rcx\\nor %rcx, %rax\\n\"\n\
         \x20   \"movabs $0x5a5a00000000c3c3, %rcx\\nxor %r13, %rcx\\nor %rcx, %rax\\n\"\n\
         \x20   \"movabs $0x5a5a00000000c4c4, %rcx\\nxor %r14, %rcx\\nor %rcx, %rax\\n\"\n\
         \x20   \"movabs $0x5a5a00000000c5c5, %rcx\\nxor %r15, %rcx\\nor %rcx, %rax\\n\"\n\
         \x20   \"add $24, %rsp\\npop %r15\\npop %r14\\npop %r13\\npop %r12\\npop %rbp\\npop %rbx\\nret\\n\"\n\
         \x20   \".size matrix_saved_check, .-matrix_saved_check\\n.popsection\\n\");\n\
         /* The sum of n int extras. */\n\
         int64_t matrix_va_sum_int(int n, ...) {\n\
         \x20   va_list ap; va_start(ap, n); int64_t s = 0;\n\
         \x20   for (int i = 0; i < n; i++) s += va_arg(ap, int);\n\
         \x20   va_end(ap); return s;\n}\n\n\
         HIDDEN uint64_t fnvw(uint64_t h, uint64_t w, unsigned n) {\n\
         \x20   for (unsigned i = 0; i < n; i++) { h ^= (w >> (8 * i)) & 0xff; h *= 0x100000001b3ULL; }\n\
         \x20   return h;\n}\n\
         static uint64_t splitmix(uint64_t z) {\n\
         \x20   z += 0x9e3779b97f4a7c15ULL;\n\
         \x20   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;\n\
         \x20   z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;\n\
         \x20   return z ^ (z >> 31);\n}\n\
         HIDDEN uint64_t lh(uint64_t h, unsigned k) { return splitmix(h + (uint64_t)(k + 1) * 0x9e3779b97f4a7c15ULL); }\n\n",
    );
    // Per struct: its checksum step and its result from a hash.
    for i in 0..sts.len() {
        let t = Ty::St(i);
        let _ = writeln!(c, "HIDDEN uint64_t hS{i}(uint64_t h, const S{i} *v) {{");
        let mut paths = Vec::new();
        leaf_paths(sts, &t, "v->", &mut paths);
        for p in paths {
            let _ = writeln!(c, "    H({});", p.replacen("v->.", "v->", 1));
        }
        c.push_str("    return h;\n}\n");
        let _ = writeln!(
            c,
            "HIDDEN S{i} mkS{i}(uint64_t h) {{\n    S{i} r;\n    memset(&r, 0, sizeof r);"
        );
        let mut paths = Vec::new();
        leaf_paths(sts, &t, "r", &mut paths);
        for (k, (p, (_, s))) in paths.iter().zip(leaf_list(sts, &t)).enumerate() {
            let _ = writeln!(c, "    {p} = cv_{}(lh(h, {k}));", s.name());
        }
        c.push_str("    return r;\n}\n");
    }
    // Layout facts for the tests.
    c.push_str("\nsize_t matrix_struct_size(unsigned i) {\n    switch (i) {\n");
    for i in 0..sts.len() {
        let _ = writeln!(c, "    case {i}: return sizeof(S{i});");
    }
    c.push_str("    default: return 0;\n    }\n}\n");
    c.push_str("size_t matrix_field_offset(unsigned i, unsigned f) {\n    switch (i) {\n");
    for (i, s) in sts.iter().enumerate() {
        let _ = write!(c, "    case {i}: switch (f) {{");
        for j in 0..s.fields.len() {
            let _ = write!(c, " case {j}: return offsetof(S{i}, f{j});");
        }
        c.push_str(" default: return (size_t)-1; }\n");
    }
    c.push_str("    default: return (size_t)-1;\n    }\n}\n\n");
    // The second half of the functions goes to a unit of its own.
    let mut c2 = String::new();
    c2.push_str(banner);
    c2.push_str(&common);

    // Split where about half of the argument leaves are behind.
    let weight = |s: &Sig| 4 + s.vals.iter().map(Vec::len).sum::<usize>();
    let total: usize = sigs.iter().map(weight).sum();
    let mut acc = 0;
    for sig in sigs {
        acc += weight(sig);
        let c = if acc < total * 9 / 20 {
            &mut c
        } else {
            &mut c2
        };
        let ret = c_ret_ty(sig);
        let nfixed = sig.fixed.unwrap_or(sig.args.len());
        let mut params: Vec<String> = sig.args[..nfixed]
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} a{i}", c_ty(t)))
            .collect();
        if sig.fixed.is_some() {
            params.push("...".to_owned());
        }
        if params.is_empty() {
            params.push("void".to_owned());
        }
        let _ = writeln!(c, "/* {} */", sig.describe(sts));
        let _ = writeln!(c, "{ret} {}({}) {{", sig.name(), params.join(", "));
        let _ = writeln!(c, "    uint64_t h = 0x{:x}ULL;\n    SP();", seed(sig.id));
        for (i, t) in sig.args[..nfixed].iter().enumerate() {
            match t {
                Ty::St(k) => {
                    let _ = writeln!(c, "    h = hS{k}(h, &a{i});");
                }
                _ => {
                    let _ = writeln!(c, "    H(a{i});");
                }
            }
        }
        if sig.fixed.is_some() {
            let _ = writeln!(c, "    va_list ap;\n    va_start(ap, a{});", nfixed - 1);
            for t in &sig.args[nfixed..] {
                let ct = c_ty(t);
                let _ = writeln!(c, "    {{ {ct} v_ = va_arg(ap, {ct}); H(v_); }}");
            }
            c.push_str("    va_end(ap);\n");
        }
        c.push_str("    matrix_last_hash = h;\n");
        match &sig.ret {
            None => {}
            Some(Ty::Sc(s)) => {
                let _ = writeln!(c, "    return cv_{}(h);", s.name());
            }
            Some(t) => {
                let _ = writeln!(c, "    return mk{}(h);", c_ty(t));
            }
        }
        c.push_str("}\n");
        if sig.fixed.is_none() {
            // callN: calls a function pointer of the same type with the
            // same argument values and returns what it returns.
            let ptypes: Vec<String> = if sig.args.is_empty() {
                vec!["void".to_owned()]
            } else {
                sig.args.iter().map(c_ty).collect()
            };
            let actual: Vec<String> = sig
                .args
                .iter()
                .zip(&sig.vals)
                .map(|(t, b)| c_arg(sts, t, b))
                .collect();
            let _ = writeln!(
                k,
                "{ret} call{}({ret} (*f)({})) {{\n    {}f({});\n}}",
                sig.id,
                ptypes.join(", "),
                if sig.ret.is_some() { "return " } else { "" },
                actual.join(", ")
            );
        }
        c.push('\n');
    }
    vec![
        ("matrix.c", c),
        ("matrix_more.c", c2),
        ("matrix_callers.c", k),
    ]
}

// ------------------------------------------------------------- Rust output

fn rs_ty(t: &Ty) -> String {
    match t {
        Ty::Sc(s) => s.rust().to_owned(),
        Ty::St(i) => format!("S{i}"),
        Ty::Arr(e, n) => format!("[{}; {n}]", rs_ty(e)),
    }
}

fn rs_ret(sig: &Sig) -> String {
    sig.ret.as_ref().map_or("()".to_owned(), rs_ty)
}

fn rs_init(sts: &[StructDef], t: &Ty, bits: &mut dyn Iterator<Item = u64>) -> String {
    match t {
        Ty::Sc(s) => s.rust_lit(bits.next().unwrap_or(0)),
        Ty::Arr(e, n) => {
            let v: Vec<String> = (0..*n).map(|_| rs_init(sts, e, bits)).collect();
            format!("[{}]", v.join(", "))
        }
        Ty::St(i) => {
            let v: Vec<String> = sts[*i]
                .fields
                .iter()
                .enumerate()
                .map(|(j, f)| format!("f{j}: {}", rs_init(sts, f, bits)))
                .collect();
            format!("S{i} {{ {} }}", v.join(", "))
        }
    }
}

fn alien_ty(t: &Ty) -> String {
    match t {
        Ty::Sc(s) => s.alien_type().to_owned(),
        Ty::St(i) => format!("st_{i}()"),
        Ty::Arr(e, n) => format!("Type::Array(Box::new({}), {n})", alien_ty(e)),
    }
}

fn alien_value(sts: &[StructDef], t: &Ty, bits: &[u64]) -> String {
    match t {
        Ty::Sc(Sc::Ptr) => format!("Value::Pointer({})", Sc::Ptr.rust_lit(bits[0])),
        Ty::Sc(s) => format!("Value::{}({})", s.name(), s.rust_lit(bits[0])),
        _ => {
            let b: String = value_bytes(sts, t, bits)
                .iter()
                .map(|x| format!("\\x{x:02x}"))
                .collect();
            format!("Value::Struct(b\"{b}\".to_vec())")
        }
    }
}

/// The Rust source included by the tests (inside a module, next to a
/// module `gen` at the crate root holding this file).
pub fn rust_source(sts: &[StructDef], sigs: &[Sig]) -> String {
    let mut r = String::new();
    r.push_str(
        "// Generated by tests/build.rs from tests/matrix/gen.rs. Do not edit.\n\
         use alien::ffi::{Signature, Type, Value};\n\
         use core::ffi::c_void;\n\
         use crate::gen::{conv, leaf_hash, Bits, Leaf, Sc};\n\n",
    );
    for (i, s) in sts.iter().enumerate() {
        let _ = writeln!(r, "/// {}", s.what);
        let _ = writeln!(
            r,
            "#[repr(C)]\n#[derive(Clone, Copy, Debug, alien::CStruct)]\npub struct S{i} {{"
        );
        for (j, f) in s.fields.iter().enumerate() {
            let _ = writeln!(r, "    pub f{j}: {},", rs_ty(f));
        }
        r.push_str("}\n");
        let _ = writeln!(
            r,
            "impl Leaf for S{i} {{\n    fn leaf(&self, out: &mut Vec<u8>) {{"
        );
        for j in 0..s.fields.len() {
            let _ = writeln!(r, "        self.f{j}.leaf(out);");
        }
        r.push_str("    }\n}\n");
        let fields: Vec<String> = s.fields.iter().map(alien_ty).collect();
        let _ = writeln!(
            r,
            "pub fn st_{i}() -> Type {{\n    Type::structure(vec![{}]).expect(\"struct S{i}\")\n}}",
            fields.join(", ")
        );
        // A struct result made from a hash (leaf k from leaf_hash(h, k)).
        let mut k = 0usize;
        let mut leaf = |t: &Ty| -> String { rs_from_hash(sts, t, &mut k) };
        let _ = writeln!(
            r,
            "impl S{i} {{\n    pub fn from_hash(h: u64) -> S{i} {{\n        let _ = h;\n        {}\n    }}\n}}",
            leaf(&Ty::St(i))
        );
    }
    r.push_str(
        "\npub fn struct_layouts() -> Vec<(usize, usize, usize, Vec<usize>)> {\n    vec![\n",
    );
    for (i, s) in sts.iter().enumerate() {
        let offs: Vec<String> = (0..s.fields.len())
            .map(|j| format!("std::mem::offset_of!(S{i}, f{j})"))
            .collect();
        let _ = writeln!(
            r,
            "        ({i}, std::mem::size_of::<S{i}>(), std::mem::align_of::<S{i}>(), vec![{}]),",
            offs.join(", ")
        );
    }
    r.push_str("    ]\n}\n\n");

    // Declarations.
    r.push_str("#[link(name = \"alien_matrix\")]\nextern \"C\" {\n");
    r.push_str("    pub fn matrix_last() -> u64;\n");
    r.push_str("    pub fn matrix_sp_residue() -> u32;\n");
    r.push_str("    pub fn matrix_va_last_double(n: i32, ...) -> f64;\n");
    r.push_str("    pub fn matrix_va_sum_int(n: i32, ...) -> i64;\n");
    r.push_str("    pub fn matrix_saved_check(f: *const ()) -> u64;\n");
    r.push_str("    pub fn matrix_struct_size(i: u32) -> usize;\n");
    r.push_str("    pub fn matrix_field_offset(i: u32, f: u32) -> usize;\n");
    for sig in sigs {
        let nfixed = sig.fixed.unwrap_or(sig.args.len());
        let mut params: Vec<String> = sig.args[..nfixed]
            .iter()
            .enumerate()
            .map(|(i, t)| format!("a{i}: {}", rs_ty(t)))
            .collect();
        if sig.fixed.is_some() {
            params.push("...".to_owned());
        }
        let _ = writeln!(
            r,
            "    pub fn {}({}) -> {};",
            sig.name(),
            params.join(", "),
            rs_ret(sig)
        );
        if sig.fixed.is_none() {
            let _ = writeln!(
                r,
                "    pub fn call{}(f: {}) -> {};",
                sig.id,
                rs_fn_ty(sig),
                rs_ret(sig)
            );
        }
    }
    r.push_str("}\n\n");

    // What only the callback test needs, in a macro it expands.
    let mut k = String::new();
    for sig in sigs {
        let actual: Vec<String> = sig
            .args
            .iter()
            .zip(&sig.vals)
            .map(|(t, b)| rs_init(sts, t, &mut b.iter().copied()))
            .collect();
        let n = sig.id;
        // The direct call.
        let _ = writeln!(
            r,
            "fn direct_{n}() -> (Vec<u8>, u64) {{\n    // SAFETY: the generated C function of this type.\n    let r: {} = unsafe {{ {}({}) }};\n    let mut b = Vec::new();\n    r.leaf(&mut b);\n    // SAFETY: plain C function.\n    (b, unsafe {{ matrix_last() }})\n}}",
            rs_ret(sig),
            sig.name(),
            actual.join(", ")
        );
        // The description.
        let types: Vec<String> = sig.args.iter().map(alien_ty).collect();
        let ret = sig.ret.as_ref().map_or("Type::Void".to_owned(), alien_ty);
        let sigexpr = match sig.fixed {
            Some(f) => format!(
                "Signature::variadic(vec![{}], {f}, {ret})",
                types.join(", ")
            ),
            None => format!("Signature::new(vec![{}], {ret})", types.join(", ")),
        };
        let values: Vec<String> = sig
            .args
            .iter()
            .zip(&sig.vals)
            .map(|(t, b)| alien_value(sts, t, b))
            .collect();
        let _ = writeln!(
            r,
            "fn desc_{n}() -> (Signature, Vec<Value>) {{\n    ({sigexpr}.expect(\"{}\"), vec![{}])\n}}",
            sig.name(),
            values.join(", ")
        );
        if sig.fixed.is_none() {
            let _ = writeln!(
                k,
                "unsafe fn cb_{n}(f: *const ()) -> Vec<u8> {{\n    // SAFETY: the caller passes a callback of this type.\n    let f: {} = unsafe {{ std::mem::transmute::<*const (), {}>(f) }};\n    // SAFETY: callN calls f with its fixed values.\n    let r: {} = unsafe {{ call{n}(f) }};\n    let mut b = Vec::new();\n    r.leaf(&mut b);\n    b\n}}",
                rs_fn_ty(sig),
                rs_fn_ty(sig),
                rs_ret(sig)
            );
        }
        if in_typed_sample(sts, sig) {
            let params: Vec<String> = sig
                .args
                .iter()
                .enumerate()
                .map(|(i, t)| format!("a{i}: {}", rs_ty(t)))
                .collect();
            let leafs: String = (0..sig.args.len())
                .map(|i| format!("a{i}.leaf(&mut b); "))
                .collect();
            let make = match &sig.ret {
                None => "let _ = h;".to_owned(),
                Some(Ty::Sc(s)) => format!(
                    "<{} as Bits>::from_bits(conv(Sc::{}, h))",
                    s.rust(),
                    s.name()
                ),
                Some(Ty::St(i)) => format!("S{i}::from_hash(h)"),
                Some(Ty::Arr(..)) => unreachable!(),
            };
            let _ = writeln!(
                k,
                "fn typed_{n}() -> (Vec<u8>, Vec<u8>, usize, usize) {{\n    let seen = std::cell::RefCell::new(Vec::<u8>::new());\n    let calls = std::cell::Cell::new(0usize);\n    let sp = std::cell::Cell::new(usize::MAX);\n    let cb = alien::Callback::new(|{}| -> {} {{\n        calls.set(calls.get() + 1);\n        sp.set(crate::support::sp_residue());\n        let mut b = Vec::<u8>::new();\n        let _ = &mut b;\n        {leafs}\n        let h = crate::gen::fnv(crate::gen::seed({n}), &b);\n        *seen.borrow_mut() = b;\n        {make}\n    }});\n    let f: {} = cb.as_fn();\n    // SAFETY: callN calls f with its fixed values.\n    let r: {} = unsafe {{ call{n}(f) }};\n    drop(cb);\n    let mut b = Vec::new();\n    r.leaf(&mut b);\n    (b, seen.into_inner(), calls.get(), sp.get())\n}}",
                params.join(", "),
                rs_ret(sig),
                rs_fn_ty(sig),
                rs_ret(sig)
            );
        }
    }

    r.push_str(
        "\n/// One signature of the matrix, as the tests see it.\n\
         #[derive(Debug)]\n\
         pub struct Case {\n\
         \x20   pub id: usize,\n\
         \x20   pub name: &'static str,\n\
         \x20   pub addr: usize,\n\
         \x20   pub direct: fn() -> (Vec<u8>, u64),\n\
         \x20   pub desc: fn() -> (Signature, Vec<Value>),\n\
         }\n\n\
         /// A signature a callback can have (not variadic).\n\
         #[derive(Debug)]\n\
         pub struct CbCase {\n\
         \x20   pub id: usize,\n\
         \x20   /// Calls `callN` with a pointer of this type; the result's leaf bytes.\n\
         \x20   pub cb: unsafe fn(*const ()) -> Vec<u8>,\n\
         \x20   /// A typed `Callback` called by `callN`: (result, arguments seen,\n\
         \x20   /// calls, `sp_residue()` in the closure).\n\
         \x20   pub typed: Option<fn() -> (Vec<u8>, Vec<u8>, usize, usize)>,\n\
         }\n\n\
         pub fn cases() -> Vec<Case> {\n    vec![\n",
    );
    for sig in sigs {
        let n = sig.id;
        let _ = writeln!(
            r,
            "        Case {{ id: {n}, name: \"{}\", addr: {} as *const () as usize, direct: direct_{n}, desc: desc_{n} }},",
            sig.name(),
            sig.name()
        );
    }
    r.push_str("    ]\n}\n\n");
    k.push_str("pub fn callback_cases() -> Vec<CbCase> {\n    vec![\n");
    for sig in sigs.iter().filter(|s| s.fixed.is_none()) {
        let n = sig.id;
        let typed = if in_typed_sample(sts, sig) {
            format!("Some(typed_{n})")
        } else {
            "None".to_owned()
        };
        let _ = writeln!(
            k,
            "        CbCase {{ id: {n}, cb: cb_{n}, typed: {typed} }},"
        );
    }
    k.push_str("    ]\n}\n");
    r.push_str("/// The callback side (`cb_N`, `typed_N`, `callback_cases`), expanded by\n/// the callback test only.\nmacro_rules! matrix_callback_items {\n    () => {\n");
    r.push_str(&k);
    r.push_str("    };\n}\n");
    r
}

fn rs_fn_ty(sig: &Sig) -> String {
    let a: Vec<String> = sig.args.iter().map(rs_ty).collect();
    format!(
        "unsafe extern \"C\" fn({}) -> {}",
        a.join(", "),
        rs_ret(sig)
    )
}

fn rs_from_hash(sts: &[StructDef], t: &Ty, k: &mut usize) -> String {
    match t {
        Ty::Sc(s) => {
            let e = format!(
                "<{} as Bits>::from_bits(conv(Sc::{}, leaf_hash(h, {})))",
                s.rust(),
                s.name(),
                *k
            );
            *k += 1;
            e
        }
        Ty::Arr(e, n) => {
            let v: Vec<String> = (0..*n).map(|_| rs_from_hash(sts, e, k)).collect();
            format!("[{}]", v.join(", "))
        }
        Ty::St(i) => {
            let v: Vec<String> = sts[*i]
                .fields
                .iter()
                .enumerate()
                .map(|(j, f)| format!("f{j}: {}", rs_from_hash(sts, f, k)))
                .collect();
            format!("S{i} {{ {} }}", v.join(", "))
        }
    }
}

// ------------------------------------------------ helpers of generated Rust

/// Appends the leaf bytes of a value (padding skipped).
pub trait Leaf {
    fn leaf(&self, out: &mut Vec<u8>);
}

/// A Rust scalar made from result bits.
pub trait Bits {
    fn from_bits(b: u64) -> Self;
}

macro_rules! leaf_ints {
    ($($t:ty),*) => {$(
        impl Leaf for $t {
            fn leaf(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Bits for $t {
            fn from_bits(b: u64) -> Self {
                b as $t
            }
        }
    )*};
}
leaf_ints!(i8, u8, i16, u16, i32, u32, i64, u64);

impl Leaf for f32 {
    fn leaf(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }
}
impl Bits for f32 {
    fn from_bits(b: u64) -> Self {
        f32::from_bits(b as u32)
    }
}
impl Leaf for f64 {
    fn leaf(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }
}
impl Bits for f64 {
    fn from_bits(b: u64) -> Self {
        f64::from_bits(b)
    }
}
impl Leaf for bool {
    fn leaf(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}
impl Bits for bool {
    fn from_bits(b: u64) -> Self {
        b & 1 == 1
    }
}
impl Leaf for *mut core::ffi::c_void {
    fn leaf(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(*self as usize as u64).to_le_bytes());
    }
}
impl Bits for *mut core::ffi::c_void {
    fn from_bits(b: u64) -> Self {
        b as usize as *mut core::ffi::c_void
    }
}
impl Leaf for () {
    fn leaf(&self, _out: &mut Vec<u8>) {}
}
impl<T: Leaf, const N: usize> Leaf for [T; N] {
    fn leaf(&self, out: &mut Vec<u8>) {
        for x in self {
            x.leaf(out);
        }
    }
}
