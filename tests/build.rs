//! Builds the C fixture libraries as shared objects in OUT_DIR and tells the
//! tests where they are (`ALIEN_FIXTURE_LIB`, `ALIEN_LATE_LIB`).

use std::path::{Path, PathBuf};

fn shared(out: &Path, name: &str, source: &str) -> PathBuf {
    println!("cargo:rerun-if-changed={source}");
    let lib = out.join(format!("lib{name}.so"));
    let compiler = cc::Build::new().opt_level(2).pic(true).get_compiler();
    let status = compiler
        .to_command()
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(&lib)
        .arg(source)
        .status();
    match status {
        Ok(s) if s.success() => lib,
        Ok(s) => {
            eprintln!(
                "error: compiling {source} into {} failed ({s})",
                lib.display()
            );
            std::process::exit(1)
        }
        Err(e) => {
            eprintln!("error: cannot run the C compiler for {source}: {e}");
            std::process::exit(1)
        }
    }
}

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let fixture = shared(&out, "alien_fixture", "fixture/fixture.c");
    let late = shared(&out, "alien_late", "fixture/late.c");
    println!("cargo:rustc-env=ALIEN_FIXTURE_LIB={}", fixture.display());
    println!("cargo:rustc-env=ALIEN_LATE_LIB={}", late.display());
}
