//! Declarations in nested modules, with their types spelled every way Rust
//! allows (`super::`, `self::`, `crate::`, an extern crate's path, an
//! imported name, a prelude name) and with every visibility: the generated
//! wrapper, its companion module and the companion's re-exports resolve
//! them as the declaring scope would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::c_int;

#[derive(alien::CStruct, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Point {
    pub x: c_int,
    pub y: c_int,
}

pub mod outer {
    use std::ffi::CStr;

    /// A type only `self::`-reachable from the declarations below.
    pub mod types {
        pub type Int = std::ffi::c_int;
    }

    pub mod inner {
        alien::define_c_function! {
            #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
            /// `super::` and `crate::` paths.
            pub fn point_add(a: crate::Point, b: super::super::Point) -> crate::Point;
            /// A private declaration (used by `add_privately` below).
            fn add2(a: self::Int, b: Int) -> ::std::ffi::c_int;
            /// `pub(super)`: visible in `outer`.
            pub(super) fn fixture_strlen(s: &str) -> usize;
            /// `pub(crate)`, with an extern crate's path.
            pub(crate) fn labs(x: std::os::raw::c_long) -> std::os::raw::c_long;
        }
        pub type Int = std::ffi::c_int;

        pub fn add_privately(a: Int, b: Int) -> Int {
            assert!(add2::is_resolved());
            add2::try_call(a, b).unwrap() + add2(0, 0)
        }
    }

    alien::define_c_function! {
        #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
        /// An imported name (`CStr`) and a prelude name (`Option`) together.
        pub fn fixture_greeting() -> Option<&CStr>;
        /// `self::` inside a module that is not the crate root.
        pub fn add_two(a: self::types::Int, b: types::Int) -> self::types::Int = "add2";
    }

    pub fn strlen_from_outer(s: &str) -> usize {
        // `pub(super)` in `inner` reaches here, for the wrapper and the companion alike.
        assert_eq!(inner::fixture_strlen::try_call(s).unwrap(), s.len());
        inner::fixture_strlen(s)
    }
}

#[test]
fn types_and_visibilities_resolve_from_the_declaring_scope() {
    let p = Point { x: 1, y: 2 };
    let q = Point { x: 10, y: 20 };
    assert_eq!(outer::inner::point_add(p, q), Point { x: 11, y: 22 });
    assert_eq!(
        outer::inner::point_add::try_call(p, q).unwrap(),
        Point { x: 11, y: 22 }
    );
    assert_eq!(outer::inner::add_privately(40, 2), 42);
    assert_eq!(outer::strlen_from_outer("four"), 4);
    assert_eq!(outer::inner::labs(-7), 7);
    let entry = outer::inner::labs::entry();
    // SAFETY: the entry of `labs`, called with its C signature.
    assert_eq!(unsafe { entry(-8) }, 8);
    assert_eq!(
        outer::fixture_greeting().unwrap().to_str().unwrap(),
        "hello from C"
    );
    assert_eq!(outer::add_two(1, 2), 3);
    let f: outer::add_two::CFn = outer::add_two::snapshot();
    // SAFETY: `add2` from the fixture library, called with its C signature.
    assert_eq!(unsafe { f(4, 5) }, 9);
    let info = outer::add_two::info();
    assert_eq!(info.module_path, "scopes::outer");
    assert_eq!(info.rust_name, "add_two");
}
