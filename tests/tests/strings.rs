//! Strings and bytes through the fixture: `&str` (copied), `&CStr` (not
//! copied), `Option<&CStr>` (NULL), UTF-16 `unicode`, returned strings
//! (NULL where a string was promised is an error), `&[u8]` and `&mut [u8]`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

#[macro_use]
mod rerun;

use alien::{define_c_function, CallError};
use std::ffi::{c_int, c_long, c_uint, CStr};

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn fixture_strlen(s: &str) -> usize;
    pub fn fixture_strlen_cstr(s: &CStr) -> usize = "fixture_strlen";
    pub fn tst_opt_strlen(s: Option<&CStr>) -> c_long;
    pub fn fixture_greeting() -> &CStr;
    pub fn fixture_greeting_opt() -> Option<&CStr> = "fixture_greeting";
    pub fn fixture_null_string() -> &CStr;
    pub fn fixture_null_string_opt() -> Option<&CStr> = "fixture_null_string";
    pub fn utf16_len(s: unicode) -> usize;
    /// The length is the slice's, passed by the wrapper.
    pub fn sum_bytes(p: &[u8], n: usize = p.len()) -> c_uint;
    pub fn fill_bytes(p: &mut [u8], n: usize = p.len(), v: u8);
    /// Untied: C trusts `n`, so the declaration is `unsafe`.
    pub unsafe fn sum_bytes_unchecked(p: &[u8], n: usize) -> c_uint = "sum_bytes";
    /// A length type narrower than the slice's length can be.
    pub fn sum_bytes_u8_len(p: &[u8], n: u8 = p.len()) -> c_uint = "sum_bytes";
    pub fn multi_str(a: &str, b: c_int, c: &str) -> usize = "fixture_strlen";
}

lazy_mode_tests!();

#[test]
fn strings_in() {
    assert_eq!(fixture_strlen(""), 0);
    assert_eq!(fixture_strlen("hello"), 5);
    assert_eq!(fixture_strlen("\u{1f600} grin"), 9);
    let big = "y".repeat(1 << 20);
    assert_eq!(fixture_strlen(&big), 1 << 20);
    // A slice of a longer string: the copy ends where the slice does.
    let text = "abcdefgh";
    assert_eq!(fixture_strlen(&text[2..5]), 3);
    assert_eq!(fixture_strlen_cstr(c"cstr"), 4);
    assert_eq!(tst_opt_strlen(Some(c"some")), 4);
    assert_eq!(tst_opt_strlen(None), -1);
    assert_eq!(multi_str("first", 0, "second"), 5);
}

#[test]
fn interior_nul_in_strings() {
    assert_eq!(
        fixture_strlen::try_call("abc\0"),
        Err(CallError::InteriorNul {
            function: "fixture_strlen",
            param: "s",
            index: 0,
            position: 3
        })
    );
    // The third C argument.
    match multi_str::try_call("ok", 1, "x\0y") {
        Err(CallError::InteriorNul {
            param,
            index,
            position,
            ..
        }) => {
            assert_eq!((param, index, position), ("c", 2, 1));
        }
        other => panic!("expected InteriorNul, got {other:?}"),
    }
    let text = rerun::expect_panic(|| fixture_strlen("\0"));
    assert!(
        text.contains("fixture_strlen") && text.contains("`s`"),
        "{text}"
    );
}

#[test]
fn strings_out() {
    assert_eq!(fixture_greeting(), c"hello from C");
    assert_eq!(fixture_greeting_opt(), Some(c"hello from C"));
    assert_eq!(fixture_null_string_opt(), None);
    assert_eq!(
        fixture_null_string::try_call(),
        Err(CallError::NullString {
            function: "fixture_null_string"
        })
    );
    let text = rerun::expect_panic(fixture_null_string);
    assert!(
        text.contains("fixture_null_string") && text.contains("NULL"),
        "{text}"
    );
}

#[test]
fn utf16() {
    assert_eq!(utf16_len(""), 0);
    assert_eq!(utf16_len("abc"), 3);
    assert_eq!(utf16_len("\u{e9}t\u{e9}"), 3);
    assert_eq!(utf16_len("\u{1f600}"), 2);
    assert!(matches!(
        utf16_len::try_call("ab\0"),
        Err(CallError::InteriorNul {
            function: "utf16_len",
            param: "s",
            index: 0,
            ..
        })
    ));
}

#[test]
fn bytes_in_and_out() {
    assert_eq!(sum_bytes(&[]), 0);
    let data: Vec<u8> = (0..=255).collect();
    assert_eq!(sum_bytes(&data), (0..=255u32).sum::<u32>());
    assert_eq!(sum_bytes(&data[250..]), 250 + 251 + 252 + 253 + 254 + 255);
    let mut buf = [0u8; 64];
    fill_bytes(&mut buf[..60], 0xa5);
    assert!(buf[..60].iter().all(|&b| b == 0xa5));
    assert!(buf[60..].iter().all(|&b| b == 0));
    fill_bytes(&mut buf[10..20], 1);
    assert_eq!(sum_bytes(&buf), 50 * 0xa5 + 10);
    // SAFETY: `n` is at most the slice's length.
    assert_eq!(unsafe { sum_bytes_unchecked(&data, 3) }, 3);
}

#[test]
fn a_tied_length_that_does_not_fit_its_c_type_is_an_error() {
    let data = [1u8; 300];
    assert_eq!(sum_bytes_u8_len(&data[..255]), 255);
    let e = sum_bytes_u8_len::try_call(&data).unwrap_err();
    assert!(
        matches!(e, CallError::LengthOverflow { len: 300, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("`n` of sum_bytes_u8_len"), "{e}");
    let r = std::panic::catch_unwind(|| sum_bytes_u8_len(&data));
    assert!(r.is_err());
}
