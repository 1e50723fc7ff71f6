//! Rust closures as C function pointers (Larceny's callbacks).
//!
//! A [`Callback`] owns a boxed closure and a small generated thunk that
//! carries the closure's address; [`Callback::as_fn`] is the C function
//! pointer. The pointer is valid exactly as long as the callback lives (the
//! callback borrows what the closure borrows, `'a`); [`Callback::leak`]
//! keeps it forever.
//!
//! Panics never unwind through C: the handler catches them and C receives
//! the callback's *panic value* (zero by default — `0`, `0.0`, null, a
//! zeroed struct; set it with [`Callback::returning_on_panic`]). The panic
//! is then resumed in the Rust code that made the enclosing foreign call,
//! when that call returns (every declared wrapper does this, except those
//! marked `no_callbacks`). A panic with no such caller — a thread C created,
//! or a call through the pointer outside any declared function — follows
//! [`set_orphan_panic_policy`] (abort with the message by default).

mod args;
mod frame;
mod invoke;
mod panics;
mod runtime;
mod thunks;

pub use args::ArgList;
pub use invoke::{FnCall, FnMutCall, FnOnceCall, Invoke};
pub use panics::{forwarding_panics, set_orphan_panic_policy, ForeignCall, OrphanPanicPolicy};
pub use runtime::RuntimeCallback;

use crate::code::memory::CodeBlock;
use crate::marshal::CRet;
use args::Ctx;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Mutex;

/// A closure callable from C as a function pointer of type
/// `Args::CFn<R>` (`unsafe extern "C" fn(A0, A1, ...) -> R`).
pub struct Callback<'a, Args: ArgList, R: CRet + Copy, C> {
    code: Option<CodeBlock>,
    ctx: *mut Ctx<C, R>,
    _marker: Marker<'a, Args, R>,
}

/// Borrows for `'a`; owns nothing of `Args`/`R` (a fn type keeps it `Send`-neutral).
type Marker<'a, Args, R> = PhantomData<(&'a (), fn(Args) -> R)>;

// SAFETY: the callback owns its context; sending it sends the closure.
unsafe impl<Args: ArgList, R: CRet + Copy + Send, C: Send> Send for Callback<'_, Args, R, C> {}
// SAFETY: C may call the pointer from any thread; that shares `&C`.
unsafe impl<Args: ArgList, R: CRet + Copy + Sync, C: Sync> Sync for Callback<'_, Args, R, C> {}

impl<'a, Args: ArgList, R: CRet + Copy> Callback<'a, Args, R, FnCall<()>> {
    /// A callback from an `Fn` closure; panics if executable memory cannot
    /// be had (see [`try_new`](Self::try_new)).
    #[allow(clippy::new_ret_no_self)]
    pub fn new<F>(f: F) -> Callback<'a, Args, R, FnCall<F>>
    where
        F: 'a,
        FnCall<F>: Invoke<Args, R>,
    {
        ok_or_panic(Callback::build(FnCall(f)))
    }

    /// A callback from an `Fn` closure.
    pub fn try_new<F>(f: F) -> std::io::Result<Callback<'a, Args, R, FnCall<F>>>
    where
        F: 'a,
        FnCall<F>: Invoke<Args, R>,
    {
        Callback::build(FnCall(f))
    }

    /// A callback from an `FnMut` closure (calls are exclusive; a re-entrant
    /// or concurrent call counts as a panic of the callback).
    pub fn new_mut<F>(f: F) -> Callback<'a, Args, R, FnMutCall<F>>
    where
        F: 'a,
        FnMutCall<F>: Invoke<Args, R>,
    {
        ok_or_panic(Callback::build(FnMutCall::new(f)))
    }

    /// [`new_mut`](Self::new_mut), returning the OS error instead of panicking.
    pub fn try_new_mut<F>(f: F) -> std::io::Result<Callback<'a, Args, R, FnMutCall<F>>>
    where
        F: 'a,
        FnMutCall<F>: Invoke<Args, R>,
    {
        Callback::build(FnMutCall::new(f))
    }

    /// A callback from a once-only closure (a second call counts as a panic
    /// of the callback).
    pub fn new_once<F>(f: F) -> Callback<'a, Args, R, FnOnceCall<F>>
    where
        F: 'a,
        FnOnceCall<F>: Invoke<Args, R>,
    {
        ok_or_panic(Callback::build(FnOnceCall(Mutex::new(Some(f)))))
    }
}

#[track_caller]
fn ok_or_panic<T>(r: std::io::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("alien: cannot allocate executable memory for a callback: {e}"),
    }
}

impl<'a, Args: ArgList, R: CRet + Copy, C: Invoke<Args, R>> Callback<'a, Args, R, C> {
    fn build(call: C) -> std::io::Result<Self> {
        let shape = thunks::shape_of::<Args, R>()?;
        let ctx = Box::into_raw(Box::new(Ctx {
            layout: shape.layout,
            panic_value: R::zero(),
            call,
        }));
        let handler = if shape.shift.is_some() {
            Args::shift_handler::<C, R>()
        } else {
            Args::frame_handler::<C, R>()
        };
        match thunks::instantiate(&shape, ctx as usize, handler) {
            Ok(code) => Ok(Callback {
                code: Some(code),
                ctx,
                _marker: PhantomData,
            }),
            Err(e) => {
                // SAFETY: `ctx` came from `Box::into_raw` above and was not shared.
                drop(unsafe { Box::from_raw(ctx) });
                Err(e)
            }
        }
    }

    /// The value C receives when the closure panics (instead of zero).
    pub fn returning_on_panic(self, value: R) -> Self {
        // SAFETY: the context is owned by `self`; no C call can be running
        // through it while we hold `self` by value.
        unsafe { (*self.ctx).panic_value = value };
        self
    }

    /// The C function pointer, valid while `self` lives.
    pub fn as_fn(&self) -> Args::CFn<R> {
        let addr = self.code.as_ref().map_or(0, CodeBlock::addr);
        // SAFETY: the thunk is a C function of exactly this type.
        unsafe { std::mem::transmute_copy::<usize, Args::CFn<R>>(&addr) }
    }

    /// The thunk's address.
    pub fn as_ptr(&self) -> *const () {
        self.code
            .as_ref()
            .map_or(std::ptr::null(), |c| c.as_ptr().cast())
    }

    /// Keeps the callback (closure and code) for the rest of the process and
    /// returns the pointer.
    pub fn leak(self) -> Args::CFn<R>
    where
        'a: 'static,
    {
        let f = self.as_fn();
        std::mem::forget(self);
        f
    }
}

impl<Args: ArgList, R: CRet + Copy, C> Drop for Callback<'_, Args, R, C> {
    fn drop(&mut self) {
        // Free the code first, so nothing can enter the context afterwards.
        drop(self.code.take());
        // SAFETY: `ctx` came from `Box::into_raw` in `build` and is dropped once.
        drop(unsafe { Box::from_raw(self.ctx) });
    }
}

impl<Args: ArgList, R: CRet + Copy, C> fmt::Debug for Callback<'_, Args, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("thunk", &self.code.as_ref().map(CodeBlock::addr))
            .finish()
    }
}

/// A closure that can replace a declared function of C argument types
/// `Args` and result `R` (see `f::interpose_with`).
pub trait InterposeFn<Args, R>: Sized {
    /// Interposes `self` on `decl` until the guard drops.
    fn interpose(self, decl: &'static crate::__private::Decl) -> crate::Interposition;
}

impl<Args, R, F> InterposeFn<Args, R> for F
where
    Args: ArgList,
    R: CRet + Copy,
    F: Send + Sync + 'static,
    FnCall<F>: Invoke<Args, R>,
{
    fn interpose(self, decl: &'static crate::__private::Decl) -> crate::Interposition {
        crate::__private::interpose_with::<Args, R, F>(decl, self)
    }
}
