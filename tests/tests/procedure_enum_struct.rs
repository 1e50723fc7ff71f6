//! `foreign_procedure!` (a callable made in an expression), `define_c_enum!`
//! enums in, out and back (an unknown value is an error, never UB), and
//! `#[derive(CStruct)]` structs by value in every register class, through
//! pointers, and as `out` values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

#[macro_use]
mod rerun;

use alien::{define_c_enum, define_c_function, foreign_procedure, CallError, MarshalError};
use std::ffi::{c_char, c_int, CStr};

define_c_enum! {
    /// The fixture's colors.
    #[repr(c_int)]
    pub enum Color { Red = 1, Green = 2, Blue = 4 }
}

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Point {
    pub x: c_int,
    pub y: c_int,
}

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Mixed {
    pub i: i32,
    pub d: f64,
}

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct F3 {
    pub a: f32,
    pub b: f32,
    pub c: f32,
}

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct B3 {
    pub a: u8,
    pub b: u8,
    pub c: u8,
}

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn next_color(c: Color) -> Color;
    pub fn color_value(c: Color) -> c_int;
    pub fn bad_color() -> Color;
    pub fn tst_color_out(v: c_int, out c: Color);
    pub fn tst_color_advance(inout c: Color);
    pub fn point_add(a: Point, b: Point) -> Point;
    pub fn rect_scale(r: Rect, k: f64) -> Rect;
    pub unsafe fn rect_area(r: *const Rect) -> f64;
    pub fn point_out(x: c_int, y: c_int, out p: Point);
    pub fn tst_mixed_make(i: i32, d: f64) -> Mixed;
    pub fn tst_f3_rotate(v: F3) -> F3;
    pub fn tst_b3_add(x: B3, y: B3) -> B3;
}

lazy_mode_tests!();

#[test]
fn foreign_procedures() {
    let cos = foreign_procedure!(#[library("m")] "cos", (f64) -> f64);
    for x in [0.0, 0.5, -2.0, 100.0] {
        assert_eq!(cos(x).to_bits(), f64::cos(x).to_bits());
    }
    let strlen = foreign_procedure!(unsafe "strlen", (*const c_char) -> usize);
    assert_eq!(unsafe { strlen(c"four".as_ptr()) }, 4);
    let strlen_cstr = foreign_procedure!("strlen", (&CStr) -> usize);
    assert_eq!(strlen_cstr(c"seven!!"), 7);
    let strlen_str = foreign_procedure!("strlen", (&str) -> usize);
    assert_eq!(strlen_str("abc"), 3);
    let text = rerun::expect_panic(|| strlen_str("a\0b"));
    assert!(text.contains("NUL"), "{text}");
    let frexp = foreign_procedure!(#[library("m")] "frexp", (f64, out c_int) -> f64);
    assert_eq!(frexp(8.0), (0.5, 4));
    assert_eq!(frexp(-0.375), (-0.75, -1));
    let modf = foreign_procedure!(#[library("m")] "modf", (f64, out f64) -> f64);
    assert_eq!(modf(2.75), (0.75, 2.0));
    // Fixture functions, with enums and structs.
    let next = foreign_procedure!(#[library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])] "next_color", (Color) -> Color);
    assert_eq!(next(Color::Blue), Color::Red);
    let add = foreign_procedure!(#[library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])] "point_add", (Point, Point) -> Point);
    assert_eq!(
        add(Point { x: 1, y: 2 }, Point { x: 3, y: 4 }),
        Point { x: 4, y: 6 }
    );
    // The same procedure made in a loop is one declaration.
    for i in 0..3 {
        let p = foreign_procedure!(#[library("m")] "ldexp", (f64, c_int) -> f64);
        assert_eq!(p(1.0, i), f64::from(1 << i));
    }
    // Flags and directions work as in define_c_function!.
    let log = foreign_procedure!(#[alien(errno)] #[library("m")] "log", (f64) -> f64);
    assert_eq!(log(0.0), (f64::NEG_INFINITY, alien::Errno(34)));
    assert_eq!(log(1.0), (0.0, alien::Errno(0)));
    let negate = foreign_procedure!(
        #[library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
        "inout_i64_negate",
        (inout i64)
    );
    assert_eq!(negate(i64::MAX), -i64::MAX);
    let multi = foreign_procedure!(
        #[library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
        "multi",
        (c_int, c_int, out c_int, out c_int, inout c_int) -> c_int
    );
    assert_eq!(multi(6, 4, 10), (10, 24, 2, 11));
    // A missing symbol panics only when called.
    let missing = foreign_procedure!("alien_procedure_missing", (c_int) -> c_int);
    let text = rerun::expect_panic(|| missing(1));
    assert!(text.contains("alien_procedure_missing"), "{text}");
}

#[test]
fn enums_in_and_out() {
    assert_eq!(next_color(Color::Red), Color::Green);
    assert_eq!(next_color(Color::Green), Color::Blue);
    assert_eq!(next_color(Color::Blue), Color::Red);
    assert_eq!(color_value(Color::Red), 1);
    assert_eq!(color_value(Color::Blue), 4);
    assert_eq!(Color::Green.to_c(), 2);
    assert_eq!(Color::from_c(4), Some(Color::Blue));
    assert_eq!(Color::from_c(3), None);
    assert_eq!(<Color as alien::CEnum>::VARIANTS.len(), 3);
    assert_eq!(<Color as alien::CEnum>::VARIANTS[2], ("Blue", Color::Blue));
    assert_eq!(tst_color_out(2), Color::Green);
    assert_eq!(tst_color_advance(Color::Green), Color::Blue);
    assert_eq!(tst_color_advance(Color::Blue), Color::Red);
}

#[test]
fn unknown_enum_values_are_errors() {
    let text = rerun::expect_panic(bad_color);
    assert!(text.contains("Color"), "{text}");
    assert!(text.contains("99"), "{text}");
    assert!(text.contains("bad_color"), "{text}");
    assert_eq!(
        bad_color::try_call(),
        Err(CallError::Result {
            function: "bad_color",
            source: MarshalError::UnknownEnumValue {
                type_name: "Color",
                value: 99
            }
        })
    );
    // An out value too.
    assert_eq!(
        tst_color_out::try_call(3),
        Err(CallError::Result {
            function: "tst_color_out",
            source: MarshalError::UnknownEnumValue {
                type_name: "Color",
                value: 3
            }
        })
    );
    let text = rerun::expect_panic(|| tst_color_out(-7));
    assert!(text.contains("Color") && text.contains("-7"), "{text}");
    assert_eq!(tst_color_out::try_call(4), Ok(Color::Blue));
}

#[test]
fn structs_by_value_pointer_and_out() {
    assert_eq!(
        point_add(Point { x: 1, y: 2 }, Point { x: 30, y: 40 }),
        Point { x: 31, y: 42 }
    );
    assert_eq!(
        point_add(
            Point {
                x: c_int::MAX,
                y: c_int::MIN
            },
            Point { x: 0, y: 0 }
        ),
        Point {
            x: c_int::MAX,
            y: c_int::MIN
        }
    );
    // Four doubles: MEMORY class, returned through a hidden pointer.
    let r = Rect {
        x: 1.0,
        y: -2.0,
        w: 3.0,
        h: 0.5,
    };
    assert_eq!(
        rect_scale(r, 4.0),
        Rect {
            x: 1.0,
            y: -2.0,
            w: 12.0,
            h: 2.0
        }
    );
    assert_eq!(unsafe { rect_area(&r) }, 1.5);
    assert_eq!(unsafe { rect_area(&rect_scale(r, 2.0)) }, 6.0);
    assert_eq!(point_out(-5, 6), Point { x: -5, y: 6 });
    assert_eq!(point_out::try_call(7, 8), Ok(Point { x: 7, y: 8 }));
    // INTEGER + SSE eightbytes.
    assert_eq!(tst_mixed_make(-21, 0.75), Mixed { i: -42, d: 1.5 });
    // Two SSE eightbytes (a, b in one register, c in the next).
    assert_eq!(
        tst_f3_rotate(F3 {
            a: 1.0,
            b: -2.5,
            c: 1e-40
        }),
        F3 {
            a: -2.5,
            b: 1e-40,
            c: 1.0
        }
    );
    // Three bytes, packed in one register.
    assert_eq!(
        tst_b3_add(
            B3 {
                a: 1,
                b: 200,
                c: 255
            },
            B3 { a: 2, b: 100, c: 1 }
        ),
        B3 { a: 3, b: 44, c: 0 }
    );
}
