#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_c_function;

define_c_function! {
    fn gives_string() -> String;
}

fn main() {}
