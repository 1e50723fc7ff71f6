//! Compile-fail tests for declarations checked against a C header
//! (`#[alien(checked = path)]`): each program disagrees with the fixture
//! header's prototypes (`build-support/tests/fixture.h`, generated into
//! `build-support/tests/golden/fixture.rs`) in one way, and must fail to
//! compile with an error at the declaration (`tests/ui_checked/<case>.stderr`).
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p alien-tests --test ui_checked`, then read it.

#[test]
fn ui_checked() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui_checked/*.rs");
}
