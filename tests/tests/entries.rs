//! Entry addresses: handed to C and called from C (with register and stack
//! arguments), stable across requests, made at run time with
//! `ensure_linkage`, for missing symbols (a Rust caller gets a panic, a C
//! caller an abort with the message), and following a library loaded later.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp,
    clippy::too_many_arguments
)]

#[macro_use]
mod rerun;

use alien::define_c_function;
use std::ffi::{c_char, c_int, c_long};

type IntFn = unsafe extern "C" fn(c_int, c_int) -> c_int;
define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn call_int_fn(f: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>, a: c_int, b: c_int) -> c_int;
    pub fn call_double_fn(f: Option<unsafe extern "C" fn(f64) -> f64>, x: f64) -> f64;
    pub unsafe fn map_ints(v: *mut c_int, n: c_int, f: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>);
    pub fn tst_call_mix8(f: unsafe extern "C" fn(c_int, f64, c_int, f64, c_int, f64, c_int, f64) -> f64) -> f64;
    pub fn tst_call_sum12(
        f: unsafe extern "C" fn(c_int, c_int, c_int, c_int, c_int, c_int, c_int, c_int, c_int, c_int, c_int, c_int) -> c_long,
    ) -> c_long;
    pub fn tst_call_sum10d(
        f: unsafe extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64,
    ) -> f64;
    /// Called only through their entries (so in lazy mode the first call
    /// comes from C, through the stub that reports to C callers).
    pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
    pub fn sum12(
        a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, f: c_int,
        g: c_int, h: c_int, i: c_int, j: c_int, k: c_int, l: c_int,
    ) -> c_long;
    pub fn sum10d(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, i: f64, j: f64) -> f64;
    pub fn alien_entries_missing(a: c_int, b: c_int) -> c_int;
}

define_c_function! {
    #![library("m")]
    pub fn cos(x: f64) -> f64;
}

lazy_mode_tests!();

#[test]
fn entries_called_from_c() {
    assert_eq!(call_int_fn(Some(add2::entry()), 40, 2), 42);
    assert_eq!(
        call_int_fn(Some(add2::entry()), -1, c_int::MIN + 1),
        c_int::MIN
    );
    let mut v = [10, 20, 30, 40, 50];
    unsafe { map_ints(v.as_mut_ptr(), v.len() as c_int, Some(add2::entry())) };
    assert_eq!(v, [10, 21, 32, 43, 54]);
    for x in [0.0, 0.5, -3.0, 1e6] {
        assert_eq!(
            call_double_fn(Some(cos::entry()), x).to_bits(),
            f64::cos(x).to_bits()
        );
    }
    // Register and stack arguments through the entry (values in tst_call_*).
    let want =
        1.0 + 2.25 * 2.0 + f64::from(-3 * 3) + 4.5 * 4.0 + 25.0 + -6.75 * 6.0 + 49.0 + 8.125 * 8.0;
    assert_eq!(tst_call_mix8(mix8::entry()), want);
    let ints = [1i64, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, 2_147_483_647];
    let want: i64 = ints
        .iter()
        .enumerate()
        .map(|(i, x)| (i as i64 + 1) * x)
        .sum();
    assert_eq!(tst_call_sum12(sum12::entry()), want);
    let ds = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
    let mut want = ds[0];
    for (i, d) in ds.iter().enumerate().skip(1) {
        want += (i as f64 + 1.0) * d;
    }
    assert_eq!(tst_call_sum10d(sum10d::entry()), want);
    assert!(mix8::is_resolved() && sum12::is_resolved() && sum10d::is_resolved());
}

#[test]
fn entries_are_stable() {
    let a = add2::entry() as usize;
    let b = add2::entry() as usize;
    assert_eq!(a, b);
    assert_eq!(add2::try_entry().unwrap() as usize, a);
    // Called from Rust too.
    assert_eq!(unsafe { add2::entry()(2, 3) }, 5);
    assert_eq!(add2::entry() as usize, a);
    // Distinct declarations get distinct entries.
    assert_ne!(cos::entry() as usize, a);
}

#[test]
fn run_time_entries() {
    let e = alien::ensure_linkage("strlen", None);
    assert!(e.is_resolved());
    let f: unsafe extern "C" fn(*const c_char) -> usize = unsafe { std::mem::transmute(e.entry()) };
    assert_eq!(unsafe { f(c"hello".as_ptr()) }, 5);
    let g: unsafe extern "C" fn(*const c_char) -> usize = unsafe { std::mem::transmute(e.slot()) };
    assert_eq!(unsafe { g(c"hi".as_ptr()) }, 2);
    // The same entry for the same name.
    let again = alien::ensure_linkage("strlen", None);
    assert_eq!(again.entry(), e.entry());
    assert_eq!(e.decl().rust_name(), "<run time>");
    assert_eq!(e.decl().symbol(), c"strlen");
    let row = alien::linkage()
        .into_iter()
        .find(|r| r.symbol == "strlen" && r.rust_name == "<run time>" && r.library.is_none())
        .expect("a row for the run-time strlen");
    assert_eq!(row.state, alien::BindState::Bound);
    assert_eq!(row.supplier.as_deref(), Some("<global scope>"));
    assert_eq!(row.address, Some(e.slot() as usize));

    // From a named library.
    let c = alien::ensure_linkage("cos", Some("m"));
    assert!(c.is_resolved());
    let cos_fn: unsafe extern "C" fn(f64) -> f64 = unsafe { std::mem::transmute(c.entry()) };
    assert_eq!(unsafe { cos_fn(0.25) }, 0.25f64.cos());
    assert_eq!(call_double_fn(Some(cos_fn), 2.0), 2.0f64.cos());

    assert!(matches!(
        alien::try_ensure_linkage("bad\0name", None),
        Err(alien::Error::InvalidSymbolName(_))
    ));
}

#[test]
fn run_time_entry_of_a_missing_symbol_panics_in_rust() {
    let e = alien::ensure_linkage("alien_entries_missing_run_time", None);
    assert!(!e.is_resolved());
    let f: extern "C-unwind" fn(c_int, f64) -> c_int = unsafe { std::mem::transmute(e.slot()) };
    let text = rerun::expect_panic(|| f(1, 2.0));
    assert!(text.contains("alien_entries_missing_run_time"), "{text}");
    let text = rerun::expect_panic(|| f(3, 4.0));
    assert!(text.contains("alien_entries_missing_run_time"), "{text}");
    assert!(!e.is_resolved());
    // The caller's stack is intact.
    assert_eq!(add2(20, 22), 42);
    assert_eq!(call_int_fn(Some(add2::entry()), 1, 1), 2);
}

#[test]
fn run_time_entry_follows_a_library_loaded_later() {
    let e = alien::ensure_linkage("late_answer", Some("alien_late"));
    assert!(!e.is_resolved());
    let entry = e.entry();
    let before: extern "C-unwind" fn() -> c_int = unsafe { std::mem::transmute(e.slot()) };
    let text = rerun::expect_panic(|| before());
    assert!(
        text.contains("late_answer") && text.contains("alien_late"),
        "{text}"
    );

    let loaded = alien::load_library(alien_tests::LATE_LIB).unwrap();
    assert_eq!(loaded.name, "alien_late");
    assert!(loaded.resolved >= 1, "{loaded:?}");
    assert!(e.is_resolved());
    assert_eq!(e.entry(), entry);
    let f: unsafe extern "C" fn() -> c_int = unsafe { std::mem::transmute(entry) };
    assert_eq!(unsafe { f() }, 42);
    let g: unsafe extern "C" fn() -> c_int = unsafe { std::mem::transmute(e.slot()) };
    assert_eq!(unsafe { g() }, 42);
    // A new run-time entry for another symbol of it is bound at once.
    let add = alien::ensure_linkage("late_add", Some("alien_late"));
    assert!(add.is_resolved());
    let add_fn: IntFn = unsafe { std::mem::transmute(add.entry()) };
    assert_eq!(call_int_fn(Some(add_fn), 1, 2), 1003);
}

const ABORT_CHILD: &str = "ALIEN_TESTS_ENTRIES_ABORT";

/// A C caller of a missing function's entry cannot be given a Rust panic:
/// the process prints the error and aborts (never a SIGSEGV).
#[test]
fn c_call_of_a_missing_entry_aborts_with_the_message() {
    if std::env::var_os(ABORT_CHILD).is_some() {
        call_int_fn(Some(alien_entries_missing::entry()), 1, 2);
        unreachable!("the call through the entry of a missing function returned");
    }
    let bind = if rerun::lazy_requested() {
        "lazy"
    } else {
        "eager"
    };
    let out = rerun::run_self(
        &[
            "--exact",
            "c_call_of_a_missing_entry_aborts_with_the_message",
            "--nocapture",
        ],
        &[(ABORT_CHILD, "1"), ("ALIEN_BIND", bind)],
    );
    let text = rerun::describe(&out);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(6), "expected SIGABRT\n{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("alien_entries_missing"), "{text}");
    assert!(stderr.contains("undefined alien function"), "{text}");
    assert!(stderr.contains("abort"), "{text}");
}
