#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::foreign_procedure;
use std::ffi::c_char;

fn main() {
    let _strlen = foreign_procedure!("strlen", (*const c_char) -> usize);
}
