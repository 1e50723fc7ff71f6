#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::CStruct;

#[derive(Clone, Copy, CStruct)]
#[repr(C)]
pub enum Mode {
    Read,
    Write,
}

fn main() {}
