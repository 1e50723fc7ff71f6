//! `crc` is a `uint32_t`, declared as `i32`.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;
use std::ffi::c_uint;

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub fn fx_crc(crc: i32, buf: &[u8], len: c_uint = buf.len()) -> u32;
}

fn main() {}
