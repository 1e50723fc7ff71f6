//! Relink under load: 8 threads call through 1,000 entries while another
//! thread switches the library between two versions 10,000 times.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

use std::ffi::c_int;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

const N: usize = 1000;
const OFFSET: c_int = 1_000_000;

fn build(dir: &std::path::Path, name: &str, offset: c_int) -> PathBuf {
    let mut src = String::new();
    for i in 0..N {
        src.push_str(&format!(
            "int load_f{i}(void) {{ return {}; }}\n",
            i as c_int + offset
        ));
    }
    let c = dir.join(format!("{name}.c"));
    std::fs::write(&c, src).expect("write C");
    let so = dir.join(format!("{name}.so"));
    let ok = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&so)
        .arg(&c)
        .status()
        .expect("cc");
    assert!(ok.success());
    so
}

#[test]
fn eight_threads_call_while_another_relinks_ten_thousand_times() {
    let dir = std::env::temp_dir().join(format!("alien-relink-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let v1 = build(&dir, "libalien_load", 0);
    let v2 = build(&dir, "libalien_load_v2", OFFSET);
    alien::load_library(v1.to_str().unwrap()).expect("load v1");
    let entries: Vec<usize> = (0..N)
        .map(|i| {
            let e = alien::ensure_linkage(&format!("load_f{i}"), Some("alien_load"));
            assert!(e.is_resolved());
            e.entry()
        })
        .collect();
    let first = alien::LibraryVersion::open("alien_load", v1.to_str().unwrap()).unwrap();
    let second = alien::LibraryVersion::open("alien_load", v2.to_str().unwrap()).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let entries = Arc::new(entries);
    let callers: Vec<_> = (0..8)
        .map(|t| {
            let (stop, calls, entries) =
                (Arc::clone(&stop), Arc::clone(&calls), Arc::clone(&entries));
            std::thread::spawn(move || {
                let mut i = t * 97;
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let k = i % N;
                    // SAFETY: every entry is a `int f(void)` of one of the two versions.
                    let f: extern "C" fn() -> c_int = unsafe { std::mem::transmute(entries[k]) };
                    let v = f();
                    assert!(
                        v == k as c_int || v == k as c_int + OFFSET,
                        "entry {k} returned {v}"
                    );
                    i += 1;
                    n += 1;
                    if n.is_multiple_of(4096) {
                        // Two cores: let the relinking thread run too.
                        std::thread::yield_now();
                    }
                }
                calls.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();
    for round in 0..10_000 {
        let v = if round % 2 == 0 { &second } else { &first };
        let report = v.activate().expect("relink");
        assert_eq!(report.rebound, N);
    }
    stop.store(true, Ordering::Relaxed);
    for c in callers {
        c.join().expect("caller thread");
    }
    assert!(calls.load(Ordering::Relaxed) > 0);
    // 10,000 activations, ending on `first`.
    let f: extern "C" fn() -> c_int = unsafe { std::mem::transmute(entries[7]) };
    assert_eq!(f(), 7);
    alien::retire_old_versions();
    let _ = std::fs::remove_dir_all(&dir);
}
