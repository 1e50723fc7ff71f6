//! `fx_translate` takes and returns `struct fx_point` (two `int`s, 8 bytes); the
//! declaration passes a hand-written struct of another layout. A struct is
//! checked as the header's own type: only `sys::fx_point` (same size,
//! alignment and fields by construction) passes.
mod sys {
    #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
    include!("../../../build-support/tests/golden/fixture.rs");
}

use alien::define_c_function;

#[derive(alien::CStruct, Clone, Copy)]
#[repr(C)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub fn fx_translate(p: Point, dx: i32, dy: i32) -> sys::fx_point;
}

fn main() {}
