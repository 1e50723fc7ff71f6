//! Declared symbols that exist nowhere: the program starts anyway, probing
//! has no side effects, a call panics at the caller with the symbol and the
//! places tried (never a crash), `try_call` returns the error, and the
//! process carries on normally afterwards. Also missing variables and a
//! missing library.
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
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
    pub fn alien_missing_function(x: c_int) -> c_int;
    pub fn alien_missing_probe_target(x: c_int) -> c_int;
    pub fn alien_missing_floats(a: f64, b: f64) -> f64;
    pub fn alien_missing_try(x: c_int) -> c_int;
    pub fn alien_missing_void();
    pub unsafe fn alien_missing_variadic(n: c_int, ...) -> f64;
    pub fn alien_missing_wide(
        a: i64, b: f64, c: i64, d: f64, e: i64, f: f64, g: i64, h: f64, i: i64, j: f64,
        k: i64, l: f64, m: i64, n: f64, o: i64, p: f64, q: i64, r: f64,
    ) -> f64;
}

define_c_function! {
    #![library("alien_no_such_library", candidates = ["libalien_no_such_library.so.7"])]
    pub fn alien_missing_in_missing_library(x: c_int) -> c_int;
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static alien_missing_variable: c_int;
}

lazy_mode_tests!();

fn row(symbol: &str) -> alien::LinkageInfo {
    let rows: Vec<_> = alien::linkage()
        .into_iter()
        .filter(|r| r.symbol == symbol)
        .collect();
    assert_eq!(rows.len(), 1, "rows for {symbol}: {rows:?}");
    rows.into_iter().next().unwrap()
}

fn mix8_value() -> f64 {
    mix8(1, 2.0, 3, 4.0, 5, 6.0, 7, 8.0)
}

#[test]
fn program_starts_and_reports_unresolved() {
    assert!(!alien_missing_function::is_resolved());
    assert!(!alien_missing_in_missing_library::is_resolved());
    assert!(!alien_missing_variable.is_resolved());
    let info = alien_missing_function::info();
    assert_eq!(info.symbol, "alien_missing_function");
    assert_eq!(info.rust_name, "alien_missing_function");
    assert_eq!(info.module_path, "missing");
    assert_eq!(info.library, Some("alien_fixture"));
    assert_eq!(info.kind, SymbolKind::Code);
    assert_eq!(info.state, BindState::Waiting);
    assert_eq!(info.address, None);
    assert_eq!(info.supplier, None);
    assert_eq!(row("alien_missing_function"), info);
    let var = row("alien_missing_variable");
    assert_eq!(var.kind, SymbolKind::Data);
    assert_ne!(var.state, BindState::Bound);
    assert_eq!(var.address, None);
    // Good ones are fine next to them.
    assert_eq!(add2(2, 3), 5);
    assert!(add2::is_resolved());
}

#[test]
fn probe_has_no_side_effects() {
    let before = row("alien_missing_probe_target");
    let count = alien::linkage().len();
    for _ in 0..3 {
        assert_eq!(alien::probe("alien_missing_probe_target"), None);
    }
    assert_eq!(alien::probe("alien_missing_in_missing_library"), None);
    assert_eq!(alien::probe("alien_missing_variable"), None);
    assert_eq!(row("alien_missing_probe_target"), before);
    assert_eq!(alien::linkage().len(), count);
    assert!(!alien_missing_probe_target::is_resolved());
    assert_eq!(alien::probe("bad\0name"), None);
    // A symbol of the global scope and one of the fixture (after a call, so
    // the library is open in lazy mode too).
    let strlen = alien::probe("strlen").expect("strlen is in the global scope");
    assert_eq!(strlen.library, "<global scope>");
    assert_eq!(add2(1, 1), 2);
    let p = alien::probe("add2").expect("add2 after the fixture was opened");
    assert_eq!(p.library, "alien_fixture");
    assert_eq!(Some(p.address), add2::info().address);
}

#[test]
fn calling_it_panics_at_the_caller() {
    let text = rerun::expect_panic(|| alien_missing_function(7));
    assert!(text.contains("alien_missing_function"), "{text}");
    assert!(text.contains("alien_fixture"), "{text}");
    assert!(text.contains(alien_tests::FIXTURE_LIB), "{text}");
    assert!(text.contains("undefined alien function"), "{text}");
    // The stack is intact: calls with register and stack-passed values work.
    assert_eq!(add2(40, 2), 42);
    assert_eq!(mix8_value(), 204.0);
    let text = rerun::expect_panic(|| alien_missing_floats(1.5, 2.5));
    assert!(text.contains("alien_missing_floats"), "{text}");
    let text = rerun::expect_panic(alien_missing_void);
    assert!(text.contains("alien_missing_void"), "{text}");
    // Many times over: nothing leaks or drifts.
    for i in 0..200 {
        assert!(std::panic::catch_unwind(|| alien_missing_function(i)).is_err());
        assert_eq!(add2(i, 1), i + 1);
    }
    assert_eq!(mix8_value(), 204.0);
    assert!(!alien_missing_function::is_resolved());
    assert_eq!(alien_missing_function::info().state, BindState::Waiting);
}

#[test]
fn calling_it_from_another_thread() {
    let h = std::thread::spawn(|| std::panic::catch_unwind(|| alien_missing_function(1)).is_err());
    assert!(h.join().unwrap());
    let h = std::thread::spawn(|| add2(20, 22));
    assert_eq!(h.join().unwrap(), 42);
}

#[test]
fn try_call_returns_the_error() {
    match alien_missing_try::try_call(1) {
        Err(CallError::Undefined(u)) => {
            assert_eq!(u.symbol, "alien_missing_try");
            assert_eq!(u.library.as_deref(), Some("alien_fixture"));
            assert_eq!(u.kind, SymbolKind::Code);
            assert!(!u.attempts.is_empty());
            assert!(
                u.attempts
                    .iter()
                    .any(|a| a.contains(alien_tests::FIXTURE_LIB)),
                "{:?}",
                u.attempts
            );
            assert!(u.to_string().contains("alien_missing_try"));
        }
        other => panic!("expected CallError::Undefined, got {other:?}"),
    }
    // Twice: same answer, nothing cached wrongly.
    assert!(matches!(
        alien_missing_try::try_call(2),
        Err(CallError::Undefined(_))
    ));
    assert_eq!(add2::try_call(1, 2), Ok(3));
}

#[test]
fn a_missing_library_is_named() {
    let err = alien_missing_in_missing_library::try_call(1).unwrap_err();
    let CallError::Undefined(u) = &err else {
        panic!("expected CallError::Undefined, got {err:?}");
    };
    assert_eq!(u.library.as_deref(), Some("alien_no_such_library"));
    let all = u.attempts.join("\n");
    // The explicit candidate is tried before the decorated name.
    let explicit = all.find("libalien_no_such_library.so.7").unwrap();
    let decorated = all.find("libalien_no_such_library.so (").unwrap();
    assert!(explicit < decorated, "{all}");
    assert!(all.contains("libalien_no_such_library.so.7"), "{all}");
    assert!(all.contains("libalien_no_such_library.so"), "{all}");
    assert!(all.contains("global scope"), "{all}");
    let text = rerun::expect_panic(|| alien_missing_in_missing_library(1));
    assert!(text.contains("alien_missing_in_missing_library"), "{text}");
    assert!(text.contains("alien_no_such_library"), "{text}");
    assert_eq!(add2(3, 4), 7);
}

#[test]
fn a_missing_variable() {
    let text = rerun::expect_panic(|| alien_missing_variable.get());
    assert!(text.contains("alien_missing_variable"), "{text}");
    assert!(text.contains("variable"), "{text}");
    assert!(text.contains("alien_fixture"), "{text}");
    let u = alien_missing_variable.try_get().unwrap_err();
    assert_eq!(u.symbol, "alien_missing_variable");
    assert_eq!(u.kind, SymbolKind::Data);
    assert!(alien_missing_variable.try_set(5).is_err());
    assert!(alien_missing_variable.try_as_ptr().is_err());
    let text = rerun::expect_panic(|| alien_missing_variable.set(1));
    assert!(text.contains("alien_missing_variable"), "{text}");
    let text = rerun::expect_panic(|| alien_missing_variable.as_ptr());
    assert!(text.contains("alien_missing_variable"), "{text}");
    assert!(!alien_missing_variable.is_resolved());
}

#[test]
fn a_missing_variadic_function() {
    let text = rerun::expect_panic(|| unsafe { alien_missing_variadic(2, (1.5f64, 2i32)) });
    assert!(text.contains("alien_missing_variadic"), "{text}");
    assert!(matches!(
        unsafe { alien_missing_variadic::try_call(1, (0.5f64,)) },
        Err(CallError::Undefined(_))
    ));
    assert_eq!(mix8_value(), 204.0);
}

#[test]
fn loading_a_missing_library_is_an_error() {
    let err = alien::load_library("/nonexistent/alien/libnothing.so").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("/nonexistent/alien/libnothing.so"), "{text}");
    assert!(matches!(err, alien::Error::Library(_)), "{err:?}");
    let err = alien::load_library("alien_surely_no_such_library").unwrap_err();
    assert!(
        err.to_string()
            .contains("libalien_surely_no_such_library.so"),
        "{err}"
    );
    // Nothing changed.
    assert!(!alien_missing_function::is_resolved());
    assert_eq!(add2(1, 2), 3);
}

#[test]
fn a_missing_function_with_stack_arguments() {
    for round in 0..20 {
        let x = f64::from(round);
        let text = rerun::expect_panic(|| {
            alien_missing_wide(1, x, 2, x, 3, x, 4, x, 5, x, 6, x, 7, x, 8, x, 9, x)
        });
        assert!(text.contains("alien_missing_wide"), "{text}");
        assert_eq!(mix8_value(), 204.0);
    }
}
