//! The System V signature matrix (`tests/matrix/gen.rs`) for callbacks: C
//! (`callN`) calls a function pointer with fixed values and returns what it
//! returns. The pointer is an `alien::RuntimeCallback` whose handler
//! recomputes the C checksum from the `Value`s it receives (every
//! non-variadic signature, frame thunk), or a typed `alien::Callback` closure
//! (a sample, both thunk shapes). Results must be bitwise those of the C
//! function itself, and the arguments seen those C passed.
//!
//! Also: creating and dropping 100,000 capturing callbacks does not grow the
//! process, and no mapping is ever writable and executable.
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
#[allow(dead_code, unreachable_pub, unused_parens, clippy::all)]
mod m {
    include!(concat!(env!("OUT_DIR"), "/matrix.rs"));
    matrix_callback_items!();
}
#[allow(dead_code, unreachable_pub)]
mod support {
    include!("../matrix/support.rs");
}

use alien::ffi::{Procedure, Value};
use alien::{Callback, RuntimeCallback};
use std::sync::{Arc, Mutex, MutexGuard};
use support::{hex, selected};

/// The churn test measures the process; the others must not run meanwhile.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a run-time handler saw: the leaf bytes of its arguments, or why
/// they could not be read. The handler never panics (a panic with no
/// declared caller aborts), it records.
#[derive(Default)]
struct Seen {
    calls: usize,
    args: Vec<u8>,
    errors: Vec<String>,
    /// `sp_residue()` inside the handler.
    sp: usize,
}

fn runtime_callback(
    sig: &gen::Sig,
    signature: alien::ffi::Signature,
) -> (RuntimeCallback, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = Arc::clone(&seen);
    let model = sig.clone();
    let sts = gen::structs();
    let handler = move |vals: &[Value]| -> Value {
        let sp = support::sp_residue();
        let mut s = record.lock().unwrap_or_else(|p| p.into_inner());
        s.calls += 1;
        s.sp = sp;
        let mut bytes = Vec::new();
        if vals.len() != model.args.len() {
            s.errors.push(format!(
                "{} arguments, expected {}",
                vals.len(),
                model.args.len()
            ));
        }
        for (i, (t, v)) in model.args.iter().zip(vals).enumerate() {
            match support::value_leaf_bytes(&sts, t, v) {
                Ok(b) => bytes.extend(b),
                Err(e) => s.errors.push(format!("argument {i}: {e}")),
            }
        }
        let h = gen::fnv(gen::seed(model.id), &bytes);
        s.args = bytes;
        match &model.ret {
            None => Value::Void,
            Some(t) => support::value_from_bits(&sts, t, &model.ret_bits(&sts, h)),
        }
    };
    let cb = RuntimeCallback::new(signature, handler).expect("runtime callback");
    (cb, seen)
}

#[test]
fn runtime_callbacks_match_the_c_functions() {
    let _g = serial();
    let sts = gen::structs();
    let sigs = support::signatures();
    let cases = m::cases();
    let mut bad = Vec::new();
    let mut n = 0;
    let sp0 = support::sp_residue();
    for cc in m::callback_cases() {
        let sig = &sigs[cc.id];
        if !selected(sig.id) {
            continue;
        }
        support::verbose(&sts, sig);
        n += 1;
        let d = sig.describe(&sts);
        let (want, _) = (cases[cc.id].direct)();
        let (signature, _) = (cases[cc.id].desc)();
        let (cb, seen) = runtime_callback(sig, signature);
        let got = unsafe { (cc.cb)(cb.as_ptr()) };
        let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        let want_args = sig.arg_bytes(&sts);
        if seen.calls != 1 || !seen.errors.is_empty() {
            bad.push(format!("{d}: {} calls, {:?}", seen.calls, seen.errors));
        } else if seen.args != want_args {
            bad.push(format!(
                "{d}: handler saw {}, C passed {}",
                hex(&seen.args),
                hex(&want_args)
            ));
        }
        if got != want {
            bad.push(format!(
                "{d}: C received {}, want {}",
                hex(&got),
                hex(&want)
            ));
        }
        if seen.sp != sp0 {
            bad.push(format!(
                "{d}: rsp mod 16 in the handler {}, {sp0} when called by Rust",
                seen.sp
            ));
        }
    }
    eprintln!("matrix: {n} run-time callbacks");
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
fn typed_callbacks_match_the_c_functions() {
    let _g = serial();
    let sts = gen::structs();
    let sigs = support::signatures();
    let cases = m::cases();
    let mut bad = Vec::new();
    let (mut shift, mut frame) = (0, 0);
    let sp0 = support::sp_residue();
    for cc in m::callback_cases() {
        let Some(typed) = cc.typed else { continue };
        let sig = &sigs[cc.id];
        if !selected(sig.id) {
            continue;
        }
        support::verbose(&sts, sig);
        if gen::is_shift(&sts, sig) {
            shift += 1;
        } else {
            frame += 1;
        }
        let d = sig.describe(&sts);
        let (want, _) = (cases[cc.id].direct)();
        let (got, seen, calls, sp) = typed();
        if sp != sp0 {
            bad.push(format!(
                "{d}: rsp mod 16 in the closure {sp}, {sp0} when called by Rust"
            ));
        }
        let want_args = sig.arg_bytes(&sts);
        if calls != 1 {
            bad.push(format!("{d}: {calls} calls"));
        }
        if seen != want_args {
            bad.push(format!(
                "{d} ({}): closure saw {}, C passed {}",
                if gen::is_shift(&sts, sig) {
                    "shift"
                } else {
                    "frame"
                },
                hex(&seen),
                hex(&want_args)
            ));
        }
        if got != want {
            bad.push(format!(
                "{d} ({}): C received {}, want {}",
                if gen::is_shift(&sts, sig) {
                    "shift"
                } else {
                    "frame"
                },
                hex(&got),
                hex(&want)
            ));
        }
    }
    eprintln!("matrix: typed callbacks: {shift} shift-thunk, {frame} frame-thunk signatures");
    assert!(shift >= 20 && frame >= 20, "{shift} shift, {frame} frame");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn creating_and_dropping_callbacks_does_not_grow_the_process() {
    let _g = serial();
    let base = String::from("captured");
    let churn = |n: usize| {
        let mut total = 0i64;
        for i in 0..n {
            let s = format!("{base}{i}");
            let k = i as i32;
            let cb = Callback::new(move |x: i32| -> i32 { x + k + s.len() as i32 });
            total += i64::from(unsafe { (cb.as_fn())(1) });
            // A second, frame-thunk shape (seven integer arguments).
            if i % 10 == 0 {
                let cb2 = Callback::new(
                    move |a: i64, _: i64, _: i64, _: i64, _: i64, _: i64, g: i64| -> i64 {
                        a + g + i as i64
                    },
                );
                total += unsafe { (cb2.as_fn())(1, 0, 0, 0, 0, 0, 2) };
            }
        }
        total
    };
    // Warm up: arena chunks, free lists, the allocator.
    let _ = churn(10_000);
    let (rss0, vm0) = (support::vm_kib("VmRSS:"), support::vm_kib("VmSize:"));
    let t = std::time::Instant::now();
    let total = churn(100_000);
    let elapsed = t.elapsed();
    let (rss1, vm1) = (support::vm_kib("VmRSS:"), support::vm_kib("VmSize:"));
    let want: i64 = (0..100_000i64)
        .map(|i| 1 + i + format!("captured{i}").len() as i64 + if i % 10 == 0 { 3 + i } else { 0 })
        .sum();
    assert_eq!(total, want);
    eprintln!(
        "matrix: 100,000 callbacks in {elapsed:?}: VmRSS {rss0} -> {rss1} KiB, VmSize {vm0} -> {vm1} KiB"
    );
    let limit = 8 * 1024;
    assert!(rss1 < rss0 + limit, "VmRSS grew from {rss0} to {rss1} KiB");
    assert!(vm1 < vm0 + limit, "VmSize grew from {vm0} to {vm1} KiB");
}

#[test]
fn nothing_is_ever_writable_and_executable() {
    let _g = serial();
    let wx = || alien::code::memory::writable_and_executable_mappings().unwrap();
    assert!(wx().is_empty(), "{:#?}", wx());
    let sts = gen::structs();
    let sigs = support::signatures();
    let cases = m::cases();
    let mut keep_rt = Vec::new();
    let mut keep_p = Vec::new();
    for (sig, case) in sigs.iter().zip(&cases).step_by(7) {
        let (signature, _) = (case.desc)();
        keep_p.push(unsafe { Procedure::from_address(case.addr, signature.clone()) }.unwrap());
        if sig.fixed.is_none() {
            keep_rt.push(runtime_callback(sig, signature).0);
        }
        assert!(wx().is_empty(), "after {}: {:#?}", sig.describe(&sts), wx());
    }
    let typed: Vec<_> = (0..1000)
        .map(|i| Callback::new(move |x: f64, y: i8| -> f64 { x + f64::from(y) + f64::from(i) }))
        .collect();
    assert!(wx().is_empty(), "{:#?}", wx());
    assert_eq!(unsafe { (typed[7].as_fn())(0.5, -1) }, 6.5);
    drop(typed);
    drop(keep_rt);
    drop(keep_p);
    assert!(wx().is_empty(), "{:#?}", wx());
}

/// Both thunk shapes keep every callee-saved register of their C caller
/// (`matrix_saved_check` holds sentinels in rbx, rbp, r12-r15 across the call).
#[test]
fn thunks_preserve_callee_saved_registers() {
    let _g = serial();
    let seen = Mutex::new(Vec::new());
    // Seven integers: the seventh on the stack, so the frame thunk.
    let frame = Callback::new(
        |a: i64, b: i64, c: i64, d: i64, e: i64, f: i64, g: i64| -> i64 {
            seen.lock().unwrap().push(vec![a, b, c, d, e, f, g]);
            a + b + c + d + e + f + g
        },
    );
    assert_eq!(
        unsafe { m::matrix_saved_check(frame.as_ptr()) },
        0,
        "frame thunk"
    );
    // Two integers: the shift thunk.
    let shift = Callback::new(|a: i64, b: i64| -> i64 {
        seen.lock().unwrap().push(vec![a, b]);
        a * b
    });
    assert_eq!(
        unsafe { m::matrix_saved_check(shift.as_ptr()) },
        0,
        "shift thunk"
    );
    // A run-time callback (frame thunk, Value handler).
    let sig =
        alien::ffi::Signature::new(vec![alien::ffi::Type::I64; 7], alien::ffi::Type::I64).unwrap();
    let rt_seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&rt_seen);
    let rt = RuntimeCallback::new(sig, move |v: &[Value]| {
        let mut r = record.lock().unwrap_or_else(|p| p.into_inner());
        r.extend(
            v.iter()
                .map(|x| support::value_bits(x).map(|(_, b)| b as i64)),
        );
        Value::I64(0)
    })
    .unwrap();
    assert_eq!(
        unsafe { m::matrix_saved_check(rt.as_ptr()) },
        0,
        "run-time callback"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![vec![1, 2, 3, 4, 5, 6, 7], vec![1, 2]]
    );
    let want: Vec<Option<i64>> = (1..=7).map(Some).collect();
    assert_eq!(*rt_seen.lock().unwrap(), want);
}
