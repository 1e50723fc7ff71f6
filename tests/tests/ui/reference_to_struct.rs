#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

#[repr(C)]
pub struct Point {
    x: c_int,
    y: c_int,
}

define_c_function! {
    fn point_norm(p: &Point) -> c_int;
}

fn main() {}
