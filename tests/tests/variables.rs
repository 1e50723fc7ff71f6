//! C global variables read and written from both sides: set from Rust and
//! read by C, changed by C and read from Rust, through `as_ptr()`, and two
//! declarations of one variable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

#[macro_use]
mod rerun;

use alien::{define_alien_variable, define_c_function, BindState, SymbolKind};
use std::ffi::{c_char, c_int, CStr};

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    /// The fixture's counter (starts at 41).
    pub static fixture_counter: c_int;
    pub static fixture_ratio: f64;
    pub static fixture_name: *const c_char;
    /// Another name for the counter.
    pub static counter_alias: c_int = "fixture_counter";
}

/// The fixture's `struct point`.
#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Point {
    pub x: c_int,
    pub y: c_int,
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static tst_origin: Point;
    pub static tst_fn_var: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>;
}

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn tst_origin_sum() -> c_int;
    pub fn tst_call_fn_var(a: c_int, b: c_int) -> c_int;
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn bump_counter() -> c_int;
    pub fn read_counter() -> c_int;
    pub fn tst_read_ratio() -> f64;
    pub fn tst_write_ratio(v: f64);
    pub fn tst_read_name() -> &CStr;
}

lazy_mode_tests!();

// Every test touching the counter is in this one function: tests run in
// parallel and the counter is global.
#[test]
fn counter_from_both_sides() {
    assert_eq!(fixture_counter.get(), 41, "the C initializer");
    assert_eq!(read_counter(), 41);
    fixture_counter.set(100);
    assert_eq!(read_counter(), 100);
    assert_eq!(bump_counter(), 101);
    assert_eq!(fixture_counter.get(), 101);
    assert_eq!(counter_alias.get(), 101);
    counter_alias.set(-5);
    assert_eq!(fixture_counter.get(), -5);
    assert_eq!(read_counter(), -5);

    let p = fixture_counter.as_ptr();
    assert_eq!(p, counter_alias.as_ptr());
    assert_eq!(fixture_counter.try_as_ptr(), Ok(p));
    unsafe { *p = c_int::MAX - 1 };
    assert_eq!(read_counter(), c_int::MAX - 1);
    assert_eq!(bump_counter(), c_int::MAX);
    assert_eq!(unsafe { *p }, c_int::MAX);
    fixture_counter.set(c_int::MIN);
    assert_eq!(fixture_counter.try_get(), Ok(c_int::MIN));
    assert_eq!(fixture_counter.try_set(41), Ok(()));
    assert_eq!(read_counter(), 41);
}

#[test]
fn ratio_from_both_sides() {
    assert_eq!(fixture_ratio.get(), 0.5);
    assert_eq!(tst_read_ratio(), 0.5);
    fixture_ratio.set(-0.0);
    assert!(tst_read_ratio().is_sign_negative());
    tst_write_ratio(f64::from_bits(1));
    assert_eq!(fixture_ratio.get().to_bits(), 1);
    fixture_ratio.set(f64::NAN);
    assert!(tst_read_ratio().is_nan());
    tst_write_ratio(1e300);
    assert_eq!(fixture_ratio.get(), 1e300);
    unsafe { *fixture_ratio.as_ptr() *= 2.0 };
    assert_eq!(tst_read_ratio(), 2e300);
    fixture_ratio.set(0.5);
}

#[test]
fn name_pointer_from_both_sides() {
    static RUST_NAME: &CStr = c"set from Rust";
    let original = fixture_name.get();
    assert_eq!(unsafe { CStr::from_ptr(original) }, c"fixture");
    assert_eq!(tst_read_name(), c"fixture");
    fixture_name.set(RUST_NAME.as_ptr());
    assert_eq!(tst_read_name().as_ptr(), RUST_NAME.as_ptr());
    assert_eq!(tst_read_name(), c"set from Rust");
    fixture_name.set(original);
    assert_eq!(tst_read_name(), c"fixture");
}

#[test]
fn introspection_of_variables() {
    // Any access resolves the variable (in lazy mode this is the first).
    let p = fixture_ratio.as_ptr();
    assert!(fixture_ratio.is_resolved());
    let info = alien::linkage()
        .into_iter()
        .find(|r| r.symbol == "fixture_ratio")
        .unwrap();
    assert_eq!(info.kind, SymbolKind::Data);
    assert_eq!(info.state, BindState::Bound);
    assert_eq!(info.address, Some(p as usize));
    assert_eq!(info.library, Some("alien_fixture"));
    assert_eq!(info.supplier.as_deref(), Some("alien_fixture"));
    assert_eq!(
        info.supplier_path.as_deref(),
        Some(alien_tests::FIXTURE_LIB)
    );
    assert_eq!(fixture_ratio.decl().symbol(), c"fixture_ratio");
    assert_eq!(fixture_ratio.decl().rust_name(), "fixture_ratio");
    // The variable's address is the one the loader knows.
    assert_eq!(
        alien::probe("fixture_ratio").map(|p| p.address),
        Some(p as usize)
    );
    // Two declarations of one symbol: two rows, one address.
    let _ = counter_alias.as_ptr();
    let _ = fixture_counter.as_ptr();
    let rows: Vec<_> = alien::linkage()
        .into_iter()
        .filter(|r| r.symbol == "fixture_counter")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].address, rows[1].address);
    let mut names: Vec<_> = rows.iter().map(|r| r.rust_name).collect();
    names.sort_unstable();
    assert_eq!(names, ["counter_alias", "fixture_counter"]);
}

#[test]
fn struct_variable() {
    assert_eq!(tst_origin.get(), Point { x: 3, y: 4 });
    assert_eq!(tst_origin_sum(), 7);
    tst_origin.set(Point { x: -10, y: 100 });
    assert_eq!(tst_origin_sum(), 90);
    unsafe { (*tst_origin.as_ptr()).y = 1 };
    assert_eq!(tst_origin_sum(), -9);
    tst_origin.set(Point { x: 3, y: 4 });
}

extern "C" fn rust_mul(a: c_int, b: c_int) -> c_int {
    a * b
}

#[test]
fn function_pointer_variable() {
    let f = tst_fn_var.get().expect("initialized to add2");
    assert_eq!(unsafe { f(2, 3) }, 5);
    // It holds the C function's own address.
    assert_eq!(add2(0, 0), 0);
    assert_eq!(Some(f as usize), add2::info().address);
    assert_eq!(tst_call_fn_var(4, 5), 9);
    tst_fn_var.set(Some(rust_mul));
    assert_eq!(tst_call_fn_var(4, 5), 20);
    // An entry works there too.
    tst_fn_var.set(Some(add2::entry()));
    assert_eq!(tst_call_fn_var(4, 5), 9);
    tst_fn_var.set(None);
    assert_eq!(tst_call_fn_var(4, 5), -1);
    tst_fn_var.set(Some(f));
    assert_eq!(tst_call_fn_var(1, 1), 2);
}
