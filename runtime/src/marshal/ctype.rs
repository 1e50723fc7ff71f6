//! The traits that say what C can take.

use super::MarshalError;

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
pub unsafe trait CRepr: Copy + 'static {}

macro_rules! c_repr {
    ($($t:ty),*) => {$(
        // SAFETY: primitive types with C's layout; zero is valid.
        unsafe impl CRepr for $t {}
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
c_repr!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64, bool);

// SAFETY: raw pointers are C pointers; null is valid.
unsafe impl<T: ?Sized + 'static> CRepr for *const T where *const T: Copy {}
// SAFETY: as above.
unsafe impl<T: ?Sized + 'static> CRepr for *mut T where *mut T: Copy {}
// SAFETY: `Option<NonNull<T>>` has the layout of a pointer; `None` is null.
unsafe impl<T: 'static> CRepr for Option<std::ptr::NonNull<T>> {}

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
