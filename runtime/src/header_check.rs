//! What a declaration checked against a header is compared with: the
//! `prototypes` module alien-build generates re-exports this as its
//! `__alien` (see `alien-codegen`'s `checked` declarations). Kept here, not
//! in every generated file, so that it is compiled once.

use ::core::ffi::c_void;
use ::core::marker::PhantomData;

/// A declared C parameter type `Self` that passes the header's `H`.
#[diagnostic::on_unimplemented(
    message = "this declaration passes `{Self}` where the C header's prototype takes `{H}`",
    label = "the C header's parameter here is `{H}`, not `{Self}`",
    note = "an `out`/`inout` parameter is checked as the pointer C receives, a string as `*const c_char`, a `define_c_enum!` enum as its integer type, a struct by value as the header's own struct (so size, alignment and fields agree by construction)"
)]
pub trait Param<H> {}
impl<T> Param<T> for T {}
impl Param<*const c_void> for *const u8 {}
impl Param<*mut c_void> for *mut u8 {}
impl Param<*const i8> for *const u8 {}
impl Param<*mut i8> for *mut u8 {}

/// A declared C result type `Self` for the header's `H`.
#[diagnostic::on_unimplemented(
    message = "this declaration returns `{Self}` where the C header's prototype returns `{H}`",
    label = "the C header returns `{H}`, not `{Self}`"
)]
pub trait Ret<H> {}
impl<T> Ret<T> for T {}
impl<T> Ret<*mut T> for *const T {}

macro_rules! fn_pointers {
    ($($a:ident),*) => {
        impl<R, $($a),*> Param<Option<unsafe extern "C" fn($($a),*) -> R>> for unsafe extern "C" fn($($a),*) -> R {}
        impl<R, $($a),*> Param<Option<unsafe extern "C" fn($($a),*) -> R>> for extern "C" fn($($a),*) -> R {}
        impl<R, $($a),*> Param<Option<unsafe extern "C" fn($($a),*) -> R>> for Option<extern "C" fn($($a),*) -> R> {}
    };
}
fn_pointers!();
fn_pointers!(A0);
fn_pointers!(A0, A1);
fn_pointers!(A0, A1, A2);
fn_pointers!(A0, A1, A2, A3);
fn_pointers!(A0, A1, A2, A3, A4);
fn_pointers!(A0, A1, A2, A3, A4, A5);
fn_pointers!(A0, A1, A2, A3, A4, A5, A6);
fn_pointers!(A0, A1, A2, A3, A4, A5, A6, A7);
fn_pointers!(A0, A1, A2, A3, A4, A5, A6, A7, A8);
fn_pointers!(A0, A1, A2, A3, A4, A5, A6, A7, A8, A9);

/// One C type of the header's prototype.
pub struct Header<H>(PhantomData<H>);

impl<H> ::core::fmt::Debug for Header<H> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(::core::any::type_name::<H>())
    }
}

impl<H> Header<H> {
    /// A value standing for the type.
    pub const NEW: Self = Header(PhantomData);
    /// Checks that a declaration's parameter type `O` passes `H`.
    pub fn param<O: Param<H>>(self) {}
    /// Checks that a declaration's result type `O` stands for `H`.
    pub fn ret<O: Ret<H>>(self) {}
}

/// A struct's size and alignment, as clang laid it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof`.
    pub size: usize,
    /// `_Alignof`.
    pub align: usize,
}

impl Layout {
    /// Whether `T` has this size and alignment.
    pub const fn fits<T>(self) -> bool {
        ::core::mem::size_of::<T>() == self.size && ::core::mem::align_of::<T>() == self.align
    }
}
