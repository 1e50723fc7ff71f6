//! `fx_read`'s `len` is a pointer C writes: declared as a plain value.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;
use std::ffi::{c_int, c_ulong};

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub unsafe fn fx_read(h: *mut sys::fx_handle, buf: &mut [u8], cap: c_ulong, len: c_ulong) -> c_int;
}

fn main() {}
