//! The golden file compiles as a user's crate would include it, and
//! hand-written declarations check against its `prototypes`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

mod sys {
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        dead_code
    )]
    include!("golden/fixture.rs");
}

/// The same header with `declarations(false)`: types and prototypes only.
mod protos_only {
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        dead_code
    )]
    include!("golden/fixture_prototypes_only.rs");
}

use alien::{define_c_enum, define_c_function, CallError};
use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};

define_c_enum! {
    /// The fixture's statuses, named the Rust way and checked.
    #[alien(checked = crate::sys::prototypes, prefix = "fx_status_FX_")]
    #[repr(c_int)]
    pub enum Status { Ok = 0, Again = 1, #[alien(c_name = "fx_status_FX_FAILED")] Failed = -1 }
}

define_c_function! {
    #![library("fixture")]
    #![alien(checked = crate::sys::prototypes)]
    pub fn fx_open(name: &str, out handle: *mut sys::fx_handle) -> Status;
    pub unsafe fn fx_read(h: *mut sys::fx_handle, buf: &mut [u8], cap: c_ulong, out len: c_ulong) -> c_int;
    pub unsafe fn fx_write(h: *mut sys::fx_handle, data: &[u8], len: usize, flags: c_uint) -> std::ffi::c_long;
    pub unsafe fn fx_walk(
        h: *mut sys::fx_handle,
        visit: impl FnMut(*mut c_void, *const c_char, i32) -> c_int,
        user: *mut c_void,
    ) -> c_int;
    pub fn fx_version() -> Option<&std::ffi::CStr>;
    pub fn fx_crc(crc: u32, buf: &[u8], len: c_uint = buf.len()) -> u32;
    pub unsafe fn fx_log(level: c_int, fmt: *const c_char, ...) -> c_int;
    pub fn fx_translate(p: sys::fx_point, dx: i32, dy: i32) -> sys::fx_point;
    pub fn fx_abort(why: &str);
}

define_c_function! {
    /// Per declaration, under another Rust name.
    #[alien(checked = sys::prototypes)]
    pub unsafe fn close_handle(h: *mut sys::fx_handle) = "fx_close";
}

/// Checked against the prototypes-only file: every prototype is there, the
/// ones the full file declares bare included.
mod checked_against_prototypes_only {
    use std::ffi::c_uint;

    alien::define_c_function! {
        #![library("fixture")]
        #![alien(checked = crate::protos_only::prototypes)]
        pub unsafe fn fx_close(h: *mut crate::protos_only::fx_handle);
        pub fn fx_abort(why: &str);
        pub fn fx_crc(crc: u32, buf: &[u8], len: c_uint = buf.len()) -> u32;
    }
}

#[test]
fn generated_enum_and_constants() {
    assert_eq!(sys::fx_status::FX_FAILED.to_c(), -1);
    assert_eq!(sys::fx_status::from_c(1), Some(sys::fx_status::FX_AGAIN));
    assert_eq!(sys::prototypes::FX_VERSION, 3);
    assert_eq!(Status::Failed.to_c(), -1);
    assert!(sys::prototypes::layout::fx_point.fits::<sys::fx_point>());
    assert_eq!(sys::prototypes::layout::fx_point.size, 8);
}

#[test]
fn generated_declarations_exist_and_report_the_missing_library() {
    // There is no libfixture: the program starts, the symbols are unbound.
    assert!(!sys::fx_open::is_resolved());
    assert_eq!(sys::fx_open::info().symbol, "fx_open");
    match unsafe { sys::fx_open::try_call("x") } {
        Err(CallError::Undefined(e)) => assert_eq!(e.symbol, "fx_open"),
        other => panic!("expected Undefined, got {other:?}"),
    }
    assert!(sys::fx_open_count.try_get().is_err());
    assert!(!fx_open::is_resolved());
    assert!(!close_handle::is_resolved());
}
