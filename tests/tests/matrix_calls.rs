//! The System V signature matrix (`tests/matrix/gen.rs`) through
//! `alien::ffi::Procedure`: every generated C signature is called directly by
//! rustc-compiled code and through alien (`call`, `call_raw`, `from_address`
//! and, for a sample, `from_symbol`); the results must be bitwise equal, and
//! equal to what the model predicts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::too_many_arguments,
    clippy::let_unit_value,
    clippy::unit_arg
)]

#[allow(dead_code, unreachable_pub, clippy::all)]
mod gen {
    include!("../matrix/gen.rs");
}
#[allow(dead_code, unreachable_pub, unused_parens, unused_macros, clippy::all)]
mod m {
    include!(concat!(env!("OUT_DIR"), "/matrix.rs"));
}
#[allow(dead_code, unreachable_pub)]
mod support {
    include!("../matrix/support.rs");
}

use alien::ffi::{Procedure, Type, Value};
use gen::{Sc, Ty};
use support::{hex, selected, value_leaf_bytes};

const MATRIX_LIB: &str = env!("ALIEN_MATRIX_LIB");

#[test]
fn matrix_size_and_categories() {
    let sigs = support::signatures();
    let census = support::census(&sigs);
    eprintln!("matrix: {} signatures: {census:?}", sigs.len());
    assert!(sigs.len() >= 500, "{}", sigs.len());
    // Every scalar as argument and as result.
    for s in Sc::ALL {
        assert!(sigs.iter().any(|g| g.args.contains(&Ty::Sc(s))));
        assert!(sigs.iter().any(|g| g.ret == Some(Ty::Sc(s))));
    }
    assert_eq!(m::cases().len(), sigs.len());
}

/// The model, rustc's `#[repr(C)]`, the C compiler and alien agree on every
/// struct's layout.
#[test]
fn struct_layouts_agree() {
    let sts = gen::structs();
    for (i, size, align, offs) in m::struct_layouts() {
        let (msize, malign, moffs) = gen::struct_layout(&sts, i);
        assert_eq!(
            (size, align, &offs),
            (msize, malign, &moffs),
            "rustc vs model: S{i}"
        );
        let csize = unsafe { m::matrix_struct_size(i as u32) };
        let coffs: Vec<usize> = (0..offs.len())
            .map(|f| unsafe { m::matrix_field_offset(i as u32, f as u32) })
            .collect();
        assert_eq!((csize, &coffs), (msize, &moffs), "C vs model: S{i}");
        let t = support::model_type(&sts, &Ty::St(i));
        let Type::Struct(st) = &t else {
            panic!("S{i} is not a struct type: {t:?}")
        };
        let aoffs: Vec<usize> = st.fields().iter().map(|f| f.offset).collect();
        assert_eq!(
            (st.size(), st.align(), &aoffs),
            (msize, malign, &moffs),
            "alien vs model: S{i}"
        );
    }
}

/// The generated C and the model agree (so the model can be used as the
/// expected value, e.g. in callback handlers).
#[test]
fn direct_calls_match_the_model() {
    let sts = gen::structs();
    let sigs = support::signatures();
    let mut bad = Vec::new();
    for (sig, case) in sigs.iter().zip(m::cases()) {
        assert_eq!(sig.id, case.id);
        let (ret, last) = (case.direct)();
        let h = sig.hash(&sts);
        let want = sig.ret_leaf_bytes(&sts, h);
        if last != h || ret != want {
            bad.push(format!(
                "{}: C hash {last:#x} result {} / model {h:#x} {}",
                sig.describe(&sts),
                hex(&ret),
                hex(&want)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The full 64-bit result slot `call_raw` must produce for a scalar result:
/// small integers extended by their signedness.
fn extended(s: Sc, bits: u64) -> Option<u64> {
    let w = 8 * s.size() as u32;
    Some(match s {
        Sc::I8 | Sc::I16 | Sc::I32 => (((bits << (64 - w)) as i64) >> (64 - w)) as u64,
        Sc::Bool | Sc::U8 | Sc::U16 | Sc::U32 | Sc::I64 | Sc::U64 | Sc::Ptr => bits,
        Sc::F32 | Sc::F64 => return None,
    })
}

/// Calls one case through a procedure both ways and compares with the
/// direct call; returns the failures.
fn check(p: &Procedure, sig: &gen::Sig, case: &m::Case, vals: &[Value], how: &str) -> Vec<String> {
    let sts = gen::structs();
    let mut bad = Vec::new();
    let (want, want_last) = (case.direct)();
    let want_sp = unsafe { m::matrix_sp_residue() };
    let d = sig.describe(&sts);
    // The checked path.
    match unsafe { p.call(vals) } {
        Ok(v) => {
            let last = unsafe { m::matrix_last() };
            let sp = unsafe { m::matrix_sp_residue() };
            if sp != want_sp {
                bad.push(format!(
                    "{how} call: {d}: rsp mod 16 in the callee is {sp}, {want_sp} when rustc calls it"
                ));
            }
            let got = match &sig.ret {
                None if v == Value::Void => Ok(Vec::new()),
                None => Err(format!("{v:?} from a void function")),
                Some(t) => value_leaf_bytes(&sts, t, &v),
            };
            match got {
                Ok(got) if got == want && last == want_last => {}
                Ok(got) => bad.push(format!(
                    "{how} call: {d}: result {} (hash {last:#x}), direct {} (hash {want_last:#x})",
                    hex(&got),
                    hex(&want)
                )),
                Err(e) => bad.push(format!("{how} call: {d}: {e}")),
            }
        }
        Err(e) => bad.push(format!("{how} call: {d}: error {e}")),
    }
    // The raw path: slots zero padded, result slots poisoned.
    let mut slots = vec![0u64; p.arg_slots()];
    for ((t, bits), at) in sig.args.iter().zip(&sig.vals).zip(p.slot_of()) {
        let bytes = gen::value_bytes(&sts, t, bits);
        for (k, chunk) in bytes.chunks(8).enumerate() {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            slots[at + k] = u64::from_le_bytes(w);
        }
    }
    const POISON: u64 = 0xa5a5_a5a5_a5a5_a5a5;
    let mut ret = vec![POISON; p.ret_slots().max(1)];
    match unsafe { p.call_raw(&slots, &mut ret) } {
        Ok(()) => {
            let last = unsafe { m::matrix_last() };
            let sp = unsafe { m::matrix_sp_residue() };
            if sp != want_sp {
                bad.push(format!(
                    "{how} call_raw: {d}: rsp mod 16 in the callee is {sp}, {want_sp} when rustc calls it"
                ));
            }
            let bytes: Vec<u8> = ret.iter().flat_map(|w| w.to_le_bytes()).collect();
            let got = match &sig.ret {
                None => Vec::new(),
                Some(t) => {
                    let (size, _) = gen::size_align(&sts, t);
                    gen::strip_padding(&sts, t, &bytes[..size])
                }
            };
            if got != want || last != want_last {
                bad.push(format!(
                    "{how} call_raw: {d}: result {} (hash {last:#x}), direct {} (hash {want_last:#x})",
                    hex(&got),
                    hex(&want)
                ));
            } else if let Some(Ty::Sc(s)) = &sig.ret {
                let bits = sig.ret_bits(&sts, want_last)[0];
                if let Some(full) = extended(*s, bits) {
                    if ret[0] != full {
                        bad.push(format!(
                            "{how} call_raw: {d}: result slot {:#018x}, want {full:#018x} (extended {})",
                            ret[0],
                            s.c()
                        ));
                    }
                }
            }
        }
        Err(e) => bad.push(format!("{how} call_raw: {d}: error {e}")),
    }
    bad
}

#[test]
fn procedures_match_direct_calls() {
    let sts = gen::structs();
    let sigs = support::signatures();
    let mut bad = Vec::new();
    let mut procs = Vec::new();
    for (sig, case) in sigs.iter().zip(m::cases()) {
        if !selected(sig.id) {
            continue;
        }
        support::verbose(&sts, sig);
        let (signature, vals) = (case.desc)();
        // The generated description is the model's.
        let types: Vec<Type> = sig
            .args
            .iter()
            .map(|t| support::model_type(&sts, t))
            .collect();
        assert_eq!(signature.args(), &types[..], "{}", sig.describe(&sts));
        assert_eq!(signature.fixed(), sig.fixed);
        let p = match unsafe { Procedure::from_address(case.addr, signature) } {
            Ok(p) => p,
            Err(e) => {
                bad.push(format!("from_address: {}: {e}", sig.describe(&sts)));
                continue;
            }
        };
        bad.extend(check(&p, sig, &case, &vals, "from_address"));
        procs.push(p);
    }
    eprintln!(
        "matrix: {} procedures, {} cached stubs",
        procs.len(),
        alien::ffi::cached_stubs()
    );
    let wx = alien::code::memory::writable_and_executable_mappings().unwrap();
    assert!(wx.is_empty(), "W+X mappings: {wx:#?}");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn procedures_from_symbols() {
    let sts = gen::structs();
    let sigs = support::signatures();
    let mut bad = Vec::new();
    let mut n = 0;
    for (sig, case) in sigs.iter().zip(m::cases()) {
        if sig.id % 5 != 2 || !selected(sig.id) {
            continue;
        }
        n += 1;
        let (signature, vals) = (case.desc)();
        match Procedure::from_symbol(case.name, Some(MATRIX_LIB), signature) {
            Ok(p) => bad.extend(check(&p, sig, &case, &vals, "from_symbol")),
            Err(e) => bad.push(format!("from_symbol: {}: {e}", sig.describe(&sts))),
        }
    }
    eprintln!("matrix: {n} procedures from symbols");
    let wx = alien::code::memory::writable_and_executable_mappings().unwrap();
    assert!(wx.is_empty(), "W+X mappings: {wx:#?}");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// A `float` extra argument of a variadic call: C reads a `double` (default
/// argument promotions), so a run-time variadic signature with a
/// `Type::F32` extra must be refused (or the float promoted); passing the raw
/// float bits would give the callee 5.28e-315 for 1.5 (what alien did before
/// `TypeError::UnpromotedVariadic`).
#[test]
fn variadic_float_extra_is_refused_or_promoted() {
    // The reference: what a C caller passes (rustc promotes too).
    assert_eq!(unsafe { m::matrix_va_last_double(1, 1.5f32 as f64) }, 1.5);
    let sig = alien::ffi::Signature::variadic(vec![Type::I32, Type::F32], 1, Type::F64);
    let sig = match sig {
        Err(e) => {
            assert!(e.to_string().contains("double"), "{e}");
            return;
        }
        Ok(sig) => sig,
    };
    let addr = m::matrix_va_last_double as *const () as usize;
    let p = unsafe { Procedure::from_address(addr, sig) }.unwrap();
    let v = unsafe { p.call(&[Value::I32(1), Value::F32(1.5)]) }.unwrap();
    assert_eq!(
        v,
        Value::F64(1.5),
        "the callee read the float extra as {v:?}"
    );
}

/// The small integer types as variadic extras: refused, or extended to
/// `int` so that `va_arg(ap, int)` reads them; their promoted form works.
#[test]
fn variadic_small_integer_extras_are_refused_or_promoted() {
    let addr = m::matrix_va_sum_int as *const () as usize;
    let want = unsafe { m::matrix_va_sum_int(6, -5i32, 250i32, -300i32, 60000i32, 1i32, -7i32) };
    assert_eq!(want, -5 + 250 - 300 + 60000 + 1 - 7);
    let small = [
        (Type::I8, Value::I8(-5)),
        (Type::U8, Value::U8(250)),
        (Type::I16, Value::I16(-300)),
        (Type::U16, Value::U16(60000)),
        (Type::Bool, Value::Bool(true)),
    ];
    let promoted = [
        Value::I32(-5),
        Value::I32(250),
        Value::I32(-300),
        Value::I32(60000),
        Value::I32(1),
    ];
    // Each small type alone, then all promoted.
    for (k, (t, v)) in small.iter().enumerate() {
        let mut types = vec![Type::I32; 7];
        types[1 + k] = t.clone();
        let mut vals: Vec<Value> = std::iter::once(Value::I32(6))
            .chain(promoted.iter().cloned())
            .chain([Value::I32(-7)])
            .collect();
        vals[1 + k] = v.clone();
        match alien::ffi::Signature::variadic(types, 1, Type::I64) {
            Err(e) => assert!(e.to_string().contains("int"), "{t}: {e}"),
            Ok(sig) => {
                let p = unsafe { Procedure::from_address(addr, sig) }.unwrap();
                assert_eq!(unsafe { p.call(&vals) }.unwrap(), Value::I64(want), "{t}");
            }
        }
    }
    let sig = alien::ffi::Signature::variadic(vec![Type::I32; 7], 1, Type::I64).unwrap();
    let p = unsafe { Procedure::from_address(addr, sig) }.unwrap();
    let vals: Vec<Value> = std::iter::once(Value::I32(6))
        .chain(promoted)
        .chain([Value::I32(-7)])
        .collect();
    assert_eq!(unsafe { p.call(&vals) }.unwrap(), Value::I64(want));
}
