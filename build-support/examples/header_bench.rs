//! Benchmarks P8 and P12 (run by `bench/sections/headers.sh`):
//!
//! ```text
//! header_bench synth <dir>                 write <dir>/synth.h: 5,000 functions
//! header_bench time <dir> <rounds> <csv>   P8: alien-build vs bindgen alone, per header,
//!                                          paired rounds appended to <csv>
//! header_bench emit <dir>                  P12: write <dir>/{alien,bindgen}_{sqlite3,synth}.rs
//! ```
//!
//! The peer is bindgen alone, as a user would run it on the same header with
//! the same allowlists: its default options, and no formatter (rustfmt would
//! add a process per run; alien-build formats with prettyplease, which is
//! counted on alien's side).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Functions in the synthetic header.
const SYNTH_FUNCTIONS: usize = 5_000;

/// One header of the benchmark: how alien-build and bindgen read it.
struct Case {
    name: &'static str,
    header: String,
    functions: &'static str,
    vars: &'static str,
    library: &'static str,
}

fn cases(dir: &Path) -> Vec<Case> {
    vec![
        Case {
            name: "sqlite3.h",
            header: "sqlite3.h".to_owned(),
            functions: "sqlite3_.*",
            vars: "SQLITE_.*|sqlite3_.*",
            library: "sqlite3",
        },
        Case {
            name: "synthetic 5,000 functions",
            header: dir.join("synth.h").display().to_string(),
            functions: "synth_.*",
            vars: "SYNTH_.*",
            library: "synth",
        },
    ]
}

/// The synthetic header: 5,000 prototypes over a handful of types.
fn synth_header() -> String {
    let mut h = String::from(
        "#include <stddef.h>\n#include <stdint.h>\n\
         typedef struct synth_point { int x; int y; } synth_point;\n\
         typedef struct synth_opaque synth_opaque;\n\
         typedef int (*synth_cb)(void *user, int value);\n\
         #define SYNTH_VERSION 5000\n",
    );
    let shapes = [
        "int synth_f{i}(int a, int b)",
        "double synth_f{i}(double x, float y, int n)",
        "const char *synth_f{i}(const char *s, size_t n)",
        "void synth_f{i}(synth_point *out, const synth_point *in)",
        "int64_t synth_f{i}(synth_opaque *o, uint32_t flags, uint8_t *buf, size_t len)",
        "synth_point synth_f{i}(synth_point p, int dx, int dy)",
        "int synth_f{i}(synth_cb cb, void *user)",
        "unsigned long synth_f{i}(void)",
    ];
    for i in 0..SYNTH_FUNCTIONS {
        let proto = shapes[i % shapes.len()].replace("{i}", &format!("{i:05}"));
        let _ = writeln!(h, "{proto};");
    }
    h
}

fn alien(case: &Case) -> Result<String, alien_build::BuildError> {
    alien_build::Builder::new()
        .header(case.header.clone())
        .allowlist_function(case.functions)
        .allowlist_var(case.vars)
        .library(case.library)
        .emit_cargo_metadata(false)
        .generate()
        .map(|b| b.code().to_owned())
}

/// bindgen on the same header, formatted (`true`: rustfmt, bindgen's default)
/// or not.
fn bindgen(case: &Case, formatted: bool) -> Result<String, String> {
    let mut b = bindgen::Builder::default();
    if !formatted {
        b = b.formatter(bindgen::Formatter::None);
    }
    b = b
        .allowlist_function(case.functions)
        .allowlist_var(case.vars);
    let p = Path::new(&case.header);
    b = if p.exists() {
        b.header(case.header.clone())
    } else {
        b.header_contents("include.h", &format!("#include <{}>\n", case.header))
    };
    b.generate()
        .map(|g| g.to_string())
        .map_err(|e| format!("bindgen failed on {}: {e}", case.header))
}

fn seconds(f: impl FnOnce() -> Result<String, String>) -> Result<(f64, usize), String> {
    let start = Instant::now();
    let out = f()?;
    Ok((start.elapsed().as_secs_f64(), out.len()))
}

fn run(args: &[String]) -> Result<(), String> {
    let usage = || "usage: header_bench synth|time|emit <dir> [rounds csv]".to_owned();
    let dir = PathBuf::from(args.get(2).ok_or_else(usage)?);
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))
    };
    match args.get(1).map(String::as_str) {
        Some("synth") => write("synth.h", &synth_header()),
        Some("emit") => {
            for (case, tag) in cases(&dir).iter().zip(["sqlite3", "synth"]) {
                write(
                    &format!("alien_{tag}.rs"),
                    &alien(case).map_err(|e| e.to_string())?,
                )?;
                write(&format!("bindgen_{tag}.rs"), &bindgen(case, true)?)?;
            }
            Ok(())
        }
        Some("time") => {
            let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).ok_or_else(usage)?;
            let csv = args.get(4).ok_or_else(usage)?;
            let mut rows = String::new();
            for case in cases(&dir) {
                for (formatted, peer) in [
                    (true, "bindgen (rustfmt: its default)"),
                    (false, "bindgen (no formatting)"),
                ] {
                    // One untimed run of each side first: libclang loaded, headers in the page cache.
                    alien(&case).map_err(|e| e.to_string())?;
                    bindgen(&case, formatted)?;
                    for round in 0..rounds {
                        let run_alien = || seconds(|| alien(&case).map_err(|e| e.to_string()));
                        let run_peer = || seconds(|| bindgen(&case, formatted));
                        let (a, p) = if round % 2 == 0 {
                            let a = run_alien()?;
                            (a, run_peer()?)
                        } else {
                            let p = run_peer()?;
                            (run_alien()?, p)
                        };
                        println!(
                            "P8 {:<26} vs {peer:<31} round {round}: alien {:.1} ms ({} bytes), bindgen {:.1} ms ({} bytes), ratio {:.3}",
                            case.name,
                            a.0 * 1e3,
                            a.1,
                            p.0 * 1e3,
                            p.1,
                            a.0 / p.0
                        );
                        let _ = writeln!(
                            rows,
                            "P8,{},{peer},{round},{:.1},{:.1}",
                            case.name.replace(',', ""),
                            a.0 * 1e9,
                            p.0 * 1e9
                        );
                    }
                }
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(csv)
                .map_err(|e| format!("cannot open {csv}: {e}"))?;
            std::io::Write::write_all(&mut f, rows.as_bytes())
                .map_err(|e| format!("cannot write {csv}: {e}"))
        }
        _ => Err(usage()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = run(&args) {
        eprintln!("header_bench: {e}");
        std::process::exit(1);
    }
}
