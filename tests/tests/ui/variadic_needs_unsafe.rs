#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

define_c_function! {
    fn sum_varargs(count: c_int, ...) -> i64;
}

fn main() {}
