#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_enum;

define_c_enum! {
    #[repr(i32)]
    pub enum Nothing {}
}

fn main() {}
