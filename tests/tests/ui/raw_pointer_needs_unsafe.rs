#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_char;

define_c_function! {
    fn strlen(s: *const c_char) -> usize;
}

fn main() {}
