#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_int;

pub struct Point {
    pub x: c_int,
    pub y: c_int,
}

define_c_function! {
    fn get_point(out p: Point) -> c_int;
}

fn main() {}
