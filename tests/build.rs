//! Builds the C fixture libraries as shared objects in OUT_DIR and tells the
//! tests where they are (`ALIEN_FIXTURE_LIB`, `ALIEN_LATE_LIB`,
//! `ALIEN_ELFSYMS_LIB`, `ALIEN_SYSVHASH_LIB`).
//!
//! Also generates the System V signature matrix (`matrix/gen.rs`): its C
//! side, `matrix.c`, built into `libalien_matrix.so` (`ALIEN_MATRIX_LIB`,
//! linked into the tests with an rpath), and its Rust side, `matrix.rs`,
//! which the `matrix_*` tests include.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
mod gen {
    include!("matrix/gen.rs");
}

/// Compiles `source` into `lib<name>.so` in `out`, with `extra` arguments
/// (linker options, libraries) after the source.
fn shared(out: &Path, name: &str, source: &str, extra: &[&str]) -> PathBuf {
    println!("cargo:rerun-if-changed={source}");
    let lib = out.join(format!("lib{name}.so"));
    let compiler = cc::Build::new().opt_level(2).pic(true).get_compiler();
    let status = compiler
        .to_command()
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(&lib)
        .arg(source)
        .args(extra)
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
    let fixture = shared(&out, "alien_fixture", "fixture/fixture.c", &[]);
    let late = shared(&out, "alien_late", "fixture/late.c", &[]);
    println!("cargo:rustc-env=ALIEN_FIXTURE_LIB={}", fixture.display());
    println!("cargo:rustc-env=ALIEN_LATE_LIB={}", late.display());
    // Symbols of every kind for the symbol index (versions, weak, IFUNC,
    // TLS, unique, absolute); its version script defines the versions.
    println!("cargo:rerun-if-changed=fixture/elfsyms.map");
    let elfsyms = shared(
        &out,
        "alien_elfsyms",
        "fixture/elfsyms.c",
        &["-Wl,--version-script=fixture/elfsyms.map", "-lm"],
    );
    println!("cargo:rustc-env=ALIEN_ELFSYMS_LIB={}", elfsyms.display());
    // A library with only the old ELF hash table (no DT_GNU_HASH): the
    // symbol index leaves it to dlsym.
    let sysv = shared(
        &out,
        "alien_sysvhash",
        "fixture/late.c",
        &["-Wl,--hash-style=sysv"],
    );
    println!("cargo:rustc-env=ALIEN_SYSVHASH_LIB={}", sysv.display());
    matrix(&out);
}

/// Writes `matrix.c` (with `matrix_more.c` and `matrix_callers.c`) and
/// `matrix.rs`, and builds `libalien_matrix.so` (compiler and flags of the
/// fixtures; the units compile in parallel, and not at all when unchanged).
fn matrix(out: &Path) {
    for f in ["gen", "signatures", "c_output", "rust_output"] {
        println!("cargo:rerun-if-changed=matrix/{f}.rs");
    }
    // A directory of its own: it goes on the tests' library search path and
    // rpath, where the fixtures must not be (`late.rs` relies on
    // libalien_late.so not being found by name).
    let dir = out.join("matrix");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        std::process::exit(1)
    }
    let sts = gen::structs();
    // Another seed gives other values (and random shapes), for bug hunting:
    // ALIEN_MATRIX_SEED=0x1234 cargo test -p alien-tests --test 'matrix_*'.
    println!("cargo:rerun-if-env-changed=ALIEN_MATRIX_SEED");
    let seed = std::env::var("ALIEN_MATRIX_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(gen::DEFAULT_SEED);
    println!("cargo:rustc-env=ALIEN_MATRIX_SEED={seed:#x}");
    let sigs = gen::signatures(seed);
    let write = |path: PathBuf, text: String| {
        // Rewrite only on change, so an unchanged matrix is not recompiled.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                std::process::exit(1)
            }
        }
        path
    };
    let units: Vec<PathBuf> = gen::c_sources(&sts, &sigs)
        .into_iter()
        .map(|(name, text)| write(dir.join(name), text))
        .collect();
    // Included by the tests as `$OUT_DIR/matrix.rs`.
    write(out.join("matrix.rs"), gen::rust_source(&sts, &sigs));
    let lib = dir.join("libalien_matrix.so");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match modified(&lib) {
        Some(built) => units.iter().any(|u| modified(u).is_none_or(|m| m >= built)),
        None => true,
    };
    if stale {
        let compiler = cc::Build::new().opt_level(2).pic(true).get_compiler();
        let run = |cmd: &mut std::process::Command, what: &str| match cmd.status() {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("error: {what} failed ({s})");
                std::process::exit(1)
            }
            Err(e) => {
                eprintln!("error: cannot run the C compiler for {what}: {e}");
                std::process::exit(1)
            }
        };
        let objects: Vec<PathBuf> = units.iter().map(|u| u.with_extension("o")).collect();
        let jobs: Vec<_> = units
            .iter()
            .zip(&objects)
            .map(|(unit, object)| {
                let mut cmd = compiler.to_command();
                cmd.args(["-c", "-fPIC", "-O2", "-Wall", "-o"])
                    .arg(object)
                    .arg(unit);
                let what = format!("compiling {}", unit.display());
                std::thread::spawn(move || run(&mut cmd, &what))
            })
            .collect();
        for j in jobs {
            if j.join().is_err() {
                std::process::exit(1)
            }
        }
        let mut link = compiler.to_command();
        link.args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&lib)
            .args(&objects);
        run(&mut link, "linking libalien_matrix.so");
    }
    println!("cargo:rustc-env=ALIEN_MATRIX_LIB={}", lib.display());
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-arg-tests=-Wl,-rpath,{}", dir.display());
}
