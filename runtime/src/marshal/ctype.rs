//! The traits that say what C can take.

use super::MarshalError;
use alien_codegen::abi::Type;

/// A type C takes by value with exactly this representation, for which the
/// all-zero bit pattern is a valid value (out-parameter temporaries start
/// zeroed).
///
/// # Safety
///
/// Implementors must have the layout of the C type they stand for
/// (`#[repr(C)]` structs whose fields are all `CRepr`, integers, floats, raw
/// pointers), and zero must be a valid value. `#[derive(alien::CStruct)]`
/// implements it after checking both.
pub unsafe trait CRepr: Copy + 'static {
    /// The C type, in the run-time type model (used to lay out callbacks
    /// and run-time calls).
    fn c_type() -> Type;
}

macro_rules! c_repr {
    ($($t:ty => $ct:ident),*) => {$(
        // SAFETY: primitive types with C's layout; zero is valid.
        unsafe impl CRepr for $t {
            fn c_type() -> Type { Type::$ct }
        }
        impl IntoC for $t {
            type C = $t;
            #[inline(always)]
            fn into_c(self) -> $t { self }
        }
        impl FromC for $t {
            type C = $t;
            #[inline(always)]
            fn from_c(c: $t) -> Result<$t, MarshalError> { Ok(c) }
        }
    )*};
}
c_repr!(i8 => I8, u8 => U8, i16 => I16, u16 => U16, i32 => I32, u32 => U32, i64 => I64, u64 => U64, isize => I64, usize => U64, f32 => F32, f64 => F64, bool => Bool);

// SAFETY: raw pointers are C pointers; null is valid.
unsafe impl<T: ?Sized + 'static> CRepr for *const T
where
    *const T: Copy,
{
    fn c_type() -> Type {
        Type::Pointer
    }
}
// SAFETY: as above.
unsafe impl<T: ?Sized + 'static> CRepr for *mut T
where
    *mut T: Copy,
{
    fn c_type() -> Type {
        Type::Pointer
    }
}
// SAFETY: `Option<NonNull<T>>` has the layout of a pointer; `None` is null.
unsafe impl<T: 'static> CRepr for Option<std::ptr::NonNull<T>> {
    fn c_type() -> Type {
        Type::Pointer
    }
}
// SAFETY: a C array field: `N` elements of a C type, zero valid.
unsafe impl<T: CRepr, const N: usize> CRepr for [T; N] {
    fn c_type() -> Type {
        Type::Array(Box::new(T::c_type()), N)
    }
}

/// A type a C function or callback can return: `()` (void) or a [`CRepr`].
pub trait CRet: Sized + 'static {
    /// The C type (`Type::Void` for `()`).
    fn c_type() -> Type;
    /// The value C receives when a callback panics (zero).
    fn zero() -> Self;
}

impl CRet for () {
    fn c_type() -> Type {
        Type::Void
    }
    fn zero() -> Self {}
}

impl<T: CRepr> CRet for T {
    fn c_type() -> Type {
        <T as CRepr>::c_type()
    }
    fn zero() -> Self {
        // SAFETY: `CRepr` promises zero is a valid value.
        unsafe { std::mem::zeroed() }
    }
}

impl<T: 'static> IntoC for *const T {
    type C = *const T;
    #[inline(always)]
    fn into_c(self) -> *const T {
        self
    }
}
impl<T: 'static> IntoC for *mut T {
    type C = *mut T;
    #[inline(always)]
    fn into_c(self) -> *mut T {
        self
    }
}
impl<T: 'static> FromC for *const T {
    type C = *const T;
    #[inline(always)]
    fn from_c(c: *const T) -> Result<*const T, MarshalError> {
        Ok(c)
    }
}
impl<T: 'static> FromC for *mut T {
    type C = *mut T;
    #[inline(always)]
    fn from_c(c: *mut T) -> Result<*mut T, MarshalError> {
        Ok(c)
    }
}

/// A Rust value that becomes a C value for a call: every C-representable
/// type (identity) and the enums of [`define_c_enum!`](crate::define_c_enum).
pub trait IntoC: Sized {
    /// The C type passed.
    type C: CRepr;
    /// Converts for the call.
    fn into_c(self) -> Self::C;
}

/// A Rust value made from a C result or out value.
pub trait FromC: Sized {
    /// The C type received.
    type C: CRepr;
    /// Converts, or says why the C value has no Rust counterpart.
    fn from_c(c: Self::C) -> Result<Self, MarshalError>;
}

/// A Rust enum standing for a set of C integer constants
/// (see [`define_c_enum!`](crate::define_c_enum)).
pub trait CEnum: Copy + Sized + 'static {
    /// The C integer type of the constants.
    type Repr: CRepr;
    /// Every variant with its C value.
    const VARIANTS: &'static [(&'static str, Self)];
    /// The C value of a variant.
    fn to_c(self) -> Self::Repr;
    /// The variant for a C value, if there is one.
    fn from_c_value(value: Self::Repr) -> Option<Self>;
}

macro_rules! fn_pointers {
    ($($a:ident),*) => {
        fn_pointers!(@one unsafe extern "C" fn($($a),*) -> R; $($a),*);
        fn_pointers!(@one extern "C" fn($($a),*) -> R; $($a),*);
    };
    (@one $f:ty; $($a:ident),*) => {
        impl<R: 'static, $($a: 'static),*> IntoC for $f {
            type C = Option<$f>;
            #[inline(always)]
            fn into_c(self) -> Option<$f> { Some(self) }
        }
        impl<R: 'static, $($a: 'static),*> IntoC for Option<$f> {
            type C = Option<$f>;
            #[inline(always)]
            fn into_c(self) -> Option<$f> { self }
        }
        impl<R: 'static, $($a: 'static),*> FromC for Option<$f> {
            type C = Option<$f>;
            #[inline(always)]
            fn from_c(c: Option<$f>) -> Result<Option<$f>, MarshalError> { Ok(c) }
        }
        // SAFETY: `Option` of a function pointer is a nullable C function pointer.
        unsafe impl<R: 'static, $($a: 'static),*> CRepr for Option<$f> {
            fn c_type() -> Type { Type::Pointer }
        }
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
