#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

define_c_function! {
    unsafe fn many(a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, ...) -> c_int;
}

fn main() {}
