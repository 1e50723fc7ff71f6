#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::foreign_procedure;
use std::ffi::{c_char, c_int};

fn main() {
    let _printf = foreign_procedure!(unsafe "printf", (*const c_char, ...) -> c_int);
}
