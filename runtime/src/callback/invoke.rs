//! The three kinds of closure a callback can hold, and how each is called
//! from C without letting a panic cross into C.

use std::any::Any;
use std::cell::UnsafeCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Calls a closure with an argument tuple, catching panics.
pub trait Invoke<Args, R> {
    /// Calls; a panic (or a misuse such as calling a once-only callback
    /// twice) comes back as its payload.
    fn invoke(&self, args: Args) -> Result<R, Box<dyn Any + Send>>;
}

/// An `Fn` closure: may be called from several threads at once if it is `Sync`.
#[derive(Debug)]
pub struct FnCall<F>(pub(crate) F);

/// An `FnMut` closure: calls are exclusive; a re-entrant or concurrent call
/// is reported as a panic of the callback instead of aliasing the closure.
#[derive(Debug)]
pub struct FnMutCall<F> {
    busy: AtomicBool,
    f: UnsafeCell<F>,
}

impl<F> FnMutCall<F> {
    pub(crate) fn new(f: F) -> Self {
        FnMutCall {
            busy: AtomicBool::new(false),
            f: UnsafeCell::new(f),
        }
    }
}

// SAFETY: access to `f` is exclusive (guarded by `busy`), as with a mutex.
unsafe impl<F: Send> Sync for FnMutCall<F> {}

/// A once-only closure: a second call is reported as a panic of the callback.
#[derive(Debug)]
pub struct FnOnceCall<F>(pub(crate) Mutex<Option<F>>);

macro_rules! invoke_impls {
    ($($a:ident $i:tt),*) => {
        impl<F, R, $($a),*> Invoke<($($a,)*), R> for FnCall<F>
        where
            F: Fn($($a),*) -> R,
        {
            #[inline(always)]
            #[allow(unused_variables)]
            fn invoke(&self, args: ($($a,)*)) -> Result<R, Box<dyn Any + Send>> {
                catch_unwind(AssertUnwindSafe(|| (self.0)($(args.$i),*)))
            }
        }

        impl<F, R, $($a),*> Invoke<($($a,)*), R> for FnMutCall<F>
        where
            F: FnMut($($a),*) -> R,
        {
            #[allow(unused_variables)]
            fn invoke(&self, args: ($($a,)*)) -> Result<R, Box<dyn Any + Send>> {
                if self.busy.swap(true, Ordering::Acquire) {
                    return Err(Box::new(
                        "an FnMut callback was called re-entrantly or from two threads at once",
                    ));
                }
                // SAFETY: `busy` gives this call exclusive access.
                let f = unsafe { &mut *self.f.get() };
                let r = catch_unwind(AssertUnwindSafe(|| f($(args.$i),*)));
                self.busy.store(false, Ordering::Release);
                r
            }
        }

        impl<F, R, $($a),*> Invoke<($($a,)*), R> for FnOnceCall<F>
        where
            F: FnOnce($($a),*) -> R,
        {
            #[allow(unused_variables)]
            fn invoke(&self, args: ($($a,)*)) -> Result<R, Box<dyn Any + Send>> {
                let f = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
                match f {
                    Some(f) => catch_unwind(AssertUnwindSafe(|| f($(args.$i),*))),
                    None => Err(Box::new("a once-only callback was called a second time")),
                }
            }
        }
    };
}

invoke_impls!();
invoke_impls!(A0 0);
invoke_impls!(A0 0, A1 1);
invoke_impls!(A0 0, A1 1, A2 2);
invoke_impls!(A0 0, A1 1, A2 2, A3 3);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
invoke_impls!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);
