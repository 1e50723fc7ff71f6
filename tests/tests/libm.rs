//! The system's libm, found by name (`"m"`): `out` parameters (frexp, modf,
//! lgamma_r, sincos, remquo), results compared with Rust's std (which calls
//! the same libm) bit for bit where the result is exact, and `errno`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

#[macro_use]
mod rerun;

use alien::{define_c_function, Errno};
use std::ffi::c_int;
use std::hint::black_box;

define_c_function! {
    #![library("m")]
    /// Splits `x` into a fraction in [0.5, 1) and a power of two.
    pub fn frexp(x: f64, out exp: c_int) -> f64;
    pub fn modf(x: f64, out int_part: f64) -> f64;
    pub fn lgamma_r(x: f64, out sign: c_int) -> f64;
    pub fn sincos(x: f64, out sin: f64, out cos: f64);
    pub fn pow(x: f64, y: f64) -> f64;
    pub fn ldexp(x: f64, exp: c_int) -> f64;
    pub fn fma(x: f64, y: f64, z: f64) -> f64;
    pub fn nextafter(x: f64, y: f64) -> f64;
    pub fn remquo(x: f64, y: f64, out quo: c_int) -> f64;
    pub fn sinf(x: f32) -> f32;
    pub fn powf(x: f32, y: f32) -> f32;
    pub fn ilogb(x: f64) -> c_int;
    #[alien(errno)]
    pub fn log(x: f64) -> f64;
    #[alien(errno)]
    pub fn sqrt(x: f64) -> f64;
}

lazy_mode_tests!();

const EDOM: i32 = 33;
const ERANGE: i32 = 34;

/// frexp computed from the bits.
fn frexp_rust(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first (exact).
        let (m, e) = frexp_rust(x * f64::from_bits((1023 + 64) << 52));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, biased - 1022)
}

/// 2^n as an exact double, for n in the normal range.
fn two_to(n: i32) -> f64 {
    assert!((-1022..=1023).contains(&n));
    f64::from_bits(((n + 1023) as u64) << 52)
}

const SAMPLES: [f64; 12] = [
    8.0, 1.0, 0.75, -3.5, 1e300, -1e-300, 123.456, 5e-324, 0.1, 2.5e-310, 1.0e15, -7.0,
];

#[test]
fn frexp_splits_exactly() {
    assert_eq!(frexp(8.0), (0.5, 4));
    assert_eq!(frexp(1.0), (0.5, 1));
    assert_eq!(frexp(-3.0), (-0.75, 2));
    for x in SAMPLES {
        let (m, e) = frexp(black_box(x));
        let (wm, we) = frexp_rust(x);
        assert_eq!((m.to_bits(), e), (wm.to_bits(), we), "frexp({x:e})");
        assert!((0.5..1.0).contains(&m.abs()), "frexp({x:e}) = {m}");
    }
    assert_eq!(frexp(5e-324), (0.5, -1073));
    let (m, e) = frexp(-0.0);
    assert!(m == 0.0 && m.is_sign_negative() && e == 0);
    assert_eq!(frexp(f64::INFINITY).0, f64::INFINITY);
    assert!(frexp(f64::NAN).0.is_nan());
}

#[test]
fn modf_parts_have_the_sign_of_x() {
    for x in SAMPLES
        .into_iter()
        .chain([-2.0, -0.5, 0.0, -0.0, 4503599627370497.0])
    {
        let (frac, int) = modf(black_box(x));
        let want_int = x.trunc();
        let want_frac = (x - want_int).copysign(x);
        assert_eq!(
            int.to_bits(),
            want_int.to_bits(),
            "modf({x:e}) integral part"
        );
        assert_eq!(frac.to_bits(), want_frac.to_bits(), "modf({x:e}) fraction");
    }
    let (frac, int) = modf(f64::NEG_INFINITY);
    assert_eq!(int, f64::NEG_INFINITY);
    assert!(frac == 0.0 && frac.is_sign_negative());
    let (frac, int) = modf(f64::NAN);
    assert!(frac.is_nan() && int.is_nan());
}

#[test]
fn lgamma_r_reports_the_sign() {
    let close =
        |got: f64, want: f64| (got - want).abs() <= 4.0 * f64::EPSILON * want.abs().max(1.0);
    assert_eq!(lgamma_r(1.0), (0.0, 1));
    assert_eq!(lgamma_r(2.0), (0.0, 1));
    let (v, s) = lgamma_r(3.0);
    assert!(close(v, 2f64.ln()) && s == 1, "lgamma(3) = {v}, {s}");
    let (v, s) = lgamma_r(10.0);
    assert!(close(v, 362_880f64.ln()) && s == 1, "lgamma(10) = {v}, {s}");
    let sqrt_pi_ln = 0.5 * std::f64::consts::PI.ln();
    let (v, s) = lgamma_r(0.5);
    assert!(close(v, sqrt_pi_ln) && s == 1, "lgamma(0.5) = {v}, {s}");
    // Γ(-0.5) = -2√π: negative.
    let (v, s) = lgamma_r(-0.5);
    assert!(
        close(v, 2f64.ln() + sqrt_pi_ln) && s == -1,
        "lgamma(-0.5) = {v}, {s}"
    );
    // Γ(-1.5) = 4√π/3: positive.
    let (v, s) = lgamma_r(-1.5);
    assert!(
        close(v, (4.0f64 / 3.0).ln() + sqrt_pi_ln) && s == 1,
        "lgamma(-1.5) = {v}, {s}"
    );
    // Γ(-2.5) = -8√π/15: negative.
    assert_eq!(lgamma_r(-2.5).1, -1);
}

#[test]
fn sincos_matches_sin_and_cos() {
    for x in SAMPLES
        .into_iter()
        .chain([0.0, -0.0, 0.5, std::f64::consts::PI, 1e6, -33.3])
    {
        let x = black_box(x);
        let (s, c) = sincos(x);
        assert_eq!(s.to_bits(), x.sin().to_bits(), "sin({x:e})");
        assert_eq!(c.to_bits(), x.cos().to_bits(), "cos({x:e})");
    }
    let (s, c) = sincos(f64::INFINITY);
    assert!(s.is_nan() && c.is_nan());
}

#[test]
fn pow_ldexp_fma_nextafter_match_std() {
    let pairs = [
        (2.0, 10.0),
        (2.0, -1074.0),
        (10.0, 308.5),
        (-8.0, 1.0 / 3.0),
        (-2.0, 3.0),
        (0.5, 0.5),
        (1.0000001, 1e9),
        (0.0, -1.0),
        (f64::NAN, 0.0),
        (1.0, f64::NAN),
    ];
    for (x, y) in pairs {
        let (x, y) = (black_box(x), black_box(y));
        let got = pow(x, y);
        let want = x.powf(y);
        if want.is_nan() {
            assert!(got.is_nan(), "pow({x}, {y}) = {got}");
        } else {
            assert_eq!(got.to_bits(), want.to_bits(), "pow({x}, {y})");
        }
    }
    assert_eq!(pow(2.0, 10.0), 1024.0);
    assert_eq!(pow(0.0, -1.0), f64::INFINITY);
    assert_eq!(pow(f64::NAN, 0.0), 1.0);

    for n in [-1022, -100, -1, 0, 1, 52, 1023] {
        assert_eq!(ldexp(1.0, n), two_to(n), "ldexp(1, {n})");
        assert_eq!(ldexp(-3.0, n), -3.0 * two_to(n), "ldexp(-3, {n})");
    }
    assert_eq!(ldexp(1.0, -1074).to_bits(), 1);
    assert_eq!(ldexp(1.0, 1024), f64::INFINITY);
    assert_eq!(ldexp(1.0, c_int::MIN), 0.0);
    assert_eq!(ldexp(f64::MAX, c_int::MAX), f64::INFINITY);

    for (x, y, z) in [(0.1, 10.0, -1.0), (1e308, 10.0, -1e308), (2.0, 3.0, 4.0)] {
        let got = fma(black_box(x), y, z);
        assert_eq!(
            got.to_bits(),
            x.mul_add(y, z).to_bits(),
            "fma({x}, {y}, {z})"
        );
    }
    assert_eq!(nextafter(1.0, 2.0).to_bits(), 1.0f64.to_bits() + 1);
    assert_eq!(nextafter(0.0, 1.0).to_bits(), 1);
    assert_eq!(nextafter(0.0, -1.0).to_bits(), (-5e-324f64).to_bits());
    assert_eq!(ilogb(1024.0), 10);
    assert_eq!(ilogb(5e-324), -1074);
}

#[test]
fn float_functions() {
    for x in [0.0f32, 0.5, -1.25, 100.0, 1e-40] {
        let x = black_box(x);
        assert_eq!(sinf(x).to_bits(), x.sin().to_bits(), "sinf({x})");
    }
    assert_eq!(powf(2.0, 0.5).to_bits(), 2f32.powf(0.5).to_bits());
    assert_eq!(powf(3.0, 4.0), 81.0);
}

#[test]
fn remquo_gives_the_quotient_bits() {
    assert_eq!(remquo(10.0, 3.0), (1.0, 3));
    // 11/3 rounds to 4: remainder -1.
    assert_eq!(remquo(11.0, 3.0), (-1.0, 4));
    let (r, q) = remquo(-11.0, 3.0);
    assert_eq!(r, 1.0);
    assert_eq!(q & 7, -4 & 7);
    assert!(q < 0);
}

#[test]
fn math_errno() {
    let (v, e) = log(0.0);
    assert_eq!(v, f64::NEG_INFINITY);
    assert_eq!(e, Errno(ERANGE));
    let (v, e) = log(-1.0);
    assert!(v.is_nan());
    assert_eq!(e, Errno(EDOM));
    let (v, e) = sqrt(-4.0);
    assert!(v.is_nan());
    assert_eq!(e, Errno(EDOM));
    let (v, e) = log(1.0);
    assert_eq!(v, 0.0);
    assert_eq!(e, Errno(0));
    assert!(!e.is_set());
    assert_eq!(sqrt(16.0), (4.0, Errno(0)));
}
