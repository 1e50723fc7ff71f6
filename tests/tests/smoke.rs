#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]
use alien::define_c_function;
use std::ffi::{c_char, c_int, CStr};

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    /// Adds.
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn multi(a: c_int, b: c_int, out product: c_int, out difference: c_int, inout count: c_int) -> c_int;
    pub fn fixture_strlen(s: &str) -> usize;
    pub fn fixture_greeting() -> &CStr;
    pub fn fixture_null_string() -> &CStr;
    pub unsafe fn sum_varargs(count: c_int, ...) -> i64;
    pub fn nowhere_to_be_found(x: c_int) -> c_int;
}

define_c_function! {
    #![library("m")]
    pub fn frexp(x: f64, out exp: c_int) -> f64;
}

#[test]
fn smoke() {
    assert_eq!(add2(2, 3), 5);
    assert_eq!(multi(6, 4, 10), (10, 24, 2, 11));
    assert_eq!(fixture_strlen("hello"), 5);
    assert_eq!(fixture_greeting().to_str().unwrap(), "hello from C");
    assert!(fixture_null_string::try_call().is_err());
    assert_eq!(unsafe { sum_varargs(3, (1i64, 2i64, 3i64)) }, 6);
    assert_eq!(frexp(8.0), (0.5, 4));
    assert!(fixture_strlen::try_call("a\0b").is_err());
    assert!(!nowhere_to_be_found::is_resolved());
    let r = std::panic::catch_unwind(|| nowhere_to_be_found(1));
    let msg = r.unwrap_err();
    let msg = msg.downcast_ref::<String>().unwrap();
    assert!(msg.contains("nowhere_to_be_found"), "{msg}");
    eprintln!("{msg}");
    let e = add2::entry();
    assert_eq!(unsafe { e(40, 2) }, 42);
    let _: *const c_char = std::ptr::null();
    for row in alien::linkage() {
        eprintln!("{row:?}");
    }
}
