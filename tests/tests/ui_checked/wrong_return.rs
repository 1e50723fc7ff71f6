//! `fx_write` returns a `long`, declared as `c_int`.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;
use std::ffi::{c_int, c_uint};

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub unsafe fn fx_write(h: *mut sys::fx_handle, data: &[u8], len: usize, flags: c_uint) -> c_int;
}

fn main() {}
