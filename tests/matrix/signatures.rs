// Part of the matrix model (included by `gen.rs`): signatures, their argument
// values and checksums, the deterministic catalog of signatures, and the
// eightbyte classes.

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
