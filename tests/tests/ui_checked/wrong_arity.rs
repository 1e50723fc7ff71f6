//! One parameter too few: `fx_crc` takes (crc, buf, len).
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;


define_c_function! {
    #![library("fixture")]
    #[alien(checked = crate::sys::prototypes)]
    pub unsafe fn fx_crc(crc: u32, buf: &[u8]) -> u32;
}

fn main() {}
