#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use std::ffi::c_int;

alien::define_c_function! {
    #![library("alien_fixture")]
    #![alien(bare)]
    pub unsafe fn sum_varargs(count: c_int, ...) -> i64;
}

fn main() {}
