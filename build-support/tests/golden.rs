//! The generated file for `tests/fixture.h`, compared with the checked-in
//! `tests/golden/fixture.rs`. Re-bless with `ALIEN_BLESS=1 cargo test -p alien-build --test golden`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn fixture_builder() -> alien_build::Builder {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    alien_build::Builder::new()
        .header(dir.join("fixture.h").to_string_lossy().into_owned())
        .emit_cargo_metadata(false)
        .library("fixture")
        .library_candidates(["libfixture.so.1"])
        .c_enum("fx_status")
        .param_direction("fx_open", "out", alien_build::Direction::Out)
        .param_string("fx_open", "name")
        .param_buffer("fx_read", "buf", "cap")
        .param_direction("fx_read", "len", alien_build::Direction::Out)
        .param_buffer("fx_write", "data", "len")
        .param_closure("fx_walk", "visit")
        .param_buffer("fx_crc", "buf", "len")
        .return_cstr("fx_version")
        .safe_function("fx_translate")
}

#[test]
fn fixture_matches_the_golden_file() {
    compare(fixture_builder(), "fixture.rs");
}

/// Without declarations (`declarations(false)`): the types and a
/// `prototypes` module that declares every prototype itself.
#[test]
fn prototypes_only_matches_the_golden_file() {
    compare(
        fixture_builder().declarations(false),
        "fixture_prototypes_only.rs",
    );
}

fn compare(builder: alien_build::Builder, name: &str) {
    let bindings = builder
        .generate()
        .unwrap_or_else(|e| panic!("{}", e.report()));
    // The golden file must not depend on where the checkout is.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let code = bindings
        .code()
        .replace(&dir.to_string_lossy().into_owned(), "<tests>");
    let golden = dir.join("golden").join(name);
    if std::env::var_os("ALIEN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&golden, &code).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if expected != code {
        let diff: Vec<String> = expected
            .lines()
            .zip(code.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  expected: {a}\n  got:      {b}", i + 1))
            .collect();
        panic!(
            "the generated code differs from {} ({} vs {} lines); first differences:\n{}\n\
             re-bless with ALIEN_BLESS=1 cargo test -p alien-build --test golden",
            golden.display(),
            expected.lines().count(),
            code.lines().count(),
            diff.join("\n")
        );
    }
}
