//! Reloading and replacing libraries, bind-once snapshots, and interposition.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

use alien::{define_c_function, ReloadError};
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("alien-relink-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Compiles `source` into `out` (a shared library), with extra arguments.
fn cc(out: &Path, source: &str, extra: &[&str]) {
    let c = out.with_extension("c");
    std::fs::write(&c, source).expect("write C");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(out)
        .arg(&c)
        .args(extra)
        .status()
        .expect("run cc");
    assert!(status.success(), "cc failed for {}", out.display());
}

define_c_function! {
    #![library("alien_relink")]
    pub fn relink_value() -> c_int;
    pub fn relink_add(a: c_int, b: c_int) -> c_int;
}

define_c_function! {
    #![library("c")]
    pub fn abs(x: c_int) -> c_int;
}

/// A bare declaration of the same library: relinked with the rest.
mod bare_relink {
    alien::define_c_function! {
        #![library("alien_relink")]
        #![alien(bare)]
        pub unsafe fn relink_value() -> std::ffi::c_int;
    }
}

const V1: &str =
    "int relink_value(void) { return 1; }\nint relink_add(int a, int b) { return a + b; }\n";
const V2: &str =
    "int relink_value(void) { return 2; }\nint relink_add(int a, int b) { return a + b + 100; }\n";
const NO_ADD: &str = "int relink_value(void) { return 3; }\n";

#[test]
fn reload_rebinds_every_caller_and_failures_change_nothing() {
    let dir = scratch();
    let lib = dir.join("libalien_relink.so");
    cc(&lib, V1, &[]);
    assert!(!relink_value::is_resolved());
    let loaded = alien::load_library(lib.to_str().unwrap()).expect("load v1");
    assert_eq!(loaded.name, "alien_relink");
    assert_eq!((relink_value(), relink_add(2, 3)), (1, 5));
    assert_eq!(unsafe { bare_relink::relink_value() }, 1);
    let entry = relink_add::entry();
    let snapshot = relink_value::snapshot();

    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let observer = alien::add_reload_observer(move |e| {
        log.lock()
            .unwrap()
            .push((e.phase, relink_value::snapshot() as usize))
    });
    let epoch = alien::reload_epoch();

    // The file is rewritten in place and reloaded: the new code really runs.
    cc(&lib, V2, &[]);
    let report = alien::reload_library("alien_relink").expect("reload");
    assert_eq!(report.rebound, 3);
    assert_eq!(report.epoch, epoch + 1);
    assert_eq!((relink_value(), relink_add(2, 3)), (2, 105));
    assert_eq!(
        unsafe { bare_relink::relink_value() },
        2,
        "a bare declaration's trampoline follows the reload"
    );
    assert_eq!(
        unsafe { entry(2, 3) },
        105,
        "an entry handed out earlier follows the reload"
    );
    assert_eq!(
        unsafe { snapshot() },
        1,
        "a bind-once snapshot keeps the old code"
    );
    let events = seen.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].0, alien::ReloadPhase::Before);
    assert_eq!(events[1].0, alien::ReloadPhase::After);
    assert_ne!(
        events[0].1, events[1].1,
        "observers see the swap between the phases"
    );
    assert!(alien::remove_reload_observer(observer));

    // A version missing a bound symbol: typed error naming it, nothing rebound.
    let missing = dir.join("libalien_relink_noadd.so");
    cc(&missing, NO_ADD, &[]);
    match alien::replace_library("alien_relink", missing.to_str().unwrap()) {
        Err(ReloadError::MissingSymbols { missing, .. }) => {
            assert_eq!(missing, vec!["relink_add".to_owned()])
        }
        other => panic!("expected MissingSymbols, got {other:?}"),
    }
    assert_eq!((relink_value(), relink_add(2, 3)), (2, 105));

    // A file that is not a library.
    let junk = dir.join("libjunk.so");
    std::fs::write(&junk, b"not an ELF file").unwrap();
    let e = alien::replace_library("alien_relink", junk.to_str().unwrap()).unwrap_err();
    assert!(matches!(e, ReloadError::Open(_)), "{e}");
    assert_eq!(relink_value(), 2);

    // A library that cannot be initialised (its dependency is gone).
    let dep = dir.join("libalien_gone_dep.so");
    cc(&dep, "int gone_dep(void) { return 0; }\n", &[]);
    let needy = dir.join("libalien_needy.so");
    cc(
        &needy,
        &format!("{V2}int gone_dep(void);\nint use_dep(void) {{ return gone_dep(); }}\n"),
        &[
            "-L",
            dir.to_str().unwrap(),
            "-lalien_gone_dep",
            "-Wl,--no-as-needed",
        ],
    );
    std::fs::remove_file(&dep).unwrap();
    let e = alien::replace_library("alien_relink", needy.to_str().unwrap()).unwrap_err();
    assert!(e.to_string().contains("libalien_gone_dep"), "{e}");
    assert_eq!(relink_add(1, 1), 102);

    // Unknown library.
    assert!(matches!(
        alien::reload_library("never_loaded"),
        Err(ReloadError::NotLoaded { .. })
    ));

    // Old versions stay loaded until retired; no private copy is ever left
    // on disk (each is unlinked as soon as it is loaded).
    let copies = || {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("alien-reload-{}-", std::process::id()))
            })
            .count()
    };
    assert_eq!(copies(), 0, "private copies left on disk");
    assert_eq!(unsafe { snapshot() }, 1);
    let retired = alien::retire_old_versions();
    assert!(retired >= 1);
    assert_eq!(copies(), 0, "private copies left on disk");
    assert_eq!(relink_value(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

extern "C" fn fake_abs(x: c_int) -> c_int {
    // The replacement can call the original.
    let original = abs::original();
    let v = unsafe { original(x) };
    v * 10
}

#[test]
fn interposition_reaches_rust_and_c_callers_and_unwinds() {
    assert_eq!(abs(-4), 4);
    let entry = abs::entry();
    {
        let _outer = abs::interpose(fake_abs);
        assert_eq!(abs(-4), 40);
        assert_eq!(
            unsafe { entry(-4) },
            40,
            "C callers through the entry see the replacement"
        );
        {
            let _inner = abs::interpose_with(|x: c_int| x + 1);
            assert_eq!(abs(-4), -3);
            assert_eq!(unsafe { entry(-4) }, -3);
        }
        assert_eq!(
            abs(-4),
            40,
            "the inner interposition unwound to the outer one"
        );
    }
    assert_eq!(abs(-4), 4);
    assert_eq!(unsafe { entry(-4) }, 4);
    // Out of order: dropping the older guard first keeps the newer one active.
    let a = abs::interpose(fake_abs);
    let b = abs::interpose_with(|_: c_int| 7);
    drop(a);
    assert_eq!(abs(-1), 7);
    drop(b);
    assert_eq!(abs(-1), 1);
}
