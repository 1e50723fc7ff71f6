//! A plugin that uses alien from inside a foreign host: a `cdylib` that a C
//! program (`tests/host/host.c`) `dlopen`s, twice under two file names, in
//! the `foreign_host` test.
//!
//! It declares libm and libc functions (its own linkage table, bound by its
//! own startup constructor when the host loads it), passes a Rust closure to
//! `qsort`, hands the host a callback and an entry address, and keeps
//! objects in its own handle registry. Two copies in one process share
//! nothing: each has its own table, statics, entries and registry.
//!
//! Every function is `extern "C"` with C types; none unwinds (a panic
//! aborts, as for any `extern "C"` function).

use alien::handles;
use alien::{define_c_function, Callback};
use std::ffi::{c_int, c_long, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

define_c_function! {
    #![library("m")]
    fn pow(x: f64, y: f64) -> f64;
    fn frexp(x: f64, out exp: c_int) -> f64;
}

define_c_function! {
    #![library("c")]
    fn labs(x: c_long) -> c_long;
    unsafe fn qsort(
        base: *mut c_void,
        n: usize,
        size: usize,
        compare: Option<unsafe extern "C" fn(*const c_void, *const c_void) -> c_int>,
    );
}

/// This copy's scale (each copy has its own).
static SCALE: AtomicI32 = AtomicI32::new(1);

/// Sets this copy's scale.
#[no_mangle]
pub extern "C" fn plugin_set_scale(scale: c_int) {
    SCALE.store(scale, Ordering::SeqCst);
}

/// `1000 * scale + |min| + max + 2^3 + e`, where min and max are those of
/// `[x, -2x, 5, 3]` (sorted by `qsort` with a Rust comparison closure) and
/// `e` is the binary exponent of `x` (`frexp`). The test computes the same.
#[no_mangle]
pub extern "C" fn plugin_compute(x: c_int) -> c_int {
    let mut v: [c_int; 4] = [x, x.wrapping_mul(-2), 5, 3];
    let compare = Callback::new(|a: *const c_void, b: *const c_void| -> c_int {
        // SAFETY: qsort passes pointers to two elements of `v`.
        let (a, b) = unsafe { (*a.cast::<c_int>(), *b.cast::<c_int>()) };
        a.cmp(&b) as c_int
    });
    // SAFETY: `v` holds 4 `c_int`s and `compare` lives through the call.
    unsafe {
        qsort(
            v.as_mut_ptr().cast(),
            v.len(),
            size_of::<c_int>(),
            Some(compare.as_fn()),
        )
    };
    let (_, e) = frexp(f64::from(x));
    let min = labs(c_long::from(v[0])) as c_int;
    1000 * SCALE.load(Ordering::SeqCst) + min + v[3] + pow(2.0, 3.0) as c_int + e
}

/// How many declarations this copy's linkage table has.
#[no_mangle]
pub extern "C" fn plugin_table_len() -> usize {
    alien::linkage().len()
}

/// How many of them are bound.
#[no_mangle]
pub extern "C" fn plugin_table_bound() -> usize {
    alien::linkage()
        .iter()
        .filter(|row| row.state == alien::BindState::Bound)
        .count()
}

/// The C-callable entry of `labs` in this copy's table (a
/// `long (*)(long)`), or 0.
#[no_mangle]
pub extern "C" fn plugin_entry_addr() -> usize {
    labs::try_entry().map_or(0, |f| f as usize)
}

/// The address of one of this copy's statics.
#[no_mangle]
pub extern "C" fn plugin_data_addr() -> usize {
    std::ptr::from_ref(&SCALE).addr()
}

/// A C function pointer `int (*)(int)` to a Rust closure: `x * 10 + scale`.
/// It lives for the rest of the process.
#[no_mangle]
pub extern "C" fn plugin_make_callback() -> Option<unsafe extern "C" fn(c_int) -> c_int> {
    let cb = Callback::try_new(|x: c_int| -> c_int { x * 10 + SCALE.load(Ordering::SeqCst) });
    cb.ok().map(|cb| cb.leak())
}

/// Registers `value` in this copy's handle registry; returns the handle.
#[no_mangle]
pub extern "C" fn plugin_register(value: c_long) -> usize {
    handles::global()
        .try_register(std::sync::Arc::new(value), handles::RefKind::Strong)
        .map_or(0, |h| h.into_raw())
}

/// The value `handle` names in this copy's registry, or -1.
#[no_mangle]
pub extern "C" fn plugin_lookup(handle: usize) -> c_long {
    handles::Handle::from_raw(handle)
        .and_then(|h| handles::global().lookup::<c_long>(h))
        .map_or(-1, |v| *v)
}

/// Unregisters `handle` from this copy's registry: 0, or -1 if it was not
/// registered.
#[no_mangle]
pub extern "C" fn plugin_unregister(handle: usize) -> c_int {
    match handles::Handle::from_raw(handle).map(|h| handles::global().unregister(h)) {
        Some(Ok(())) => 0,
        _ => -1,
    }
}
