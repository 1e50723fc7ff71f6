//! What generated code needs. Not a public API: it changes without notice.

pub use crate::bare::{BareBlock, BARE};
pub use crate::callback::ForeignCall;
pub use crate::decl::{
    Decl, LibrarySpec, FLAG_ERRNO, FLAG_INLINE, FLAG_NO_CALLBACKS, FLAG_VARIADIC, SLOT_OFFSET,
};
pub use crate::errno::Errno;
pub use crate::marshal::{
    CEnum, CRepr, CallError, FromC, IntoC, MarshalError, TempCString, TempUtf16,
};
pub use linkme;
pub use std::ffi::CStr;
pub use std::mem::{transmute, MaybeUninit};
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{self, Err, Ok};

#[path = "header_check.rs"]
pub mod header_check;

use crate::error::UndefinedSymbol;
use std::ffi::c_char;

/// Every declaration of every crate in the program, collected at link time:
/// one entry per block of declarations (a `define_c_function!` block is one
/// array of records, in declaration order), one per single declaration.
#[linkme::distributed_slice]
pub static LINKAGE: [&'static [Decl]];

/// Every registered declaration, block by block.
pub(crate) fn registered() -> impl Iterator<Item = &'static Decl> {
    crate::bare::name_records();
    LINKAGE.iter().flat_map(|block| block.iter())
}

/// A length parameter tied to a slice (`len: c_uint = buf.len()`): the
/// slice's length in the parameter's C type, or the overflow error.
#[inline]
pub fn slice_len<T: TryFrom<usize>>(
    len: usize,
    function: &'static str,
    param: &'static str,
) -> Result<T, CallError> {
    T::try_from(len).map_err(|_| CallError::LengthOverflow {
        function,
        param,
        len,
    })
}

/// A `&str` argument as a temporary C string, or the interior-NUL error.
#[inline]
pub fn string_arg(
    s: &str,
    function: &'static str,
    param: &'static str,
    index: usize,
) -> Result<TempCString, CallError> {
    TempCString::new(s).map_err(|position| CallError::InteriorNul {
        function,
        param,
        index,
        position,
    })
}

/// A `&str` argument as temporary UTF-16, or the interior-NUL error.
#[inline]
pub fn unicode_arg(
    s: &str,
    function: &'static str,
    param: &'static str,
    index: usize,
) -> Result<TempUtf16, CallError> {
    TempUtf16::new(s).map_err(|position| CallError::InteriorNul {
        function,
        param,
        index,
        position,
    })
}

/// A returned `const char *` as `&CStr`; NULL is an error.
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string that outlives its use.
#[inline]
pub unsafe fn cstr_result(
    p: *const c_char,
    function: &'static str,
) -> Result<&'static CStr, CallError> {
    if p.is_null() {
        return Err(CallError::NullString { function });
    }
    // SAFETY: the declaration states that C returns a NUL-terminated string
    // that outlives the call.
    Ok(unsafe { CStr::from_ptr(p) })
}

/// A returned `const char *` as `Option<&CStr>`.
///
/// # Safety
///
/// As for [`cstr_result`].
#[inline]
pub unsafe fn opt_cstr_result(p: *const c_char) -> Option<&'static CStr> {
    // SAFETY: as in `cstr_result`.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// A C result or out value converted to its Rust type.
#[inline(always)]
pub fn from_c<T: FromC>(c: T::C, function: &'static str) -> Result<T, CallError> {
    T::from_c(c).map_err(|source| CallError::Result { function, source })
}

/// A zeroed out-parameter temporary.
#[inline(always)]
pub fn zeroed<T: CRepr>() -> T {
    // SAFETY: `CRepr` promises that zero is a valid value.
    unsafe { std::mem::zeroed() }
}

/// Panics with a marshalling error (the `f` half of the `f`/`f::try_call` pair).
#[cold]
#[track_caller]
pub fn fail(e: CallError) -> ! {
    panic!("{e}")
}

/// Binds the table if startup has not (idempotent).
#[inline]
pub fn init() {
    crate::table::init()
}

/// Resolves `decl` now, for `try_call`: the undefined-symbol error instead of
/// a panic.
pub fn try_resolve(decl: &'static Decl) -> Result<(), UndefinedSymbol> {
    crate::table::init();
    if decl.is_resolved() {
        return Ok(());
    }
    crate::table::resolve(decl).map(|_| ())
}

/// Whether a call through `decl`'s slot reaches a function (what `try_call`
/// and a `Procedure` check before calling): binds the symbol if it can, and
/// an interposed declaration is callable even when its symbol is missing,
/// since the replacement takes the call.
pub fn try_callable(decl: &'static Decl) -> Result<(), UndefinedSymbol> {
    match try_resolve(decl) {
        Err(_) if decl.interposed.load(std::sync::atomic::Ordering::Acquire) > 0 => Ok(()),
        r => r,
    }
}

/// The entry address of `decl`, or a panic naming the OS error.
pub fn entry(decl: &'static Decl) -> usize {
    match crate::table::try_entry(decl) {
        Ok(a) => a,
        Err(e) => panic!(
            "alien: cannot make the entry of `{}`: {e}",
            decl.symbol_str()
        ),
    }
}

/// The introspection row of one declaration.
pub fn info(decl: &'static Decl) -> crate::LinkageInfo {
    crate::introspect::info_of(decl)
}

/// Whether `decl` is bound (after startup).
pub fn is_resolved(decl: &'static Decl) -> bool {
    crate::table::init();
    decl.is_resolved()
}

/// A closure argument made into a callback for one call.
pub fn callback_fn<'a, Args, R, F>(
    f: F,
    function: &'static str,
) -> Result<crate::Callback<'a, Args, R, crate::callback::FnCall<F>>, CallError>
where
    Args: crate::callback::ArgList,
    R: crate::CRet + Copy,
    F: 'a,
    crate::callback::FnCall<F>: crate::callback::Invoke<Args, R>,
{
    crate::Callback::try_new(f).map_err(|e| CallError::Callback {
        function,
        message: e.to_string(),
    })
}

/// A `FnMut` closure argument made into a callback for one call.
pub fn callback_fn_mut<'a, Args, R, F>(
    f: F,
    function: &'static str,
) -> Result<crate::Callback<'a, Args, R, crate::callback::FnMutCall<F>>, CallError>
where
    Args: crate::callback::ArgList,
    R: crate::CRet + Copy,
    F: 'a,
    crate::callback::FnMutCall<F>: crate::callback::Invoke<Args, R>,
{
    crate::Callback::try_new_mut(f).map_err(|e| CallError::Callback {
        function,
        message: e.to_string(),
    })
}

/// Interposes a closure (made into a callback kept alive by the guard).
pub fn interpose_with<Args, R, F>(decl: &'static Decl, f: F) -> crate::Interposition
where
    Args: crate::callback::ArgList,
    R: crate::CRet + Copy,
    F: Send + Sync + 'static,
    crate::callback::FnCall<F>: crate::callback::Invoke<Args, R>,
{
    /// Only keeps the callback alive; nothing reaches into it from Rust.
    struct KeepAlive<T>(#[allow(dead_code)] T);
    // SAFETY: the guard never touches the callback; C calls it from any
    // thread, which `F: Send + Sync` permits, and its panic value (`R`, plain
    // data) is only read.
    unsafe impl<T> Send for KeepAlive<T> {}
    // SAFETY: as above.
    unsafe impl<T> Sync for KeepAlive<T> {}
    let cb: crate::Callback<'static, Args, R, crate::callback::FnCall<F>> = crate::Callback::new(f);
    let addr = cb.as_ptr() as usize;
    crate::table::interpose_keeping(decl, addr, Some(Box::new(KeepAlive(cb))))
}
