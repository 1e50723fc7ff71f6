//! `fx_read` writes through `buf` (`fx_byte *`): a `&[u8]` (a `*const u8`) is wrong.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;
use std::ffi::{c_int, c_ulong};

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub unsafe fn fx_read(h: *mut sys::fx_handle, buf: &[u8], cap: c_ulong, out len: c_ulong) -> c_int;
}

fn main() {}
