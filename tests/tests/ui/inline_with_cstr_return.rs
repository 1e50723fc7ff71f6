#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::CStr;

define_c_function! {
    #[alien(inline)]
    fn get_version() -> &CStr;
}

fn main() {}
