#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::CStruct;
use std::ffi::c_int;

#[derive(Clone, Copy, CStruct)]
pub struct Point {
    pub x: c_int,
    pub y: c_int,
}

fn main() {}
