#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;

define_c_function! {
    fn getenv_like() -> &str;
}

fn main() {}
