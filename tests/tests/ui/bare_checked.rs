#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use std::ffi::c_int;

alien::define_c_function! {
    #![library("alien_fixture")]
    #![alien(bare)]
    #![alien(checked = crate::prototypes)]
    pub unsafe fn add2(a: c_int, b: c_int) -> c_int;
}

fn main() {}
