#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;
use std::ffi::c_uint;

define_c_function! {
    #![library("z")]
    pub fn crc32(crc: c_uint, buf: &[u8], len: c_uint = buf.capacity()) -> c_uint;
}

fn main() {}
