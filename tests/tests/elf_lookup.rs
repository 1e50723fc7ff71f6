//! The symbol index (`Library::symbol` reading a library's own symbol and
//! GNU hash tables) against `dlsym`: for every dynamic symbol name of the
//! system libraries alien is used with and of the test fixtures, the index
//! must give exactly `dlsym(handle, name)` — the same address, or leave the
//! answer to dlsym. Names come from `nm -D` (binutils, installed with the C
//! compiler the fixtures need), independently of the index's own parsing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

mod rerun;

use alien::library::{object_containing, IndexedSymbol, Library, OpenFlags};
use alien_tests::{ELFSYMS_LIB, FIXTURE_LIB, LATE_LIB, SYSVHASH_LIB};
use std::collections::BTreeSet;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::process::Command;

extern "C" {
    fn dlvsym(handle: *mut c_void, symbol: *const c_char, version: *const c_char) -> *mut c_void;
}

/// Every dynamic symbol name of the file at `path` (defined or not, versions
/// stripped), from `nm -D`.
fn dynamic_names(path: &str) -> Vec<CString> {
    let out = Command::new("nm")
        .args(["-D", "-P", path])
        .output()
        .unwrap_or_else(|e| panic!("cannot run nm (binutils) on {path}: {e}"));
    assert!(
        out.status.success(),
        "nm -D {path} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(|n| n.split('@').next().unwrap_or(n).to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(!names.is_empty(), "nm -D {path} listed no symbols");
    names
        .into_iter()
        .map(|n| CString::new(n).unwrap())
        .collect()
}

/// How many names the index answered itself, and how many it left to dlsym.
#[derive(Debug, Default)]
struct Tally {
    names: usize,
    found: usize,
    not_defined: usize,
    deferred: usize,
}

/// Checks every name (and a surely absent variant of it) against dlsym.
fn agrees_with_dlsym(lib: &Library, names: &[CString]) -> Tally {
    let mut tally = Tally::default();
    let absent: Vec<CString> = names
        .iter()
        .map(|n| CString::new(format!("{}_alien_absent", n.to_str().unwrap())).unwrap())
        .collect();
    for name in names.iter().chain(&absent) {
        let dlsym = lib.dlsym(name);
        let indexed = lib.indexed_symbol(name);
        match indexed {
            IndexedSymbol::Found(p) => {
                assert_eq!(
                    Some(p),
                    dlsym,
                    "{name:?} in {}: the index found {p:?}, dlsym {dlsym:?}",
                    lib.path()
                );
                tally.found += 1;
            }
            IndexedSymbol::NotDefined => tally.not_defined += 1,
            IndexedSymbol::Deferred => tally.deferred += 1,
            other => panic!("{name:?} in {}: no index ({other:?})", lib.path()),
        }
        assert_eq!(
            lib.symbol(name),
            dlsym,
            "{name:?} in {}: symbol() differs from dlsym ({indexed:?})",
            lib.path()
        );
    }
    tally.names = names.len();
    tally
}

fn open(name: &str) -> Library {
    Library::open(name, &[]).unwrap_or_else(|e| panic!("cannot open {name}: {e}"))
}

fn open_path(path: &str) -> Library {
    Library::open_path(path, OpenFlags::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every symbol of libz, libsqlite3, libm and libc.
#[test]
fn system_libraries_agree_with_dlsym() {
    for name in ["z", "sqlite3", "m", "c"] {
        let lib = open(name);
        let names = dynamic_names(lib.path());
        let tally = agrees_with_dlsym(&lib, &names);
        println!("{name}: {tally:?}");
        // Most definitions are plain (libm and libc have IFUNCs and TLS,
        // which dlsym answers): the index must really answer them.
        assert!(
            tally.found * 10 >= names.len() * 7,
            "{name}: the index answered too few names: {tally:?}"
        );
    }
}

/// Every symbol of the test fixtures.
#[test]
fn fixtures_agree_with_dlsym() {
    for path in [FIXTURE_LIB, LATE_LIB, ELFSYMS_LIB, env!("ALIEN_MATRIX_LIB")] {
        let lib = open_path(path);
        let names = dynamic_names(path);
        let tally = agrees_with_dlsym(&lib, &names);
        println!("{path}: {tally:?}");
        assert!(
            tally.found > 0,
            "{path}: the index answered nothing: {tally:?}"
        );
    }
}

fn found(lib: &Library, name: &CStr) -> *mut c_void {
    match lib.indexed_symbol(name) {
        IndexedSymbol::Found(p) => {
            assert_eq!(Some(p), lib.dlsym(name), "{name:?}");
            p.as_ptr()
        }
        other => panic!("{name:?}: expected the index to find it, got {other:?}"),
    }
}

fn left_to_dlsym(lib: &Library, name: &CStr, expected: IndexedSymbol) -> Option<*mut c_void> {
    assert_eq!(lib.indexed_symbol(name), expected, "{name:?}");
    let p = lib.symbol(name);
    assert_eq!(p, lib.dlsym(name), "{name:?}");
    p.map(|p| p.as_ptr())
}

fn call(p: *mut c_void, x: c_int) -> c_int {
    let f: extern "C" fn(c_int) -> c_int = unsafe { std::mem::transmute(p) };
    f(x)
}

/// Each kind of symbol of the fixture gets the answer dlsym gives.
#[test]
fn every_kind_of_symbol() {
    let lib = open_path(ELFSYMS_LIB);
    assert_eq!(call(found(&lib, c"elf_plain_fn"), 1), 2);
    assert_eq!(
        unsafe { *found(&lib, c"elf_plain_data").cast::<c_int>() },
        42
    );
    let rodata = found(&lib, c"elf_plain_rodata");
    assert_eq!(unsafe { CStr::from_ptr(rodata.cast()) }, c"elf");
    // Weak definitions are dlsym's answer (without LD_DYNAMIC_WEAK).
    assert_eq!(call(found(&lib, c"elf_weak_fn"), 1), 3);
    assert_eq!(unsafe { *found(&lib, c"elf_weak_data").cast::<c_int>() }, 7);
    assert_eq!(call(found(&lib, c"elf_protected_fn"), 1), 4);
    // Versions: the default one of two, a single default one.
    assert_eq!(call(found(&lib, c"elf_vfn"), 1), 21);
    assert_eq!(call(found(&lib, c"elf_versioned_fn"), 1), 41);
    // Only a hidden (non-default) version: dlsym finds nothing.
    assert_eq!(
        left_to_dlsym(&lib, c"elf_old_only", IndexedSymbol::NotDefined),
        None
    );
    // dlsym calls an IFUNC's resolver.
    let ifunc = left_to_dlsym(&lib, c"elf_ifunc_fn", IndexedSymbol::Deferred).unwrap();
    assert_eq!(call(ifunc, 1), 5);
    // TLS: the calling thread's copy; unique and absolute symbols.
    let tls = left_to_dlsym(&lib, c"elf_tls_var", IndexedSymbol::Deferred).unwrap();
    assert_eq!(unsafe { *tls.cast::<c_int>() }, 5);
    left_to_dlsym(&lib, c"elf_unique_obj", IndexedSymbol::Deferred).unwrap();
    let abs = left_to_dlsym(&lib, c"elf_abs_sym", IndexedSymbol::Deferred).unwrap();
    assert_eq!(abs as usize, 0x1234);
    // Version names are absolute symbols of value 0: absent for dlsym.
    assert_eq!(
        left_to_dlsym(&lib, c"ELFSYMS_2", IndexedSymbol::Deferred),
        None
    );
    // Not defined here: dlsym finds it in a dependency (libm).
    let cos = left_to_dlsym(&lib, c"cos", IndexedSymbol::NotDefined).unwrap();
    assert!(object_containing(cos as usize)
        .unwrap()
        .path
        .contains("libm"));
    assert_eq!(
        left_to_dlsym(&lib, c"elf_nowhere", IndexedSymbol::NotDefined),
        None
    );
    // The library's weak `hypot` comes before libm's global one.
    let hypot = found(&lib, c"hypot");
    assert_eq!(object_containing(hypot as usize).unwrap().path, lib.path());
}

/// libc: versioned names (the default version, as `dlvsym` confirms),
/// IFUNCs, TLS, weak and data symbols.
#[test]
fn libc_symbols() {
    let lib = open("c");
    for (name, default) in [(c"realpath", c"GLIBC_2.3"), (c"nftw", c"GLIBC_2.3.3")] {
        let p = found(&lib, name);
        let v = unsafe { dlvsym(lib.handle(), name.as_ptr(), default.as_ptr()) };
        assert_eq!(p, v, "{name:?} is not its default version {default:?}");
    }
    for name in [c"strlen", c"memcpy"] {
        left_to_dlsym(&lib, name, IndexedSymbol::Deferred).unwrap();
    }
    left_to_dlsym(&lib, c"errno", IndexedSymbol::Deferred).unwrap();
    found(&lib, c"environ");
    found(&lib, c"stdout");
    found(&lib, c"qsort");
    assert_eq!(
        left_to_dlsym(&lib, c"GLIBC_2.2.5", IndexedSymbol::Deferred),
        None
    );
    // libz's scope has libc after libz: dlsym finds libc's printf there.
    let z = open("z");
    assert!(left_to_dlsym(&z, c"printf", IndexedSymbol::NotDefined).is_some());
    let sqlite = open("sqlite3");
    let version = found(&sqlite, c"sqlite3_version");
    assert!(unsafe { CStr::from_ptr(version.cast()) }
        .to_bytes()
        .starts_with(b"3."));
}

/// A library without DT_GNU_HASH has no index: dlsym answers everything.
#[test]
fn old_hash_table_only_goes_to_dlsym() {
    let lib = open_path(SYSVHASH_LIB);
    for name in dynamic_names(SYSVHASH_LIB) {
        assert_eq!(
            lib.indexed_symbol(&name),
            IndexedSymbol::NoIndex,
            "{name:?}"
        );
        assert_eq!(lib.symbol(&name), lib.dlsym(&name), "{name:?}");
    }
    assert!(lib.symbol(c"late_answer").is_some());
}

const CHILD_CHECK: &str = "ALIEN_ELF_CHILD_CHECK";

/// Runs `child_checks` in a child process with `envs`.
fn in_child(check: &str, envs: &[(&str, &str)]) {
    let mut all = vec![(CHILD_CHECK, check)];
    all.extend_from_slice(envs);
    let out = rerun::run_self(&["--exact", "child_checks"], &all);
    let text = rerun::describe(&out);
    assert!(out.status.success(), "child failed\n{text}");
    assert_eq!(rerun::passed(&out), 1, "child ran no check\n{text}");
}

/// The checks children run (nothing in a normal run).
#[test]
fn child_checks() {
    let Ok(check) = std::env::var(CHILD_CHECK) else {
        return;
    };
    let lib = open_path(ELFSYMS_LIB);
    match check.as_str() {
        "switch" => {
            // ALIEN_LOOKUP=dlsym: no index, same answers.
            assert_eq!(lib.indexed_symbol(c"elf_plain_fn"), IndexedSymbol::NoIndex);
            assert_eq!(lib.symbol(c"elf_plain_fn"), lib.dlsym(c"elf_plain_fn"));
            assert!(lib.symbol(c"elf_plain_fn").is_some());
        }
        "dynamic_weak" => {
            // LD_DYNAMIC_WEAK: a weak definition yields to a later global one.
            assert_eq!(lib.indexed_symbol(c"hypot"), IndexedSymbol::Deferred);
            let hypot = lib.symbol(c"hypot").unwrap();
            assert_eq!(Some(hypot), lib.dlsym(c"hypot"));
            let path = object_containing(hypot.as_ptr() as usize).unwrap().path;
            assert!(path.contains("libm"), "hypot from {path}");
            // Global definitions are still answered by the index.
            found(&lib, c"elf_plain_fn");
        }
        other => panic!("unknown child check {other}"),
    }
}

#[test]
fn switch_turns_the_index_off() {
    if rerun::is_child() {
        return;
    }
    in_child("switch", &[("ALIEN_LOOKUP", "dlsym")]);
}

#[test]
fn dynamic_weak_is_honoured() {
    if rerun::is_child() {
        return;
    }
    in_child("dynamic_weak", &[("LD_DYNAMIC_WEAK", "1")]);
}
