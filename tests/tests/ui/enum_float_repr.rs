#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_enum;

define_c_enum! {
    #[repr(f64)]
    pub enum Scale {
        Half = 0,
        Double = 1,
    }
}

fn main() {}
