//! Bare blocks (`#![alien(bare)]`): C prototypes declared with no Rust body,
//! called through trampolines that jump through the linkage table. Real
//! calls into libm, libz and the fixture (register, SSE and stack
//! arguments), missing symbols (a catchable panic and `try_resolve`),
//! introspection, interposition, entries, and the same names in two blocks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

#[macro_use]
mod rerun;

use alien::{define_c_function, BareFunction, BindState, Error};
use std::ffi::{c_char, c_int, c_long, c_ulong, CStr};

define_c_function! {
    #![library("m")]
    #![alien(bare)]
    /// Cube root.
    pub unsafe fn cbrt(x: f64) -> f64;
    pub unsafe fn hypot(x: f64, y: f64) -> f64;
    #[allow(dead_code)]
    pub(crate) unsafe fn ldexp(x: f64, exp: c_int) -> f64;
}

define_c_function! {
    #![library("z")]
    #![alien(bare)]
    pub unsafe fn zlibVersion() -> *const c_char;
    pub unsafe fn crc32(crc: c_ulong, buf: *const u8, len: u32) -> c_ulong;
}

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    #![alien(bare)]
    pub unsafe fn add2(a: c_int, b: c_int) -> c_int;
    pub unsafe fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
    pub unsafe fn sum12(
        a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, f: c_int,
        g: c_int, h: c_int, i: c_int, j: c_int, k: c_int, l: c_int,
    ) -> c_long;
    pub unsafe fn call_int_fn(f: unsafe extern "C" fn(c_int, c_int) -> c_int, a: c_int, b: c_int) -> c_int;
    pub unsafe fn sum_varargs(count: c_int, ...) -> c_long;
    pub unsafe fn sum_var_doubles(count: c_int, ...) -> f64;
    pub unsafe fn alien_bare_missing(x: c_int) -> c_int;
}

/// The same C functions, declared again in another module: each block has
/// trampolines of its own.
mod again {
    use std::ffi::c_int;
    alien::define_c_function! {
        #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
        #![alien(bare)]
        pub unsafe fn add2(a: c_int, b: c_int) -> c_int;
    }
}

#[test]
fn calls_reach_libm_libz_and_the_fixture() {
    unsafe {
        assert!((cbrt(27.0) - 3.0).abs() < 1e-12);
        assert_eq!(hypot(3.0, 4.0), 5.0);
        assert_eq!(ldexp(1.5, 4), 24.0);
        let v = CStr::from_ptr(zlibVersion()).to_str().unwrap();
        assert!(v.starts_with('1'), "zlib version {v}");
        let data = b"The quick brown fox jumps over the lazy dog";
        assert_eq!(crc32(0, data.as_ptr(), data.len() as u32), 0x414f_a339);
        assert_eq!(add2(40, 2), 42);
        assert_eq!(again::add2(-1, 1), 0);
        let m = mix8(1, 2.25, -3, 4.5, 5, -6.75, 7, 8.125);
        assert_eq!(
            m,
            1.0 + 2.25 * 2.0 - 3.0 * 3.0 + 4.5 * 4.0 + 5.0 * 5.0 - 6.75 * 6.0
                + 7.0 * 7.0
                + 8.125 * 8.0
        );
        // Six register and six stack arguments pass through the trampoline.
        assert_eq!(
            sum12(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12000),
            (1..=11).map(|i| i * i).sum::<c_long>() + 12 * 12000
        );
    }
}

#[test]
fn a_callback_panic_during_a_bare_call_is_resumed_by_forwarding_panics() {
    let cb = alien::Callback::new(|a: c_int, b: c_int| -> c_int {
        if b == 0 {
            panic!("callback divided {a} by zero");
        }
        a / b
    });
    let f = cb.as_fn();
    // No panic: the value comes back.
    assert_eq!(
        alien::forwarding_panics(|| unsafe { call_int_fn(f, 84, 2) }),
        42
    );
    // A panic in the callback: C gets the callback's panic value, and the
    // panic resumes when the closure returns, at this caller.
    let text = rerun::expect_panic(|| alien::forwarding_panics(|| unsafe { call_int_fn(f, 7, 0) }));
    assert!(text.contains("callback divided 7 by zero"), "{text}");
    // The thread carries on, with nothing pending.
    assert_eq!(
        alien::forwarding_panics(|| unsafe { call_int_fn(f, 9, 3) }),
        3
    );
}

#[test]
fn variadic_functions_keep_al_and_the_vector_registers() {
    // The first call of each goes through its lazy stub in lazy mode.
    unsafe {
        assert_eq!(sum_var_doubles(3, 1.5f64, 2.25f64, -0.75f64), 3.0);
        assert_eq!(
            sum_varargs(4, 1 as c_long, 2 as c_long, 3 as c_long, 40 as c_long),
            46
        );
        assert_eq!(sum_var_doubles(0), 0.0);
    }
}

#[test]
fn records_are_named_and_bound() {
    let f = BareFunction::of(hypot as *const ()).unwrap();
    // Bound at startup, or (lazy mode) by the first call.
    assert_eq!(unsafe { hypot(6.0, 8.0) }, 10.0);
    assert!(f.is_resolved());
    let info = f.info();
    assert_eq!(info.symbol, "hypot");
    assert_eq!(info.rust_name, "hypot");
    assert_eq!(info.module_path, module_path!());
    assert_eq!(info.library, Some("m"));
    assert_eq!(info.state, BindState::Bound);
    assert_eq!(f.decl().symbol(), c"hypot");
    // Each declaration has its own record, in declaration order.
    let c = BareFunction::of(cbrt as *const ()).unwrap();
    let l = BareFunction::of(ldexp as *const ()).unwrap();
    assert_eq!(c.info().symbol, "cbrt");
    assert_eq!(l.info().symbol, "ldexp");
    let (pc, ph) = (c.decl() as *const _ as usize, f.decl() as *const _ as usize);
    assert_eq!(ph - pc, std::mem::size_of::<alien::__private::Decl>());
    // The other block's `add2` is a record of its own.
    let a = BareFunction::of(add2 as *const ()).unwrap();
    let b = BareFunction::of(again::add2 as *const ()).unwrap();
    assert!(!std::ptr::eq(a.decl(), b.decl()));
    assert_eq!(b.info().module_path, "bare::again");
    // The table lists bare records like any other.
    assert!(alien::linkage()
        .iter()
        .any(|i| i.symbol == "crc32" && i.library == Some("z")));
}

#[test]
fn an_address_that_is_not_a_bare_function_is_an_error() {
    extern "C" fn local(x: c_int) -> c_int {
        x
    }
    let e = BareFunction::of(local as *const ()).unwrap_err();
    assert!(matches!(e, Error::NotBare { .. }), "{e:?}");
    assert!(e
        .to_string()
        .contains("not a function declared in a bare block"));
    // One byte into a trampoline is not a trampoline either.
    let inside = (cbrt as *const u8).wrapping_add(1).cast::<()>();
    assert!(BareFunction::of(inside).is_err());
}

#[test]
fn a_missing_symbol_is_an_error_then_a_catchable_panic() {
    let f = BareFunction::of(alien_bare_missing as *const ()).unwrap();
    assert!(!f.is_resolved());
    let e = f.try_resolve().unwrap_err();
    let text = e.to_string();
    assert!(text.contains("alien_bare_missing"), "{text}");
    assert!(matches!(e, Error::Undefined(_)), "{e:?}");
    let text = rerun::expect_panic(|| unsafe { alien_bare_missing(1) });
    assert!(text.contains("alien_bare_missing"), "{text}");
    // The process carries on, and the neighbours work.
    assert_eq!(unsafe { add2(1, 2) }, 3);
    assert_eq!(f.info().state, BindState::Waiting);
}

/// `cbrt` again, in a block of its own: the interposition test replaces it
/// process-wide, and tests run in parallel threads, so no other test may
/// call this record.
mod interposed {
    alien::define_c_function! {
        #![library("m")]
        #![alien(bare)]
        pub unsafe fn cbrt(x: f64) -> f64;
    }
}

extern "C" fn fake_cbrt(x: f64) -> f64 {
    -x
}

extern "C" fn times(a: c_int, b: c_int) -> c_int {
    a * b
}

#[test]
fn interposition_and_entries_work_on_bare_functions() {
    let f = BareFunction::of(interposed::cbrt as *const ()).unwrap();
    let before = f.original();
    {
        let _guard = f.interpose(fake_cbrt as extern "C" fn(f64) -> f64 as usize);
        assert_eq!(unsafe { interposed::cbrt(8.0) }, -8.0);
        assert_eq!(f.original(), before);
        // Only this block's record is replaced: the other `cbrt` is not.
        assert_eq!(unsafe { cbrt(8.0) }, 2.0);
    }
    assert_eq!(unsafe { interposed::cbrt(8.0) }, 2.0);
    // The entry is a C-callable address that follows the table.
    let entry = BareFunction::of(add2 as *const ())
        .unwrap()
        .try_entry()
        .unwrap();
    let entry: extern "C" fn(c_int, c_int) -> c_int = unsafe { std::mem::transmute(entry) };
    assert_eq!(unsafe { call_int_fn(entry, 20, 22) }, 42);
    assert_eq!(unsafe { call_int_fn(times, 6, 7) }, 42);
}

lazy_mode_tests!();

#[test]
fn a_bare_block_inside_a_function_body() {
    alien::define_c_function! {
        #![library("m")]
        #![alien(bare)]
        pub unsafe fn fmin(x: f64, y: f64) -> f64;
    }
    assert_eq!(unsafe { fmin(2.0, -1.0) }, -1.0);
    let f = BareFunction::of(fmin as *const ()).unwrap();
    assert_eq!(f.info().symbol, "fmin");
}
