#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

define_c_function! {
    fn frexp(x: f64, output exp: c_int) -> f64;
}

fn main() {}
