//! Compile-fail tests: one program per diagnostic of alien's macros, with the
//! expected compiler output next to it (`tests/ui/<condition>.stderr`).
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p alien-tests --test ui`, then read it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
