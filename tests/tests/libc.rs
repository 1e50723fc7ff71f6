//! The C library, found by name (`"c"`): strings in and out, a variadic
//! function (snprintf) with register and stack arguments, environment
//! functions, `out` pointers, interior-NUL errors, and `errno`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

#[macro_use]
mod rerun;

use alien::{define_c_function, CallError, Errno};
use std::ffi::{c_char, c_int, c_long, c_void, CStr};

define_c_function! {
    #![library("c")]
    pub fn strlen(s: &CStr) -> usize;
    pub fn strlen_str(s: &str) -> usize = "strlen";
    pub unsafe fn snprintf(buf: *mut c_char, n: usize, fmt: &CStr, ...) -> c_int;
    pub fn getenv(name: &str) -> Option<&CStr>;
    pub fn setenv(name: &str, value: &str, overwrite: c_int) -> c_int;
    pub fn strtol(s: &CStr, out end: *mut c_char, base: c_int) -> c_long;
    pub fn strcmp(a: &str, b: &str) -> c_int;
    pub fn abs(x: c_int) -> c_int;
    #[alien(errno)]
    pub fn strtol_errno(s: &CStr, out end: *mut c_char, base: c_int) -> c_long = "strtol";
    #[alien(errno)]
    pub fn open(path: &CStr, flags: c_int) -> c_int;
    #[alien(errno)]
    pub unsafe fn open_variadic(path: &CStr, flags: c_int, ...) -> c_int = "open";
    #[alien(errno)]
    pub fn close(fd: c_int) -> c_int;
}

lazy_mode_tests!();

const ENOENT: i32 = 2;
const EBADF: i32 = 9;
const ERANGE: i32 = 34;
const O_RDONLY: c_int = 0;

/// snprintf into a buffer, returning (return value, text).
macro_rules! format_c {
    ($cap:expr, $fmt:expr, $args:expr) => {{
        let mut buf = vec![0 as c_char; $cap];
        let n = unsafe { snprintf(buf.as_mut_ptr(), buf.len(), $fmt, $args) };
        let text = unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_str()
            .unwrap()
            .to_owned();
        (n, text)
    }};
}

#[test]
fn strlen_of_strings() {
    assert_eq!(strlen(c""), 0);
    assert_eq!(strlen(c"hello"), 5);
    assert_eq!(strlen_str("hello, world"), 12);
    let long = "x".repeat(100_000);
    assert_eq!(strlen_str(&long), 100_000);
    assert_eq!(strlen_str("h\u{e9}"), 3); // bytes, not characters
    assert_eq!(strcmp("abc", "abc"), 0);
    assert!(strcmp("abc", "abd") < 0);
    assert!(strcmp("b", "a") > 0);
    assert_eq!(abs(c_int::MIN + 1), c_int::MAX);
}

#[test]
fn snprintf_formats_every_kind_of_argument() {
    let (n, s) = format_c!(
        128,
        c"%d|%ld|%u|%s|%.3f|%c|%x",
        (
            -42i32,
            i64::MIN,
            u32::MAX,
            c"str",
            2.71f64,
            i32::from(b'Z'),
            255u32
        )
    );
    let want = format!("-42|{}|{}|str|2.710|Z|ff", i64::MIN, u32::MAX);
    assert_eq!(s, want);
    assert_eq!(n as usize, want.len());

    // Promotions: f32 -> double, i8/i16 -> int, u8/u16 -> unsigned, bool -> int.
    let (_, s) = format_c!(
        128,
        c"%.2f %d %d %u %u %d %d",
        (1.5f32, -5i8, -300i16, 200u8, 65_535u16, true, false)
    );
    assert_eq!(s, "1.50 -5 -300 200 65535 1 0");

    // Twelve ints: with the three fixed arguments, nine go on the stack.
    let (_, s) = format_c!(
        256,
        c"%d %d %d %d %d %d %d %d %d %d %d %d",
        (
            1i32,
            -2i32,
            3i32,
            -4i32,
            5i32,
            -6i32,
            7i32,
            -8i32,
            9i32,
            -10i32,
            11i32,
            i32::MIN
        )
    );
    assert_eq!(s, format!("1 -2 3 -4 5 -6 7 -8 9 -10 11 {}", i32::MIN));

    // Nine doubles: one more than the vector registers hold.
    let (_, s) = format_c!(
        256,
        c"%g %g %g %g %g %g %g %g %g %d %d %d",
        (
            0.5f64, 1.5f64, -2.5f64, 1e10f64, 1e-10f64, 6.0f64, 7.25f64, -8.0f64, 9.5f64, 10i32,
            11i32, 12i32
        )
    );
    assert_eq!(s, "0.5 1.5 -2.5 1e+10 1e-10 6 7.25 -8 9.5 10 11 12");

    // Doubles and 64-bit integers interleaved.
    let (_, s) = format_c!(
        256,
        c"%.1f %lld %.1f %llu %.1f %s",
        (0.25f64, i64::MAX, -1.75f64, u64::MAX, 1e3f64, c"end")
    );
    assert_eq!(s, format!("0.2 {} -1.8 {} 1000.0 end", i64::MAX, u64::MAX));

    // NULL string and pointers.
    let (_, s) = format_c!(64, c"[%s]", (None::<&CStr>,));
    assert_eq!(s, "[(null)]");
    let p = 0x1234_5678usize as *const c_void;
    let (_, s) = format_c!(64, c"%p", (p,));
    assert_eq!(s, "0x12345678");
    let (_, s) = format_c!(64, c"%.*s", (3i32, c"abcdef"));
    assert_eq!(s, "abc");
    let (_, s) = format_c!(16, c"no arguments", ());
    assert_eq!(s, "no arguments");
}

#[test]
fn snprintf_truncates_and_measures() {
    let (n, s) = format_c!(5, c"%s-%d", (c"abcdef", 12345i32));
    assert_eq!(n, 12);
    assert_eq!(s, "abcd");
    // A NULL buffer with size 0 only measures.
    let n = unsafe {
        snprintf(
            std::ptr::null_mut(),
            0,
            c"%d %s %f",
            (i32::MIN, c"xyz", 1.0f64),
        )
    };
    assert_eq!(n as usize, format!("{} xyz 1.000000", i32::MIN).len());
}

#[test]
fn environment() {
    const NAME: &str = "ALIEN_TESTS_LIBC_VARIABLE";
    assert_eq!(getenv("ALIEN_TESTS_SURELY_NOT_SET_ANYWHERE"), None);
    // Created from Rust (under std's environment lock) so that C's setenv
    // below only replaces an existing entry.
    std::env::set_var(NAME, "from rust");
    assert_eq!(getenv(NAME).unwrap().to_str().unwrap(), "from rust");
    assert_eq!(setenv(NAME, "from C", 1), 0);
    assert_eq!(getenv(NAME).unwrap().to_bytes(), b"from C");
    assert_eq!(std::env::var(NAME).unwrap(), "from C");
    assert_eq!(setenv(NAME, "ignored", 0), 0);
    assert_eq!(getenv(NAME).unwrap().to_bytes(), b"from C");

    // Interior NULs are caught before C sees anything.
    let err = setenv::try_call(NAME, "a\0b", 1).unwrap_err();
    assert_eq!(
        err,
        CallError::InteriorNul {
            function: "setenv",
            param: "value",
            index: 1,
            position: 1
        }
    );
    assert_eq!(getenv(NAME).unwrap().to_bytes(), b"from C");
    assert!(matches!(
        getenv::try_call("A\0B"),
        Err(CallError::InteriorNul {
            param: "name",
            index: 0,
            position: 1,
            ..
        })
    ));
}

fn offset(start: &CStr, end: *mut c_char) -> usize {
    end as usize - start.as_ptr() as usize
}

#[test]
fn strtol_reports_where_it_stopped() {
    let s = c"  123abc";
    let (v, end) = strtol(s, 10);
    assert_eq!((v, offset(s, end)), (123, 5));
    let s = c"0x1F!";
    let (v, end) = strtol(s, 16);
    assert_eq!((v, offset(s, end)), (31, 4));
    let s = c"zzz";
    let (v, end) = strtol(s, 10);
    assert_eq!((v, offset(s, end)), (0, 0));
    let s = c"-9223372036854775808";
    let (v, end) = strtol(s, 10);
    assert_eq!((v, offset(s, end)), (c_long::MIN, 20));
    let s = c"777";
    assert_eq!(strtol(s, 8).0, 0o777);
    assert_eq!(unsafe { *strtol(c"12;", 10).1 } as u8, b';');
}

#[test]
fn interior_nul_panics_or_errs() {
    let text = rerun::expect_panic(|| strlen_str("ab\0cd"));
    assert!(text.contains("strlen_str"), "{text}");
    assert!(text.contains("`s`"), "{text}");
    assert!(text.contains("offset 2"), "{text}");
    assert_eq!(
        strlen_str::try_call("ab\0cd"),
        Err(CallError::InteriorNul {
            function: "strlen_str",
            param: "s",
            index: 0,
            position: 2
        })
    );
    let text = rerun::expect_panic(|| strcmp("fine", "\0bad"));
    assert!(
        text.contains("strcmp") && text.contains("`b`") && text.contains("argument 1"),
        "{text}"
    );
    assert_eq!(strlen_str::try_call("no nul"), Ok(6));
    // The process is fine afterwards.
    assert_eq!(strlen_str("ok"), 2);
}

#[test]
fn errno_after_failures() {
    let (fd, e) = open(c"/nonexistent/alien/test/file", O_RDONLY);
    assert_eq!((fd, e), (-1, Errno(ENOENT)));
    assert_eq!(e.to_io_error().kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains("errno 2"), "{e}");

    let (fd, e) = unsafe { open_variadic(c"/nonexistent/alien/other", O_RDONLY, ()) };
    assert_eq!((fd, e), (-1, Errno(ENOENT)));

    let s = c"99999999999999999999";
    let (v, end, e) = strtol_errno(s, 10);
    assert_eq!((v, offset(s, end), e), (c_long::MAX, 20, Errno(ERANGE)));
    let s = c"-99999999999999999999x";
    let (v, end, e) = strtol_errno(s, 10);
    assert_eq!((v, offset(s, end), e), (c_long::MIN, 21, Errno(ERANGE)));
}

#[test]
fn errno_is_zero_after_success() {
    let (fd, e) = open(c"/dev/null", O_RDONLY);
    assert!(fd >= 0, "open(/dev/null) = {fd}, {e}");
    assert_eq!(e, Errno(0));
    assert_eq!(close(fd), (0, Errno(0)));
    // Closing an fd that cannot be open fails. (Not `fd` again: another
    // thread of this process may have been given that number meanwhile.)
    assert_eq!(close(-1), (-1, Errno(EBADF)));
    // errno is cleared before each call: a success after a failure is 0.
    let s = c"42";
    let (v, end, e) = strtol_errno(s, 10);
    assert_eq!((v, offset(s, end), e), (42, 2, Errno(0)));
    assert_eq!(strtol_errno(c"1", 10).2, Errno(0));
}
