//! alien inside a foreign host: a C program (`tests/host/host.c`) loads two
//! copies of a `cdylib` that uses alien (`tests/host/plugin`) and calls
//! both; the copies must not interfere (loaded `RTLD_LOCAL`, and also
//! `RTLD_GLOBAL`, where their symbols meet), and the host must work wherever
//! address-space randomization puts them.
//!
//! How the plugin is built: not with a nested `cargo build` (it would wait
//! for the target directory's lock whenever another cargo runs, and with its
//! own target directory it would rebuild alien and its dependencies from
//! scratch, a minute or more), but with `rustc` directly, against the
//! `alien` rlib and dependencies cargo just built for this test, found in
//! the directory of the test executable (`target/<profile>/deps`). That
//! takes seconds, needs no lock and no network, and compiles the plugin's
//! current source. The rustc is the one next to the cargo that built the
//! test (`$RUSTC` if set). The same crate is also a workspace member, so
//! `cargo build`/`clippy` check it like any other.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// What `plugin_compute` returns (same formula, computed here).
fn expected_compute(x: i32, scale: i32) -> i32 {
    let mut v = [x, x.wrapping_mul(-2), 5, 3];
    v.sort_unstable();
    let exponent = if x == 0 {
        0
    } else {
        f64::from(x.unsigned_abs()).log2().floor() as i32 + 1
    };
    1000 * scale + v[0].abs() + v[3] + 8 + exponent
}

/// A scratch directory of this test run, removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The value, or a panic naming what failed and why.
fn ok<T>(r: std::io::Result<T>, what: impl std::fmt::Display) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

fn run(cmd: &mut Command, what: &str) -> std::process::Output {
    match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run {what} ({cmd:?}): {e}"),
    }
}

/// The rustc that built this test (its rlibs are only readable by it).
fn rustc() -> PathBuf {
    if let Some(r) = std::env::var_os("RUSTC") {
        return r.into();
    }
    let sibling = Path::new(env!("CARGO")).with_file_name("rustc");
    if sibling.is_file() {
        sibling
    } else {
        PathBuf::from("rustc")
    }
}

/// `libalien-<hash>.rlib` files in `deps`: first those not newer than the
/// test executable (the one it was linked with is among them), newest
/// first; then the others.
fn alien_rlibs(deps: &Path, exe_time: SystemTime) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(deps) {
        Ok(e) => e,
        Err(e) => panic!("cannot list {}: {e}", deps.display()),
    };
    let mut found: Vec<(bool, SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libalien-") && n.ends_with(".rlib"))
        })
        .filter_map(|p| {
            let t = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((t > exe_time, t, p))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    found.into_iter().map(|(_, _, p)| p).collect()
}

/// Compiles the plugin into `dir`; returns the `.so`.
fn build_plugin(dir: &Path) -> PathBuf {
    let exe = ok(std::env::current_exe(), "locating the test executable");
    let deps = exe.parent().unwrap_or(Path::new("."));
    let exe_time = ok(
        std::fs::metadata(&exe).and_then(|m| m.modified()),
        format!("reading the time of {}", exe.display()),
    );
    let out = dir.join("libalien_host_plugin.so");
    let src = Path::new(MANIFEST_DIR).join("host/plugin/src/lib.rs");
    let candidates = alien_rlibs(deps, exe_time);
    assert!(
        !candidates.is_empty(),
        "no libalien-*.rlib in {}",
        deps.display()
    );
    let mut errors = String::new();
    // A candidate can fail if another build is rewriting it right now.
    for rlib in candidates.iter().take(3) {
        let mut cmd = Command::new(rustc());
        cmd.args(["--edition", "2021", "--crate-type", "cdylib"])
            .args(["--crate-name", "alien_host_plugin", "--cap-lints", "warn"])
            .args(["-C", "debuginfo=0", "-C", "opt-level=1"])
            .arg("-L")
            .arg(format!("dependency={}", deps.display()))
            .arg("--extern")
            .arg(format!("alien={}", rlib.display()))
            .arg("-o")
            .arg(&out)
            .arg(&src);
        let o = run(&mut cmd, "rustc");
        if o.status.success() {
            eprintln!("built {} against {}", out.display(), rlib.display());
            return out;
        }
        errors.push_str(&format!(
            "--- with {}:\n{}\n",
            rlib.display(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    panic!("building the plugin failed:\n{errors}");
}

fn build_host(dir: &Path) -> PathBuf {
    let exe = dir.join("host");
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let o = run(
        Command::new(cc)
            .args(["-O1", "-Wall", "-Wextra", "-o"])
            .arg(&exe)
            .arg(Path::new(MANIFEST_DIR).join("host/host.c"))
            .args(["-ldl", "-lpthread"]),
        "the C compiler",
    );
    assert!(
        o.status.success(),
        "compiling host.c failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    exe
}

/// Whether this process's children get randomized addresses, and why not.
fn aslr() -> Result<String, String> {
    let setting = std::fs::read_to_string("/proc/sys/kernel/randomize_va_space")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|e| format!("unreadable ({e})"));
    // ADDR_NO_RANDOMIZE (setarch -R, debuggers) is inherited by children.
    let personality = std::fs::read_to_string("/proc/self/personality")
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim(), 16).ok())
        .unwrap_or(0);
    if personality & 0x0040000 != 0 {
        return Err(format!(
            "randomize_va_space={setting}, but ADDR_NO_RANDOMIZE is set"
        ));
    }
    match setting.as_str() {
        "1" | "2" => Ok(format!("randomize_va_space={setting}")),
        _ => Err(format!("randomize_va_space={setting}")),
    }
}

fn parse(stdout: &str) -> HashMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn two_copies_of_an_alien_cdylib_in_a_c_host_at_random_addresses() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("foreign_host-{}", std::process::id()));
    ok(
        std::fs::create_dir_all(&dir),
        format!("creating {}", dir.display()),
    );
    let scratch = Scratch(dir);
    let so = build_plugin(&scratch.0);
    // Two files (copies, not links): the loader maps each separately.
    let (pa, pb) = (scratch.0.join("plugin_a.so"), scratch.0.join("plugin_b.so"));
    for p in [&pa, &pb] {
        ok(
            std::fs::copy(&so, p),
            format!("copying the plugin to {}", p.display()),
        );
    }
    let host = build_host(&scratch.0);

    let sum: i64 = (0..200)
        .map(|i| i64::from(expected_compute(i, 2) + expected_compute(-i, 3)))
        .sum();
    let runs = 4;
    let mut bases = Vec::new();
    for run_no in 0..runs {
        // Every other run loads the copies RTLD_GLOBAL.
        let global = run_no % 2 == 1;
        let mut cmd = Command::new(&host);
        cmd.arg(&pa).arg(&pb);
        if global {
            cmd.arg("global");
        }
        let o = run(&mut cmd, "the host");
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() && stdout.ends_with("host: ok\n"),
            "run {run_no}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            o.status
        );
        let kv = parse(&stdout);
        assert_eq!(
            kv.get("scope").map(String::as_str),
            Some(if global { "global" } else { "local" })
        );
        let get = |k: &str| -> &str {
            kv.get(k)
                .map(String::as_str)
                .unwrap_or_else(|| panic!("no `{k}` in:\n{stdout}"))
        };
        // Each copy's table holds its own four declarations, all bound.
        for p in ["a", "b"] {
            assert_eq!(get(&format!("{p}.table_len")), "4", "{stdout}");
            assert_eq!(get(&format!("{p}.table_bound")), "4", "{stdout}");
            assert_eq!(get(&format!("{p}.entry(-7)")), "7");
        }
        // Separate code, data and generated entries.
        for k in ["base", "data_addr", "entry_addr", "compute_addr"] {
            assert_ne!(
                get(&format!("a.{k}")),
                get(&format!("b.{k}")),
                "{k}:\n{stdout}"
            );
        }
        // Each computes with its own state (scale 2 and 3).
        for (p, scale) in [("a", 2), ("b", 3)] {
            for x in [5, -12] {
                assert_eq!(
                    get(&format!("{p}.compute({x})")),
                    expected_compute(x, scale).to_string(),
                    "{p}.compute({x})"
                );
            }
            assert_eq!(get(&format!("{p}.callback(4)")), (40 + scale).to_string());
        }
        // Registries: each copy its own.
        assert_eq!(get("a.lookup(a.handle)"), "70");
        assert_eq!(get("b.lookup(b.handle)"), "90");
        assert_eq!(get("thread.lookup_a"), "70");
        assert_eq!(get("thread.lookup_b"), "90");
        assert_eq!(get("a.unregister"), "0");
        assert_eq!(get("a.lookup_after"), "-1");
        assert_eq!(get("b.lookup_after"), "90", "b's registry is untouched");
        assert_eq!(get("a.unregister_again"), "-1");
        assert_eq!(get("thread.sum"), sum.to_string());
        assert_eq!(get("main.sum"), sum.to_string());
        bases.push((get("a.base").to_owned(), get("b.base").to_owned()));
    }
    eprintln!("load addresses (a, b) per run: {bases:?}");
    match aslr() {
        Ok(how) => {
            let distinct: HashSet<&String> = bases.iter().map(|(a, _)| a).collect();
            assert_eq!(
                distinct.len(),
                runs,
                "{how}, yet plugin a loaded at the same address twice: {bases:?}"
            );
            eprintln!("ASLR: {how}; {runs} runs, {runs} different load addresses");
        }
        Err(why) => eprintln!("ASLR is off here ({why}): load addresses not compared"),
    }
}
