#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

define_c_function! {
    #![library("m")]
    #![library("c")]
    fn abs(x: c_int) -> c_int;
}

fn main() {}
