#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_alien_variable;
use std::ffi::c_int;

define_alien_variable! {
    #![alien(errno)]
    pub static counter: c_int;
}

fn main() {}
