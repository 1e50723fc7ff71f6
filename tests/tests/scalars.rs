//! Every scalar type, in every direction, through the C fixture: edge values
//! of each integer width, special floats (NaN, ±0, infinities, subnormals),
//! `bool`, `isize`/`usize`, pointers, ILU's type keywords, and calls with
//! stack arguments compared with the same formula computed in Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp,
    clippy::too_many_arguments
)]

#[macro_use]
mod rerun;

use alien::define_c_function;
use std::ffi::{c_int, c_long, c_void, CStr};
use std::hint::black_box;

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn echo_i8(v: i8) -> i8;
    pub fn echo_u8(v: u8) -> u8;
    pub fn echo_i16(v: i16) -> i16;
    pub fn echo_u16(v: u16) -> u16;
    pub fn echo_i32(v: i32) -> i32;
    pub fn echo_u32(v: u32) -> u32;
    pub fn echo_i64(v: i64) -> i64;
    pub fn echo_u64(v: u64) -> u64;
    pub fn echo_f32(v: f32) -> f32;
    pub fn echo_f64(v: f64) -> f64;
    pub fn echo_bool(v: bool) -> bool;
    pub fn echo_isize(v: isize) -> isize;
    pub fn echo_usize(v: usize) -> usize;
    pub unsafe fn echo_ptr(v: *mut c_void) -> *mut c_void;
    pub unsafe fn echo_nonnull(v: Option<std::ptr::NonNull<u32>>) -> Option<std::ptr::NonNull<u32>> = "echo_ptr";
    /// A `*const` declared where C has `void *`.
    pub unsafe fn echo_const_ptr(v: *const u8) -> *const u8 = "echo_ptr";

    pub fn out_i8(v: i8, out o: i8);
    pub fn out_u16(v: u16, out o: u16);
    pub fn out_i32(v: i32, out o: i32);
    pub fn out_u64(v: u64, out o: u64);
    pub fn out_f32(v: f32, out o: f32);
    pub fn out_f64(v: f64, out o: f64);
    pub fn out_bool(v: bool, out o: bool);
    pub fn inout_i64_negate(inout io: i64);
    pub fn inout_f64_double(inout io: f64);
    pub fn inout_u8_invert(inout io: u8);
    pub fn multi(a: c_int, b: c_int, out product: c_int, out difference: c_int, inout count: c_int) -> c_int;

    pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
    pub fn sum12(
        a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, f: c_int,
        g: c_int, h: c_int, i: c_int, j: c_int, k: c_int, l: c_int,
    ) -> c_long;
    pub fn sum10d(
        a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, i: f64, j: f64,
    ) -> f64;
}

// The same C functions, declared with ILU's type keywords.
define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn ilu_cardinal(v: cardinal) -> cardinal = "echo_u32";
    pub fn ilu_short_cardinal(v: short_cardinal) -> short_cardinal = "echo_u16";
    pub fn ilu_integer(v: integer) -> integer = "echo_i32";
    pub fn ilu_short_integer(v: short_integer) -> short_integer = "echo_i16";
    pub fn ilu_real(v: real) -> real = "echo_f64";
    pub fn ilu_short_real(v: short_real) -> short_real = "echo_f32";
    pub fn ilu_byte(v: byte) -> byte = "echo_u8";
    pub fn ilu_boolean(v: boolean) -> boolean = "echo_bool";
    pub unsafe fn ilu_pointer(v: pointer) -> pointer = "echo_ptr";
    pub fn ilu_out_short_cardinal(v: short_cardinal, out o: short_cardinal) = "out_u16";
    pub fn ilu_out_real(v: real, out o: real) = "out_f64";
    pub fn ilu_out_boolean(v: boolean, out o: boolean) = "out_bool";
    pub fn ilu_inout_byte(inout io: byte) = "inout_u8_invert";
    pub fn ilu_inout_real(inout io: real) = "inout_f64_double";
    pub fn ilu_string_len(s: string) -> usize = "fixture_strlen";
    pub fn ilu_constant_string_len(s: constant_string) -> usize = "fixture_strlen";
    pub fn ilu_sum_bytes(p: bytes, n: usize = p.len()) -> cardinal = "sum_bytes";
    pub fn ilu_unicode_len(s: unicode) -> usize = "utf16_len";
}

lazy_mode_tests!();

macro_rules! edges {
    ($t:ty) => {
        [
            <$t>::MIN,
            <$t>::MIN + 1,
            <$t>::MIN / 2,
            0 as $t,
            1 as $t,
            <$t>::MAX / 2,
            <$t>::MAX - 1,
            <$t>::MAX,
        ]
    };
}

/// A deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const F32_SPECIALS: [f32; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.5,
    f32::MIN_POSITIVE,
    f32::EPSILON,
    f32::MAX,
    f32::MIN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    1e-45, // the smallest subnormal
    -1e-40,
    1.1754942e-38, // the largest subnormal
];

const F64_SPECIALS: [f64; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.5,
    f64::MIN_POSITIVE,
    f64::EPSILON,
    f64::MAX,
    f64::MIN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324, // the smallest subnormal
    -1e-310,
    0.1,
];

fn same_f32(got: f32, want: f32) {
    if want.is_nan() {
        assert!(got.is_nan(), "{want} came back as {got}");
    } else {
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{want:e} came back as {got:e}"
        );
    }
}

fn same_f64(got: f64, want: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{want} came back as {got}");
    } else {
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{want:e} came back as {got:e}"
        );
    }
}

#[test]
fn integer_edges_round_trip() {
    for v in edges!(i8) {
        assert_eq!(echo_i8(v), v);
        assert_eq!(out_i8(v), v);
    }
    for v in edges!(u8) {
        assert_eq!(echo_u8(v), v);
        assert_eq!(inout_u8_invert(v), !v);
    }
    for v in edges!(i16) {
        assert_eq!(echo_i16(v), v);
    }
    for v in edges!(u16) {
        assert_eq!(echo_u16(v), v);
        assert_eq!(out_u16(v), v);
    }
    for v in edges!(i32) {
        assert_eq!(echo_i32(v), v);
        assert_eq!(out_i32(v), v);
    }
    for v in edges!(u32) {
        assert_eq!(echo_u32(v), v);
    }
    for v in edges!(i64) {
        assert_eq!(echo_i64(v), v);
        assert_eq!(inout_i64_negate(v), v.wrapping_neg());
    }
    for v in edges!(u64) {
        assert_eq!(echo_u64(v), v);
        assert_eq!(out_u64(v), v);
    }
    for v in edges!(isize) {
        assert_eq!(echo_isize(v), v);
    }
    for v in edges!(usize) {
        assert_eq!(echo_usize(v), v);
    }
    // -1 in every width: sign extension must not leak into wider results.
    assert_eq!(echo_i8(-1), -1);
    assert_eq!(echo_i16(-1), -1);
    assert_eq!(echo_u8(0xff), 0xff);
    assert_eq!(echo_u16(0xffff), 0xffff);
    assert_eq!(echo_u32(u32::MAX), u32::MAX);
}

#[test]
fn random_integers_round_trip() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2000 {
        let r = rng.next();
        assert_eq!(echo_u64(r), r);
        assert_eq!(echo_i64(r as i64), r as i64);
        assert_eq!(echo_i32(r as i32), r as i32);
        assert_eq!(echo_u32(r as u32), r as u32);
        assert_eq!(echo_i16(r as i16), r as i16);
        assert_eq!(echo_u16(r as u16), r as u16);
        assert_eq!(echo_i8(r as i8), r as i8);
        assert_eq!(echo_u8(r as u8), r as u8);
    }
}

#[test]
fn floats_round_trip_bit_for_bit() {
    for v in F32_SPECIALS {
        same_f32(echo_f32(v), v);
        same_f32(out_f32(v), v);
    }
    for v in F64_SPECIALS {
        same_f64(echo_f64(v), v);
        same_f64(out_f64(v), v);
        same_f64(inout_f64_double(v), v * 2.0);
    }
    // The special values, checked by what they are.
    assert!(echo_f32(f32::NAN).is_nan());
    assert!(echo_f64(f64::NAN).is_nan());
    assert!(echo_f64(-0.0).is_sign_negative());
    assert!(echo_f64(0.0).is_sign_positive());
    assert!(echo_f32(-0.0).is_sign_negative());
    assert!(out_f64(-0.0).is_sign_negative());
    assert!(inout_f64_double(-0.0).is_sign_negative());
    assert_eq!(echo_f64(f64::INFINITY), f64::INFINITY);
    assert_eq!(echo_f32(f32::NEG_INFINITY), f32::NEG_INFINITY);
    let sub = f32::from_bits(1);
    assert!(sub.is_subnormal());
    assert_eq!(echo_f32(sub).to_bits(), 1);
    assert_eq!(out_f32(f32::from_bits(0x007f_ffff)).to_bits(), 0x007f_ffff);
    assert_eq!(echo_f64(f64::from_bits(1)).to_bits(), 1);
    assert_eq!(inout_f64_double(f64::MAX), f64::INFINITY);
    // A NaN's payload survives the trip (no arithmetic touches it).
    let payload = f64::from_bits(0x7ff8_0000_dead_beef);
    assert_eq!(echo_f64(payload).to_bits(), payload.to_bits());
    let payload32 = f32::from_bits(0x7fc0_1234);
    assert_eq!(echo_f32(payload32).to_bits(), payload32.to_bits());
    // Signaling NaNs too: nothing converts them on the way.
    let snan = f64::from_bits(0x7ff0_0000_0000_0001);
    assert_eq!(echo_f64(snan).to_bits(), snan.to_bits());
    assert_eq!(out_f64(snan).to_bits(), snan.to_bits());
    let snan32 = f32::from_bits(0xff80_0001);
    assert_eq!(echo_f32(snan32).to_bits(), snan32.to_bits());
    assert_eq!(out_f32(snan32).to_bits(), snan32.to_bits());
}

#[test]
fn random_float_bits_round_trip() {
    let mut rng = Rng(12345);
    for _ in 0..2000 {
        let r = rng.next();
        same_f64(echo_f64(f64::from_bits(r)), f64::from_bits(r));
        same_f32(echo_f32(f32::from_bits(r as u32)), f32::from_bits(r as u32));
    }
}

#[test]
fn bools_and_pointers() {
    assert!(echo_bool(true));
    assert!(!echo_bool(false));
    assert!(out_bool(true));
    assert!(!out_bool(false));

    let mut x = 5u64;
    let p = std::ptr::from_mut(&mut x).cast::<c_void>();
    unsafe {
        assert_eq!(echo_ptr(p), p);
        assert!(echo_ptr(std::ptr::null_mut()).is_null());
        let high = usize::MAX as *mut c_void;
        assert_eq!(echo_ptr(high), high);
        let bytes = b"abc";
        assert_eq!(echo_const_ptr(bytes.as_ptr()), bytes.as_ptr());
        *echo_ptr(p).cast::<u64>() = 6;
        assert_eq!(echo_nonnull(None), None);
        let mut y = 9u32;
        let nn = std::ptr::NonNull::from(&mut y);
        assert_eq!(echo_nonnull(Some(nn)), Some(nn));
    }
    assert_eq!(x, 6);
}

#[test]
fn several_outs_and_an_inout() {
    assert_eq!(multi(6, 4, 10), (10, 24, 2, 11));
    assert_eq!(multi(-7, 3, -1), (-4, -21, -10, 0));
    assert_eq!(multi(0, 0, c_int::MAX - 1), (0, 0, 0, c_int::MAX));
    assert_eq!(multi::try_call(1, 2, 3), Ok((3, 2, -1, 4)));
}

fn mix8_rust(a: i32, b: f64, c: i32, d: f64, e: i32, f: f64, g: i32, h: f64) -> f64 {
    // C: a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8, left to right.
    f64::from(a)
        + b * 2.0
        + f64::from(c * 3)
        + d * 4.0
        + f64::from(e * 5)
        + f * 6.0
        + f64::from(g * 7)
        + h * 8.0
}

fn sum12_rust(v: [i32; 12]) -> i64 {
    v.iter()
        .enumerate()
        .map(|(i, &x)| (i as i64 + 1) * i64::from(x))
        .sum()
}

fn sum10d_rust(v: [f64; 10]) -> f64 {
    let mut s = v[0];
    for (i, &x) in v.iter().enumerate().skip(1) {
        s += (i as f64 + 1.0) * x;
    }
    s
}

#[test]
fn register_and_stack_arguments() {
    type Mix8 = (i32, f64, i32, f64, i32, f64, i32, f64);
    let cases: [Mix8; 4] = [
        (1, 2.0, 3, 4.0, 5, 6.0, 7, 8.0),
        (-1, 0.1, 100, -1e300, 7, 1e-300, -9, 3.25),
        (i32::MAX, -0.0, 0, f64::MIN_POSITIVE, 0, 0.3, 1, 1e16),
        (
            123_456,
            1.0 / 3.0,
            -654_321,
            2.0f64.sqrt(),
            42,
            -0.7,
            99,
            1e-9,
        ),
    ];
    for (a, b, c, d, e, f, g, h) in cases {
        let want = mix8_rust(a, b, c, d, e, f, g, h);
        let got = mix8(black_box(a), black_box(b), c, d, e, f, g, h);
        assert_eq!(got.to_bits(), want.to_bits(), "mix8({a}, {b}, ...)");
    }

    let ints: [[i32; 12]; 3] = [
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        [
            i32::MIN,
            i32::MAX,
            -1,
            0,
            1,
            i32::MIN,
            i32::MAX,
            -7,
            8,
            -9,
            i32::MAX,
            i32::MIN,
        ],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ];
    for v in ints {
        let got = sum12(
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
        );
        assert_eq!(got, sum12_rust(v), "sum12{v:?}");
    }

    let doubles: [[f64; 10]; 3] = [
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        [
            0.1,
            -0.2,
            0.3,
            1e10,
            -1e-10,
            7.5,
            1.0 / 3.0,
            -2.5,
            1e300,
            -1e300,
        ],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5],
    ];
    for v in doubles {
        let got = sum10d(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        assert_eq!(got.to_bits(), sum10d_rust(v).to_bits(), "sum10d{v:?}");
    }
}

#[test]
fn ilu_keywords() {
    assert_eq!(ilu_cardinal(u32::MAX), u32::MAX);
    assert_eq!(ilu_short_cardinal(u16::MAX), u16::MAX);
    assert_eq!(ilu_integer(i32::MIN), i32::MIN);
    assert_eq!(ilu_short_integer(i16::MIN), i16::MIN);
    assert_eq!(ilu_real(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(ilu_short_real(1.5), 1.5);
    assert_eq!(ilu_byte(0xab), 0xab);
    assert!(ilu_boolean(true));
    assert!(!ilu_boolean(false));
    let mut x = 1u8;
    let p = std::ptr::from_mut(&mut x).cast::<c_void>();
    assert_eq!(unsafe { ilu_pointer(p) }, p);
    assert_eq!(ilu_out_short_cardinal(65_000), 65_000);
    assert_eq!(ilu_out_real(2.5), 2.5);
    assert!(ilu_out_boolean(true));
    assert_eq!(ilu_inout_byte(0x0f), 0xf0);
    assert_eq!(ilu_inout_real(-4.25), -8.5);
    assert_eq!(ilu_string_len("hello, world"), 12);
    assert_eq!(ilu_string_len(""), 0);
    assert_eq!(ilu_constant_string_len(c"four"), 4);
    assert_eq!(ilu_sum_bytes(&[1, 2, 3, 250]), 256);
    assert_eq!(ilu_sum_bytes(&[9, 9, 9][..2]), 18);
    assert_eq!(ilu_unicode_len("h\u{e9}llo \u{1d11e}"), 8); // the clef is a surrogate pair
    assert!(ilu_string_len::try_call("a\0").is_err());
    assert!(ilu_unicode_len::try_call("ab\0").is_err());
    let _: &CStr = c"typed";
}
