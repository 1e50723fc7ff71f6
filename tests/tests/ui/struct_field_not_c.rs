#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::CStruct;
use std::ffi::c_int;

#[derive(CStruct)]
#[repr(C)]
pub struct Person {
    pub age: c_int,
    pub name: String,
}

fn main() {}
