//! Regression tests: minimal reproductions of defects the integration tests
//! found (all fixed in 45a8791). Each doc comment says what went wrong and
//! where.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

mod rerun;

use alien::{
    define_alien_variable, define_c_enum, define_c_function, CallError, Errno, MarshalError,
};
use std::ffi::{c_char, c_int, c_long, CStr};

// ---------------------------------------------------------------------------
// 1. errno clobbered by lazy resolution.

// The declared library does not exist: the symbol comes from the global
// scope. Called exactly once per process, so in a lazy process that call is
// the one that resolves it.
define_c_function! {
    #![library("alien_no_such_library_for_errno")]
    #[alien(errno)]
    pub fn strtol_fallback(s: &CStr, out end: *mut c_char, base: c_int) -> c_long = "strtol";
}

/// A successful call of an `#[alien(errno)]` function must report
/// `Errno(0)` even when it is the call that resolves the symbol (lazy mode,
/// or a symbol that arrives late). The wrapper clears errno, then calls
/// through the lazy stub; the resolver (`runtime/src/table/resolve.rs`,
/// `resolve_from_stub`) ran `dlopen` on the library's candidates, which
/// fail with ENOENT, and did not restore errno before jumping to the
/// function, so the wrapper reported `Errno(2)` for a call that succeeded.
#[test]
fn errno_survives_lazy_resolution() {
    if !rerun::is_child() {
        let out = rerun::run_self(
            &["--exact", "errno_survives_lazy_resolution"],
            &[("ALIEN_BIND", "lazy")],
        );
        assert!(
            out.status.success() && rerun::passed(&out) == 1,
            "in lazy mode:\n{}",
            rerun::describe(&out)
        );
        return;
    }
    assert_eq!(alien::bind_mode(), alien::BindMode::Lazy);
    let s = c"77";
    let (v, end, e) = strtol_fallback(s, 10);
    assert_eq!((v, end as usize - s.as_ptr() as usize), (77, 2));
    assert_eq!(e, Errno(0), "strtol succeeded, yet the wrapper reports {e}");
}

// ---------------------------------------------------------------------------
// 2. A function's `module_path` is its companion module.

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static fixture_counter: c_int;
}

/// `LinkageInfo::module_path` is documented as "the module it was declared
/// in". For variables it is (`regressions`); for functions it is the
/// generated companion module (`regressions::add2`), because
/// `codegen/src/decl/functions.rs` (`emit_function`) expanded
/// `::core::module_path!()` inside `mod #name { ... }`.
#[test]
fn module_path_is_the_declaring_module() {
    assert_eq!(fixture_counter.decl().module_path(), "regressions");
    assert_eq!(add2::info().module_path, "regressions");
}

// ---------------------------------------------------------------------------
// 3. Unknown values of 64-bit unsigned enums are reported reinterpreted.

define_c_enum! {
    #[repr(u64)]
    pub enum Wide { One = 1 }
}

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn echo_wide(v: u64) -> Wide = "echo_u64";
}

/// "Nothing is ever truncated or reinterpreted silently" (runtime/src/marshal).
/// `MarshalError::UnknownEnumValue { value: i64 }` was filled with `c as i64`
/// (`codegen/src/decl/enums.rs`, the `FromC` impl), so a `u64` value above
/// `i64::MAX` was reported as a negative number: C returned
/// 18446744073709551615, the error said -1.
#[test]
fn unknown_u64_enum_value_is_reported_as_returned() {
    assert_eq!(echo_wide(1), Wide::One);
    let err = echo_wide::try_call(u64::MAX).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("18446744073709551615"), "{text}");
    assert!(!matches!(
        err,
        CallError::Result {
            source: MarshalError::UnknownEnumValue { value: -1, .. },
            ..
        }
    ));
}

// ---------------------------------------------------------------------------
// 4. Interior NUL in a `unicode` argument: the offset is not a byte offset.

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn utf16_len(s: unicode) -> usize;
}

/// `CallError::InteriorNul::position` is documented as "the byte offset of
/// the first NUL" (runtime/src/marshal/error.rs), and the message says "a
/// NUL byte at offset N". For `unicode` arguments `TempUtf16::new`
/// (runtime/src/marshal/strings.rs) reported the UTF-16 unit index instead:
/// in "éé\0" the NUL is at byte 4 of the `&str`, the error said 2.
#[test]
fn unicode_interior_nul_position_is_a_byte_offset() {
    let s = "\u{e9}\u{e9}\0";
    assert_eq!(s.find('\0'), Some(4));
    match utf16_len::try_call(s) {
        Err(CallError::InteriorNul { position, .. }) => assert_eq!(position, 4),
        other => panic!("expected InteriorNul, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 5. A failure hook that panics aborts the process as an "internal error".

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn missing_with_panicking_hook(x: c_int) -> c_int;
}

/// The failure hook is user code ("it may call into alien"). When it panicked
/// during a call through the lazy stub, `resolve_from_stub`
/// (runtime/src/table/resolve.rs) caught the panic and aborted the process
/// with "alien: internal error while resolving ...", although the call came
/// from Rust, where the panic could be carried to the caller exactly like
/// *undefined alien function* (`try_call` did propagate it, since there
/// the hook runs outside the stub). Expected: the hook's panic reaches the
/// Rust caller; the process does not abort.
#[test]
fn a_panicking_hook_panics_at_the_caller() {
    if std::env::var_os("ALIEN_TESTS_PANICKING_HOOK").is_none() {
        let out = rerun::run_self(
            &[
                "--exact",
                "a_panicking_hook_panics_at_the_caller",
                "--nocapture",
            ],
            &[("ALIEN_TESTS_PANICKING_HOOK", "1")],
        );
        assert!(
            out.status.success() && rerun::passed(&out) == 1,
            "{}",
            rerun::describe(&out)
        );
        return;
    }
    alien::set_failure_hook(|u| {
        if u.symbol == "missing_with_panicking_hook" {
            panic!("the hook exploded");
        }
        None
    });
    // try_call: the panic propagates (the hook runs in Rust frames).
    let text = rerun::expect_panic(|| missing_with_panicking_hook::try_call(1));
    assert!(text.contains("the hook exploded"), "{text}");
    // A plain call: through the lazy stub.
    let text = rerun::expect_panic(|| missing_with_panicking_hook(1));
    assert!(text.contains("the hook exploded"), "{text}");
    assert_eq!(add2(1, 2), 3);
}

// ---------------------------------------------------------------------------
// 6. A block's first declaration naming a library of its own.

define_c_function! {
    #![library("alien_no_such_block_library")]
    #[library("m")]
    pub fn fabs_own_library(x: f64) -> f64 = "fabs";
    pub fn labs_block_library(x: c_long) -> c_long = "labs";
}

/// The block's library record is named after the block's first
/// declaration (`__alien_<first>_library`); when that declaration named a
/// library of its own, its record (since the records became one array per
/// block in session 4, emitted beside the block's) must not take the same
/// name, or the block does not compile. Each declaration keeps its library.
#[test]
fn a_first_declaration_with_its_own_library() {
    assert_eq!(fabs_own_library(-2.5), 2.5);
    assert_eq!(labs_block_library(-7), 7);
    assert_eq!(fabs_own_library::info().library, Some("m"));
    assert_eq!(
        labs_block_library::info().library,
        Some("alien_no_such_block_library")
    );
}
