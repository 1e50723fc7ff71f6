//! The measured code of P2-P5, shared by the criterion benchmarks
//! (`benches/runtime_calls.rs`, `benches/callbacks.rs`, which include this
//! file with `#[path]`) and `rtcount` (instructions counted with callgrind),
//! so that both time and count the same source.
//!
//! * P2/P3: `add2`, `mix8` and `sum12` (`c/calls.c`) called with a signature
//!   known only at run time: alien's [`Procedure`] (raw slot array, and
//!   checked [`Value`]s) and libffi's `Cif::call` with a prepared CIF. The
//!   direct calls they are compared with are P1's loops
//!   (`alien_bench::loops::bench_loop_direct_*`). Every loop takes its first
//!   argument from the loop counter and sums the results, like P1's.
//! * P4: `qsort` (glibc's, called directly) of 100,000 shuffled ints, the
//!   same input copied in before every sort, with four comparators that do
//!   the same work: read a direction flag, compare two ints.
//! * P5: creating and dropping one callback.

#![allow(dead_code, clippy::too_many_arguments)]

use alien::ffi::{Procedure, Signature, Type, Value};
use libffi::middle::{arg, Cif, CodePtr, Type as FfiType};
use std::ffi::{c_int, c_long, c_void};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};

/// The run-time-signature side of P2/P3: a [`Procedure`] and a prepared
/// libffi CIF per function, both calling the address `dlsym` returns.
#[derive(Debug)]
pub struct Rt {
    /// `add2` as a procedure.
    pub add2: Procedure,
    /// `mix8` as a procedure.
    pub mix8: Procedure,
    /// `sum12` as a procedure.
    pub sum12: Procedure,
    /// libffi's prepared CIFs, with the functions' addresses.
    pub ffi: FfiCifs,
    _loaded: alien_bench::Loaded,
}

/// Prepared libffi CIFs and the code pointers they call.
pub struct FfiCifs {
    /// `int add2(int, int)`.
    pub add2: (Cif, CodePtr),
    /// `double mix8(int, double, ...)`.
    pub mix8: (Cif, CodePtr),
    /// `long sum12(int x 12)`.
    pub sum12: (Cif, CodePtr),
}

impl std::fmt::Debug for FfiCifs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FfiCifs").finish_non_exhaustive()
    }
}

fn mix8_types() -> Vec<Type> {
    vec![
        Type::I32,
        Type::F64,
        Type::I32,
        Type::F64,
        Type::I32,
        Type::F64,
        Type::I32,
        Type::F64,
    ]
}

impl Rt {
    /// Opens `libalien_bench.so`, builds the procedures and the CIFs.
    pub fn new() -> Result<Rt, String> {
        let loaded = alien_bench::Loaded::open()
            .map_err(|e| format!("cannot open {}: {e}", alien_bench::BENCH_LIB))?;
        let sig = |args: Vec<Type>, ret: Type| {
            Signature::new(args, ret).map_err(|e| format!("signature: {e}"))
        };
        let (a, m, s) = (
            loaded.add2 as usize,
            loaded.mix8 as usize,
            loaded.sum12 as usize,
        );
        // SAFETY: each address is the C function of that signature
        // (c/calls.c), and `loaded` keeps the library open while `Rt` lives.
        let (add2, mix8, sum12) = unsafe {
            (
                Procedure::from_address(a, sig(vec![Type::I32, Type::I32], Type::I32)?),
                Procedure::from_address(m, sig(mix8_types(), Type::F64)?),
                Procedure::from_address(s, sig(vec![Type::I32; 12], Type::I64)?),
            )
        };
        let err = |e| format!("procedure: {e}");
        let code = |addr: usize| CodePtr(addr as *mut c_void);
        let mix8_ffi = (0..8).map(|i| {
            if i % 2 == 0 {
                FfiType::i32()
            } else {
                FfiType::f64()
            }
        });
        Ok(Rt {
            add2: add2.map_err(err)?,
            mix8: mix8.map_err(err)?,
            sum12: sum12.map_err(err)?,
            ffi: FfiCifs {
                add2: (
                    Cif::new([FfiType::i32(), FfiType::i32()], FfiType::i32()),
                    code(a),
                ),
                mix8: (Cif::new(mix8_ffi, FfiType::f64()), code(m)),
                sum12: (
                    Cif::new((0..12).map(|_| FfiType::i32()), FfiType::i64()),
                    code(s),
                ),
            },
            _loaded: loaded,
        })
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("{what}: {e}")
}

/// The first argument's slot: an `int` zero-padded to 64 bits.
#[inline(always)]
fn int_slot(v: c_int) -> u64 {
    u64::from(v as u32)
}

// ---- P2/P3: alien, raw slot arrays ----------------------------------------

/// `add2` through [`Procedure::call_raw`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_raw_add2(p: &Procedure, n: u64) -> i64 {
    let mut args = [0u64, int_slot(7)];
    let mut ret = [0u64; 1];
    let mut acc = 0i64;
    for i in 0..n {
        args[0] = int_slot(i as c_int);
        // SAFETY: `p` is add2's procedure; the slots hold two ints.
        if let Err(e) = unsafe { p.call_raw(&args, &mut ret) } {
            failed("add2", e);
        }
        acc += i64::from(ret[0] as c_int);
    }
    acc
}

/// `mix8` through [`Procedure::call_raw`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_raw_mix8(p: &Procedure, n: u64) -> f64 {
    let mut args = [
        0,
        1.5f64.to_bits(),
        int_slot(2),
        2.5f64.to_bits(),
        int_slot(3),
        3.5f64.to_bits(),
        int_slot(4),
        4.5f64.to_bits(),
    ];
    let mut ret = [0u64; 1];
    let mut acc = 0f64;
    for i in 0..n {
        args[0] = int_slot(i as c_int);
        // SAFETY: `p` is mix8's procedure; the slots hold its arguments.
        if let Err(e) = unsafe { p.call_raw(&args, &mut ret) } {
            failed("mix8", e);
        }
        acc += f64::from_bits(ret[0]);
    }
    acc
}

/// `sum12` through [`Procedure::call_raw`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_raw_sum12(p: &Procedure, n: u64) -> i64 {
    let mut args = [0u64; 12];
    for (k, a) in args.iter_mut().enumerate() {
        *a = int_slot(k as c_int);
    }
    let mut ret = [0u64; 1];
    let mut acc = 0i64;
    for i in 0..n {
        args[0] = int_slot(i as c_int);
        // SAFETY: `p` is sum12's procedure; the slots hold twelve ints.
        if let Err(e) = unsafe { p.call_raw(&args, &mut ret) } {
            failed("sum12", e);
        }
        acc += ret[0] as i64;
    }
    acc
}

// ---- P2/P3: alien, checked values -----------------------------------------

/// `add2` through [`Procedure::call`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_value_add2(p: &Procedure, n: u64) -> i64 {
    let mut acc = 0i64;
    for i in 0..n {
        // SAFETY: `p` is add2's procedure.
        match unsafe { p.call(&[Value::I32(i as c_int), Value::I32(7)]) } {
            Ok(Value::I32(v)) => acc += i64::from(v),
            Ok(v) => failed("add2", v.kind()),
            Err(e) => failed("add2", e),
        }
    }
    acc
}

/// `mix8` through [`Procedure::call`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_value_mix8(p: &Procedure, n: u64) -> f64 {
    let mut acc = 0f64;
    for i in 0..n {
        let args = [
            Value::I32(i as c_int),
            Value::F64(1.5),
            Value::I32(2),
            Value::F64(2.5),
            Value::I32(3),
            Value::F64(3.5),
            Value::I32(4),
            Value::F64(4.5),
        ];
        // SAFETY: `p` is mix8's procedure.
        match unsafe { p.call(&args) } {
            Ok(Value::F64(v)) => acc += v,
            Ok(v) => failed("mix8", v.kind()),
            Err(e) => failed("mix8", e),
        }
    }
    acc
}

/// `sum12` through [`Procedure::call`].
#[no_mangle]
#[inline(never)]
pub fn rt_loop_value_sum12(p: &Procedure, n: u64) -> i64 {
    let mut acc = 0i64;
    for i in 0..n {
        let args = [
            Value::I32(i as c_int),
            Value::I32(1),
            Value::I32(2),
            Value::I32(3),
            Value::I32(4),
            Value::I32(5),
            Value::I32(6),
            Value::I32(7),
            Value::I32(8),
            Value::I32(9),
            Value::I32(10),
            Value::I32(11),
        ];
        // SAFETY: `p` is sum12's procedure.
        match unsafe { p.call(&args) } {
            Ok(Value::I64(v)) => acc += v,
            Ok(v) => failed("sum12", v.kind()),
            Err(e) => failed("sum12", e),
        }
    }
    acc
}

// ---- P2: libffi, prepared CIF ---------------------------------------------

/// `add2` through libffi's `Cif::call`.
#[no_mangle]
#[inline(never)]
pub fn rt_loop_libffi_add2(f: &(Cif, CodePtr), n: u64) -> i64 {
    let (cif, code) = f;
    let b: c_int = 7;
    let mut acc = 0i64;
    for i in 0..n {
        let a = i as c_int;
        // SAFETY: the CIF is add2's signature and `code` is add2.
        acc += i64::from(unsafe { cif.call::<c_int>(*code, &[arg(&a), arg(&b)]) });
    }
    acc
}

/// `mix8` through libffi's `Cif::call`.
#[no_mangle]
#[inline(never)]
pub fn rt_loop_libffi_mix8(f: &(Cif, CodePtr), n: u64) -> f64 {
    let (cif, code) = f;
    let (b, c, d, e, g, h, k): (f64, c_int, f64, c_int, f64, c_int, f64) =
        (1.5, 2, 2.5, 3, 3.5, 4, 4.5);
    let mut acc = 0f64;
    for i in 0..n {
        let a = i as c_int;
        let args = [
            arg(&a),
            arg(&b),
            arg(&c),
            arg(&d),
            arg(&e),
            arg(&g),
            arg(&h),
            arg(&k),
        ];
        // SAFETY: the CIF is mix8's signature and `code` is mix8.
        acc += unsafe { cif.call::<f64>(*code, &args) };
    }
    acc
}

/// `sum12` through libffi's `Cif::call`.
#[no_mangle]
#[inline(never)]
pub fn rt_loop_libffi_sum12(f: &(Cif, CodePtr), n: u64) -> i64 {
    let (cif, code) = f;
    let rest: [c_int; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let mut acc = 0i64;
    for i in 0..n {
        let a = i as c_int;
        let args = [
            arg(&a),
            arg(&rest[0]),
            arg(&rest[1]),
            arg(&rest[2]),
            arg(&rest[3]),
            arg(&rest[4]),
            arg(&rest[5]),
            arg(&rest[6]),
            arg(&rest[7]),
            arg(&rest[8]),
            arg(&rest[9]),
            arg(&rest[10]),
        ];
        // SAFETY: the CIF is sum12's signature and `code` is sum12.
        acc += unsafe { cif.call::<c_long>(*code, &args) } as i64;
    }
    acc
}

/// Runs P2/P3 variant `variant` (`raw`, `value`, `libffi`, `direct`) of
/// function `f` (`add2`, `mix8`, `sum12`) `n` times; `None` for an unknown
/// name.
pub fn run_call(rt: &Rt, variant: &str, f: &str, n: u64) -> Option<f64> {
    use alien_bench::loops as p1;
    Some(match (variant, f) {
        ("raw", "add2") => rt_loop_raw_add2(&rt.add2, n) as f64,
        ("raw", "mix8") => rt_loop_raw_mix8(&rt.mix8, n),
        ("raw", "sum12") => rt_loop_raw_sum12(&rt.sum12, n) as f64,
        ("value", "add2") => rt_loop_value_add2(&rt.add2, n) as f64,
        ("value", "mix8") => rt_loop_value_mix8(&rt.mix8, n),
        ("value", "sum12") => rt_loop_value_sum12(&rt.sum12, n) as f64,
        ("libffi", "add2") => rt_loop_libffi_add2(&rt.ffi.add2, n) as f64,
        ("libffi", "mix8") => rt_loop_libffi_mix8(&rt.ffi.mix8, n),
        ("libffi", "sum12") => rt_loop_libffi_sum12(&rt.ffi.sum12, n) as f64,
        ("direct", "add2") => p1::bench_loop_direct_add2(n) as f64,
        ("direct", "mix8") => p1::bench_loop_direct_mix8(n),
        ("direct", "sum12") => p1::bench_loop_direct_sum12(n) as f64,
        _ => return None,
    })
}

// ---- P4: qsort with a comparator ------------------------------------------

/// Ints sorted per `qsort` call.
pub const SORT_LEN: usize = 100_000;

/// A C comparator.
pub type Cmp = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;

/// `0..len` shuffled with a fixed seed (xorshift64, Fisher-Yates): the same
/// input in every process.
pub fn shuffled(len: usize) -> Vec<i32> {
    let mut v: Vec<i32> = (0..len as i32).collect();
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

/// The comparison every comparator makes: `a` before `b` (or after, when
/// `descending`).
#[inline(always)]
fn compare(descending: bool, a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: qsort passes pointers to two elements of the int array.
    let (x, y) = unsafe { (*a.cast::<i32>(), *b.cast::<i32>()) };
    if descending {
        y.cmp(&x) as c_int
    } else {
        x.cmp(&y) as c_int
    }
}

/// The plain comparator's direction flag (a static: it cannot capture).
pub static PLAIN_DESCENDING: AtomicBool = AtomicBool::new(false);

/// A plain `extern "C"` comparator: reads the static flag.
pub unsafe extern "C" fn plain_cmp(a: *const c_void, b: *const c_void) -> c_int {
    compare(PLAIN_DESCENDING.load(Ordering::Relaxed), a, b)
}

/// The closure every callback library wraps: it captures a reference to the
/// direction flag.
pub fn closure(descending: &bool) -> impl Fn(*const c_void, *const c_void) -> c_int + '_ {
    move |a, b| compare(*descending, a, b)
}

/// Copies `input` into `buf` and sorts it with `cmp` (glibc's `qsort`).
#[inline(never)]
pub fn sort_with(input: &[i32], buf: &mut [i32], cmp: Cmp) {
    buf.copy_from_slice(input);
    // SAFETY: `buf` is an array of `buf.len()` ints and `cmp` compares two
    // ints (every comparator here does).
    unsafe { libc::qsort(buf.as_mut_ptr().cast(), buf.len(), 4, Some(cmp)) };
}

/// The comparator variants of P4 and P5, by name.
pub const CMP_VARIANTS: [&str; 4] = ["alien", "plain", "libffi", "closure_ffi"];

/// Calls `body` with comparator `variant` (made before, dropped after), or
/// returns `None` for an unknown name. Each library gets the closure the way
/// its API takes it: alien and closure-ffi by value (they box it), libffi by
/// reference (its closure borrows it).
pub fn with_comparator<T>(
    variant: &str,
    descending: &bool,
    body: impl FnOnce(Cmp) -> T,
) -> Option<T> {
    match variant {
        "alien" => {
            let cb = alien::Callback::new(closure(descending));
            Some(body(cb.as_fn()))
        }
        "plain" => {
            PLAIN_DESCENDING.store(*descending, Ordering::Relaxed);
            Some(body(plain_cmp))
        }
        "libffi" => {
            let f = closure(descending);
            let c = libffi::high::Closure2::new(&f);
            Some(body(libffi_fn(&c)))
        }
        "closure_ffi" => {
            let c = closure_ffi::BareFn::new_c(closure(descending));
            Some(body(c.bare()))
        }
        _ => None,
    }
}

/// Sorts the P4 input `iters` times with comparator `cmp` (made by the caller).
#[inline(never)]
pub fn sorts(input: &[i32], buf: &mut [i32], cmp: Cmp, iters: u64) {
    for _ in 0..iters {
        sort_with(input, buf, cmp);
    }
}

/// The C function pointer of a libffi high-level closure.
pub fn libffi_fn(c: &libffi::high::Closure2<'_, *const c_void, *const c_void, c_int>) -> Cmp {
    let p = *c.code_ptr();
    // SAFETY: `FnPtr2` is `repr(transparent)` over `extern "C" fn(A, B) ->
    // R`, which has the layout and ABI of `Cmp`.
    unsafe {
        std::mem::transmute::<libffi::high::FnPtr2<'_, *const c_void, *const c_void, c_int>, Cmp>(p)
    }
}

/// How many comparisons one sort of `input` makes (glibc's qsort is
/// deterministic for a given input).
pub fn comparisons(input: &[i32]) -> u64 {
    thread_local! {
        static COUNT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    unsafe extern "C" fn counting(a: *const c_void, b: *const c_void) -> c_int {
        COUNT.with(|c| c.set(c.get() + 1));
        compare(false, a, b)
    }
    let mut buf = vec![0; input.len()];
    COUNT.with(|c| c.set(0));
    sort_with(input, &mut buf, counting);
    COUNT.with(std::cell::Cell::get)
}

// ---- P5: creating and dropping one callback -------------------------------

/// Creates and drops `n` alien callbacks.
#[no_mangle]
#[inline(never)]
pub fn rt_loop_create_alien(descending: &bool, n: u64) {
    for _ in 0..n {
        let cb = alien::Callback::new(closure(descending));
        black_box(cb.as_fn());
    }
}

/// Creates and drops `n` libffi closures (each with its CIF, as
/// `Closure2::new` makes it).
#[no_mangle]
#[inline(never)]
pub fn rt_loop_create_libffi(descending: &bool, n: u64) {
    let f = closure(descending);
    for _ in 0..n {
        let c = libffi::high::Closure2::new(&f);
        black_box(libffi_fn(&c));
    }
}

/// Creates and drops `n` closure-ffi `BareFn`s.
#[no_mangle]
#[inline(never)]
pub fn rt_loop_create_closure_ffi(descending: &bool, n: u64) {
    for _ in 0..n {
        let c = closure_ffi::BareFn::new_c(closure(descending));
        let cmp: Cmp = c.bare();
        black_box(cmp);
    }
}

/// Runs P5 variant `variant` `n` times; `None` for an unknown name.
pub fn run_create(variant: &str, descending: &bool, n: u64) -> Option<()> {
    match variant {
        "alien" => rt_loop_create_alien(descending, n),
        "libffi" => rt_loop_create_libffi(descending, n),
        "closure_ffi" => rt_loop_create_closure_ffi(descending, n),
        _ => return None,
    }
    Some(())
}
