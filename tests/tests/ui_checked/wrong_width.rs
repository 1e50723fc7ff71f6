//! `*len` is an `fx_size` (unsigned long, 64 bits), declared as a 32-bit `c_uint`.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;
use std::ffi::{c_int, c_uint, c_ulong};

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub unsafe fn fx_read(h: *mut sys::fx_handle, buf: &mut [u8], cap: c_ulong, out len: c_uint) -> c_int;
}

fn main() {}
