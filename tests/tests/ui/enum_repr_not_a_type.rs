#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_enum;

define_c_enum! {
    #[repr(u8, C)]
    pub enum Mode {
        Read = 0,
        Write = 1,
    }
}

fn main() {}
