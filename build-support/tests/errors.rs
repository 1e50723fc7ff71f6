//! Failures are typed and say what to do: clang's diagnostics with file and
//! line, a missing libclang, rules that do not fit the header, and the
//! exiting entry point's report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alien_build::{BuildError, Builder, Direction};
use std::path::PathBuf;
use std::process::Command;

fn temp_header(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alien-build-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_header_that_does_not_parse_shows_clang_diagnostics_with_file_and_line() {
    let path = temp_header(
        "broken.h",
        "int ok(int x);\n\nint broken(int x, ;\nunknown_type_t h(void);\n",
    );
    let err = Builder::new()
        .header(path.to_string_lossy())
        .emit_cargo_metadata(false)
        .generate()
        .unwrap_err();
    let BuildError::Parse { diagnostics, .. } = &err else {
        panic!("expected a parse error, got {err:?}");
    };
    assert!(!diagnostics.is_empty());
    let first = &diagnostics[0];
    assert_eq!(first.file.as_deref(), Some(path.as_path()), "{first:?}");
    assert_eq!(first.line, Some(3), "{first:?}");
    assert!(first.column.is_some());
    assert_eq!(first.severity, "error");
    assert!(
        diagnostics.iter().any(|d| d.line == Some(4)),
        "{diagnostics:?}"
    );
    let text = err.to_string();
    assert!(text.contains("clang could not parse"), "{text}");
    assert!(text.contains(&format!("{}:3:", path.display())), "{text}");
}

#[test]
fn a_missing_include_is_a_diagnostic_too() {
    let err = Builder::new()
        .header_contents(
            "wrapper.h",
            "#include \"no_such_header_alien.h\"\nint f(void);\n",
        )
        .emit_cargo_metadata(false)
        .generate()
        .unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 1, "{err}");
    assert_eq!(d[0].severity, "fatal error");
    assert!(
        d[0].message.contains("no_such_header_alien.h"),
        "{:?}",
        d[0]
    );
    assert_eq!(d[0].line, Some(1));
}

#[test]
fn a_header_that_does_not_exist() {
    let err = Builder::new()
        .header("/nonexistent/alien/zlib.h")
        .emit_cargo_metadata(false)
        .generate()
        .unwrap_err();
    assert!(matches!(err, BuildError::HeaderNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/alien/zlib.h"));
}

#[test]
fn rules_must_fit_the_header() {
    let header = "int f(const char *name, int *count, int value);\n";
    let gen = |b: Builder| {
        b.header_contents("rules.h", header)
            .emit_cargo_metadata(false)
            .generate()
    };

    let e = gen(Builder::new().param_string("g", "name")).unwrap_err();
    assert!(e.to_string().contains("function `g`"), "{e}");
    let e = gen(Builder::new().param_string("f", "nmae")).unwrap_err();
    assert!(e.to_string().contains("it has: name, count, value"), "{e}");
    let e = gen(Builder::new().param_direction("f", "value", Direction::Out)).unwrap_err();
    assert!(e.to_string().contains("not a pointer"), "{e}");
    let e = gen(Builder::new().param_direction("f", "name", Direction::Out)).unwrap_err();
    assert!(e.to_string().contains("`const` pointer"), "{e}");
    let e = gen(Builder::new().param_string("f", "count")).unwrap_err();
    assert!(e.to_string().contains("only a `const char *`"), "{e}");
    let e = gen(Builder::new().safe_function("f")).unwrap_err();
    assert!(e.to_string().contains("cannot be declared safe"), "{e}");
    let e = gen(Builder::new().allowlist_function("f(")).unwrap_err();
    assert!(matches!(e, BuildError::Regex { .. }), "{e:?}");

    let ok = gen(Builder::new()
        .param_string("f", "name")
        .param_direction("f", "count", Direction::InOut)
        .safe_function("f"))
    .unwrap();
    assert!(
        ok.code()
            .contains("pub fn f(name: &str, inout count: c_int, value: c_int) -> c_int;"),
        "{}",
        ok.code()
    );
}

#[test]
fn included_headers_and_env_vars_are_reported() {
    let inner = temp_header("inner.h", "typedef int inner_t;\n");
    let outer = temp_header("outer.h", "#include \"inner.h\"\ninner_t g(void);\n");
    let b = Builder::new()
        .header(outer.to_string_lossy())
        .emit_cargo_metadata(false)
        .generate()
        .unwrap();
    let files = b.included_files();
    assert!(files.iter().any(|f| f.ends_with("outer.h")), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("inner.h")), "{files:?}");
    let _ = inner;
    assert!(b.env_vars().iter().any(|v| v == "LIBCLANG_PATH"));
    assert!(
        b.env_vars()
            .iter()
            .any(|v| v.starts_with("BINDGEN_EXTRA_CLANG_ARGS")),
        "{:?}",
        b.env_vars()
    );
}

#[test]
fn writing_is_skipped_when_nothing_changed() {
    let b = Builder::new()
        .header_contents("w.h", "int w(int);\n")
        .emit_cargo_metadata(false)
        .generate()
        .unwrap();
    let out = std::env::temp_dir().join(format!("alien-build-write-{}.rs", std::process::id()));
    let _ = std::fs::remove_file(&out);
    assert!(b.write_to_file(&out).unwrap());
    assert!(!b.write_to_file(&out).unwrap());
    std::fs::write(&out, "stale").unwrap();
    assert!(b.write_to_file(&out).unwrap());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), b.code());
    std::fs::remove_file(&out).unwrap();
}

/// Run in a child process with `LIBCLANG_PATH` pointing nowhere: the
/// exiting entry point prints the cause chain and exits with status 1.
#[test]
fn missing_libclang_exits_with_what_to_install() {
    if std::env::var_os("ALIEN_BUILD_CHILD").is_some() {
        let _ = Builder::new()
            .header_contents("x.h", "int x(void);\n")
            .emit_cargo_metadata(false)
            .generate_or_exit();
        unreachable!("generate_or_exit returned without libclang");
    }
    let empty =
        std::env::temp_dir().join(format!("alien-build-no-libclang-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "missing_libclang_exits_with_what_to_install",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ALIEN_BUILD_CHILD", "1")
        .env("LIBCLANG_PATH", &empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("error: alien-build needs libclang"),
        "{stderr}"
    );
    assert!(stderr.contains("apt-get install libclang-dev"), "{stderr}");
    assert!(stderr.contains("caused by:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
