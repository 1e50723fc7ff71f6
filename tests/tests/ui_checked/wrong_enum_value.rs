//! `FX_AGAIN` is 1 in the header.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_enum;
use std::ffi::c_int;

define_c_enum! {
    #[alien(checked = crate::sys::prototypes, prefix = "fx_status_FX_")]
    #[repr(c_int)]
    pub enum Status { Ok = 0, Again = 2, Failed = -1 }
}

fn main() {}
