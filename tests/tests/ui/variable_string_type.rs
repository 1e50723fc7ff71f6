#![allow(unused_imports)] // a failing macro emits only `compile_error!`s

use alien::define_alien_variable;

define_alien_variable! {
    pub static program_name: &str;
}

fn main() {}
