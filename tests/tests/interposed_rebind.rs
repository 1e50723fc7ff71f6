//! An interposition on a function whose symbol exists nowhere survives
//! `rebind_all` (which puts every unresolvable declaration back on its lazy
//! stub): the replacement stays in the slots, the stub goes underneath, and
//! dropping the guard restores the missing-symbol error. One test in a
//! binary of its own, since `rebind_all` touches every record of the process
//! (and again in lazy mode, `same_in_lazy_mode`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod rerun;

use alien::{define_c_function, CallError};
use std::ffi::c_int;

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn alien_interposed_missing(x: c_int) -> c_int;
}

extern "C" fn triple(x: c_int) -> c_int {
    3 * x
}

#[test]
fn rebind_all_keeps_an_interposition_on_a_missing_function() {
    assert!(!alien_interposed_missing::is_resolved());
    let entry = alien_interposed_missing::entry();
    {
        let _guard = alien_interposed_missing::interpose(triple);
        assert_eq!(alien_interposed_missing(5), 15);
        let report = alien::rebind_all();
        assert_eq!(report.waiting, 1, "{report:?}");
        // Rust callers and C callers (through the entry) still reach the
        // replacement.
        assert_eq!(alien_interposed_missing(5), 15);
        // SAFETY: the entry has the declaration's C type, and its target
        // (the replacement) is live for as long as the guard.
        assert_eq!(unsafe { entry(7) }, 21);
        assert_eq!(alien_interposed_missing::try_call(2), Ok(6));
        // Underneath is the lazy stub, which still raises the error.
        let text = rerun::expect_panic(|| {
            let original = alien_interposed_missing::original();
            // SAFETY: `original` is the lazy stub, which takes the
            // declaration's arguments and raises the missing-symbol panic.
            unsafe { original(1) }
        });
        assert!(text.contains("alien_interposed_missing"), "{text}");
    }
    // The guard is gone: the missing symbol is an error again.
    assert!(matches!(
        alien_interposed_missing::try_call(1),
        Err(CallError::Undefined(_))
    ));
    let text = rerun::expect_panic(|| alien_interposed_missing(1));
    assert!(text.contains("alien_interposed_missing"), "{text}");
    assert_eq!(add2(2, 3), 5);
}

lazy_mode_tests!();
