//! The extra arguments of a variadic call, passed as a tuple.
//!
//! A wrapper of a variadic C function takes its fixed arguments and then a
//! tuple of extra ones: `snprintf(buf, n, c"%d %s", (42, c"x"))`. Each extra
//! argument gets C's default argument promotions (`f32` → `f64`, small
//! integers → `c_int`/`c_uint`), and `%al` is set by the compiler's own
//! variadic call.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};

/// A value that can be passed as an extra argument of a variadic function.
pub trait VarArg: Sized {
    /// The type after C's default argument promotions.
    type Promoted: Copy;
    /// Promotes.
    fn promote(self) -> Self::Promoted;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl VarArg for $t {
            type Promoted = $t;
            #[inline(always)]
            fn promote(self) -> $t { self }
        }
    )*};
}
same!(i32, u32, i64, u64, isize, usize, f64);

macro_rules! promote {
    ($($t:ty => $p:ty),*) => {$(
        impl VarArg for $t {
            type Promoted = $p;
            #[inline(always)]
            fn promote(self) -> $p { <$p>::from(self) }
        }
    )*};
}
promote!(i8 => c_int, i16 => c_int, u8 => c_uint, u16 => c_uint, f32 => f64, bool => c_int);

impl<T> VarArg for *const T {
    type Promoted = *const T;
    #[inline(always)]
    fn promote(self) -> *const T {
        self
    }
}

impl<T> VarArg for *mut T {
    type Promoted = *mut T;
    #[inline(always)]
    fn promote(self) -> *mut T {
        self
    }
}

impl VarArg for &CStr {
    type Promoted = *const c_char;
    #[inline(always)]
    fn promote(self) -> *const c_char {
        self.as_ptr()
    }
}

impl VarArg for Option<&CStr> {
    type Promoted = *const c_char;
    #[inline(always)]
    fn promote(self) -> *const c_char {
        self.map_or(std::ptr::null(), CStr::as_ptr)
    }
}

impl VarArg for &[u8] {
    type Promoted = *const c_void;
    #[inline(always)]
    fn promote(self) -> *const c_void {
        self.as_ptr().cast()
    }
}

/// A tuple of extra arguments for a variadic function with fixed C
/// arguments `Fixed` (a tuple) returning `R`.
///
/// # Safety
///
/// Implementations call `f` as a C variadic function with the fixed and the
/// promoted extra arguments; `f` must be such a function.
pub unsafe trait VarArgs<Fixed, R> {
    /// Calls `f`.
    ///
    /// # Safety
    ///
    /// `f` must be a C variadic function taking `Fixed` and reading the
    /// extra arguments as their promoted types.
    unsafe fn call_with(self, f: *const (), fixed: Fixed) -> R;
}

macro_rules! varargs {
    (($($f:ident $fi:tt),*); ($($v:ident $vi:tt),*)) => {
        // SAFETY: calls `f` with exactly the fixed and the promoted extra arguments.
        unsafe impl<R, $($f,)* $($v: VarArg,)*> VarArgs<($($f,)*), R> for ($($v,)*) {
            #[inline(always)]
            #[allow(unused_variables, clippy::unused_unit)]
            unsafe fn call_with(self, f: *const (), fixed: ($($f,)*)) -> R {
                // SAFETY: the caller guarantees `f` is a variadic C function
                // with these fixed parameters.
                unsafe {
                    let f: unsafe extern "C-unwind" fn($($f,)* ...) -> R = std::mem::transmute(f);
                    f($(fixed.$fi,)* $(self.$vi.promote(),)*)
                }
            }
        }
    };
}

macro_rules! for_fixed {
    ($($fixed:tt)*) => {
        varargs!(($($fixed)*); ());
        varargs!(($($fixed)*); (V0 0));
        varargs!(($($fixed)*); (V0 0, V1 1));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6, V7 7));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6, V7 7, V8 8));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6, V7 7, V8 8, V9 9));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6, V7 7, V8 8, V9 9, V10 10));
        varargs!(($($fixed)*); (V0 0, V1 1, V2 2, V3 3, V4 4, V5 5, V6 6, V7 7, V8 8, V9 9, V10 10, V11 11));
    };
}

for_fixed!(A 0);
for_fixed!(A 0, B 1);
for_fixed!(A 0, B 1, C 2);
for_fixed!(A 0, B 1, C 2, D 3);
