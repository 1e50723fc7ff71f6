#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use std::ffi::c_int;

alien::define_c_function! {
    #![library("alien_fixture")]
    #![alien(bare)]
    #[cfg(unix)]
    pub unsafe fn add2(a: c_int, b: c_int) -> c_int;
    #[link_name = "add2"]
    pub unsafe fn add_two(a: c_int, b: c_int) -> c_int;
}

fn main() {}
