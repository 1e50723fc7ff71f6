//! Rust closures as C function pointers, called by real C code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

use alien::{define_c_function, Callback};
use std::ffi::{c_int, c_void};

type Cmp = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;

define_c_function! {
    #![library("c")]
    pub unsafe fn qsort(base: *mut c_void, n: usize, size: usize, cmp: Cmp);
    pub unsafe fn bsearch(key: *const c_void, base: *const c_void, n: usize, size: usize, cmp: Cmp) -> *mut c_void;
}

fn int_at(p: *const c_void) -> i32 {
    // SAFETY: the test passes arrays of i32.
    unsafe { *(p as *const i32) }
}

#[test]
fn qsort_with_a_capturing_closure() {
    let mut v: Vec<i32> = (0..1000).map(|i| (i * 7919) % 1009 - 500).collect();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let descending = true;
    let cmp = Callback::new(|a: *const c_void, b: *const c_void| -> c_int {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (x, y) = (int_at(a), int_at(b));
        if descending {
            y.cmp(&x) as c_int
        } else {
            x.cmp(&y) as c_int
        }
    });
    unsafe { qsort(v.as_mut_ptr().cast(), v.len(), 4, cmp.as_fn()) };
    let mut want = v.clone();
    want.sort_by(|a, b| b.cmp(a));
    assert_eq!(v, want);
    assert!(calls.load(std::sync::atomic::Ordering::Relaxed) > 1000);
}

#[test]
fn bsearch_with_a_closure() {
    let v: Vec<i32> = (0..100).map(|i| i * 3).collect();
    let cmp = Callback::new(|a: *const c_void, b: *const c_void| -> c_int {
        int_at(a).cmp(&int_at(b)) as c_int
    });
    let key = 42i32;
    let found = unsafe {
        bsearch(
            (&key as *const i32).cast(),
            v.as_ptr().cast(),
            v.len(),
            4,
            cmp.as_fn(),
        )
    };
    assert!(!found.is_null());
    assert_eq!(int_at(found), 42);
    let key = 43i32;
    let found = unsafe {
        bsearch(
            (&key as *const i32).cast(),
            v.as_ptr().cast(),
            v.len(),
            4,
            cmp.as_fn(),
        )
    };
    assert!(found.is_null());
}

#[test]
fn a_panic_in_the_comparator_reaches_the_caller() {
    let mut v: Vec<i32> = (0..100).rev().collect();
    let cmp = Callback::new(|a: *const c_void, b: *const c_void| -> c_int {
        if int_at(a) == 50 || int_at(b) == 50 {
            panic!("comparator saw 50");
        }
        int_at(a).cmp(&int_at(b)) as c_int
    });
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
        qsort(v.as_mut_ptr().cast(), v.len(), 4, cmp.as_fn())
    }));
    let payload = r.expect_err("the panic must reach the caller");
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("comparator saw 50")
    );
    // The C stack is intact: a following call works.
    let ok = Callback::new(|a: *const c_void, b: *const c_void| -> c_int {
        int_at(a).cmp(&int_at(b)) as c_int
    });
    unsafe { qsort(v.as_mut_ptr().cast(), v.len(), 4, ok.as_fn()) };
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
}

define_c_function! {
    #![library("c")]
    /// qsort taking a closure directly.
    pub unsafe fn qsort_by(base: *mut c_void, n: usize, size: usize, cmp: impl FnMut(*const c_void, *const c_void) -> c_int) = "qsort";
}

#[test]
fn closures_are_accepted_directly_as_arguments() {
    let mut v: Vec<i32> = (0..500).map(|i| (i * 37) % 101).collect();
    let mut compared = 0usize;
    unsafe {
        qsort_by(v.as_mut_ptr().cast(), v.len(), 4, |a, b| {
            compared += 1;
            int_at(a).cmp(&int_at(b)) as c_int
        })
    };
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
    assert!(compared >= 499);
    let r = std::panic::catch_unwind(|| unsafe {
        let mut w = [3i32, 1, 2];
        qsort_by(w.as_mut_ptr().cast(), 3, 4, |_, _| {
            panic!("closure argument panicked")
        })
    });
    assert_eq!(
        r.unwrap_err().downcast_ref::<&str>().copied(),
        Some("closure argument panicked")
    );
}
