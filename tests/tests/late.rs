//! A library that is not there at startup (libalien_late.so lives in
//! OUT_DIR, where the search does not look): its functions and variable wait,
//! `load_library` resolves them, and entries taken before loading follow.
//! Everything is one sequential test: loading is process-global.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

#[macro_use]
mod rerun;

use alien::{define_alien_variable, define_c_function, BindState, CallError, SymbolKind};
use std::ffi::c_int;

define_c_function! {
    #![library("alien_late")]
    pub fn late_answer() -> c_int;
    pub fn late_add(a: c_int, b: c_int) -> c_int;
    pub fn late_scale(x: f64, k: f64) -> f64;
}

// No library named: served by any library loaded later.
define_c_function! {
    pub fn late_answer_anywhere() -> c_int = "late_answer";
}

define_alien_variable! {
    #![library("alien_late")]
    pub static late_variable: c_int;
}

/// The same library through a bare block: it waits and resolves the same way.
mod bare_late {
    alien::define_c_function! {
        #![library("alien_late")]
        #![alien(bare)]
        pub unsafe fn late_scale(x: f64, k: f64) -> f64;
    }
}

lazy_mode_tests!();

fn rows_of(symbols: &[&str]) -> Vec<alien::LinkageInfo> {
    alien::linkage()
        .into_iter()
        .filter(|r| symbols.contains(&r.symbol.as_str()) && r.rust_name != "<run time>")
        .collect()
}

#[test]
fn a_library_loaded_later_resolves_what_waits_for_it() {
    let lazy = rerun::lazy_requested();
    // Waiting at startup.
    assert!(!late_answer::is_resolved());
    assert!(!late_answer_anywhere::is_resolved());
    assert!(!late_add::is_resolved());
    assert!(!late_scale::is_resolved());
    assert!(!late_variable.is_resolved());
    assert_eq!(late_add::info().state, BindState::Waiting);
    assert_eq!(alien::probe("late_answer"), None);
    match late_answer::try_call() {
        Err(CallError::Undefined(u)) => {
            assert_eq!(u.library.as_deref(), Some("alien_late"));
            assert!(u.attempts.iter().any(|a| a.contains("alien_late")), "{u}");
        }
        other => panic!("expected Undefined, got {other:?}"),
    }
    let text = rerun::expect_panic(|| late_add(1, 2));
    assert!(
        text.contains("late_add") && text.contains("alien_late"),
        "{text}"
    );
    assert!(late_variable.try_get().is_err());
    let bare = alien::BareFunction::of(bare_late::late_scale as *const ()).unwrap();
    assert!(!bare.is_resolved());
    let e = bare.try_resolve().unwrap_err().to_string();
    assert!(e.contains("late_scale") && e.contains("alien_late"), "{e}");
    let text = rerun::expect_panic(|| unsafe { bare_late::late_scale(1.0, 2.0) });
    assert!(text.contains("late_scale"), "{text}");

    // Entries and a run-time entry, taken before loading.
    let add_entry = late_add::entry();
    let scale_entry = late_scale::entry();
    let dynamic = alien::ensure_linkage("late_add", Some("alien_late"));
    assert!(!dynamic.is_resolved());

    let loaded = alien::load_library(alien_tests::LATE_LIB).unwrap();
    assert_eq!(loaded.name, "alien_late");
    assert!(loaded.path.ends_with("libalien_late.so"), "{}", loaded.path);
    // Three functions, the one naming no library, the bare one and the
    // run-time entry; the variable too when startup put it on the waiting
    // list (eager mode: in lazy mode variables are only looked up at first
    // access).
    let expected = if lazy { 6 } else { 7 };
    assert_eq!(loaded.resolved, expected, "{loaded:?}");

    assert!(late_answer::is_resolved());
    assert!(late_answer_anywhere::is_resolved());
    assert!(dynamic.is_resolved());
    assert_eq!(late_answer_anywhere(), 42);
    assert_eq!(
        late_answer_anywhere::info().supplier.as_deref(),
        Some("alien_late")
    );
    assert_eq!(late_answer(), 42);
    assert_eq!(late_add(1, 2), 1003);
    assert_eq!(late_add::try_call(-1000, 0), Ok(0));
    assert_eq!(late_scale(1.5, -4.0), -6.0);
    assert!(bare.is_resolved());
    assert_eq!(unsafe { bare_late::late_scale(1.5, -4.0) }, -6.0);
    assert_eq!(unsafe { add_entry(10, 20) }, 1030);
    assert_eq!(unsafe { scale_entry(2.0, 0.25) }, 0.5);
    assert_eq!(late_add::entry() as usize, add_entry as usize);
    let f: unsafe extern "C" fn(c_int, c_int) -> c_int =
        unsafe { std::mem::transmute(dynamic.entry()) };
    assert_eq!(unsafe { f(5, 5) }, 1010);

    // The variable, read and written.
    assert_eq!(late_variable.get(), 7);
    late_variable.set(8);
    assert_eq!(late_variable.get(), 8);
    assert!(late_variable.is_resolved());
    assert_eq!(unsafe { *late_variable.as_ptr() }, 8);
    late_variable.set(7);

    // Introspection: bound, supplied by "alien_late".
    let rows = rows_of(&["late_answer", "late_add", "late_scale", "late_variable"]);
    assert_eq!(rows.len(), 6, "{rows:?}");
    for r in &rows {
        assert_eq!(r.state, BindState::Bound, "{r:?}");
        assert_eq!(r.supplier.as_deref(), Some("alien_late"), "{r:?}");
        assert_eq!(
            r.supplier_path.as_deref(),
            Some(loaded.path.as_str()),
            "{r:?}"
        );
        let named = r.rust_name != "late_answer_anywhere";
        assert_eq!(r.library, named.then_some("alien_late"));
        assert!(r.address.is_some());
    }
    let var_row = rows.iter().find(|r| r.symbol == "late_variable").unwrap();
    assert_eq!(var_row.kind, SymbolKind::Data);
    assert_eq!(var_row.address, Some(late_variable.as_ptr() as usize));
    let probed = alien::probe("late_answer").unwrap();
    assert_eq!(probed.library, "alien_late");
    assert_eq!(Some(probed.address), late_answer::info().address);

    // A run-time entry made after loading is bound at once.
    let scale = alien::ensure_linkage("late_scale", Some("alien_late"));
    assert!(scale.is_resolved());
    let g: unsafe extern "C" fn(f64, f64) -> f64 = unsafe { std::mem::transmute(scale.slot()) };
    assert_eq!(unsafe { g(3.0, 3.0) }, 9.0);

    // A symbol the late library does not have still waits.
    let missing = alien::ensure_linkage("late_nonexistent", Some("alien_late"));
    assert!(!missing.is_resolved());

    // Rebinding everything keeps what the late library supplies.
    let report = alien::rebind_all();
    assert_eq!(report.waiting, 1, "only late_nonexistent: {report:?}");
    assert!(late_add::is_resolved() && late_variable.is_resolved());
    assert_eq!(late_add::info().supplier.as_deref(), Some("alien_late"));
    assert_eq!(late_add(0, 0), 1000);
    assert_eq!(unsafe { add_entry(1, 1) }, 1002);
    assert_eq!(late_variable.get(), 7);
    assert!(!missing.is_resolved());
}
