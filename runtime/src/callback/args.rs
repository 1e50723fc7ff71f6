//! Argument lists of typed callbacks: their C types, their C function
//! pointer type, and the two handlers (shift and frame) for each arity.

use super::frame;
use super::invoke::Invoke;
use super::panics;
use crate::marshal::{CRepr, CRet};
use alien_codegen::abi::sysv::Layout;
use alien_codegen::abi::Type;

/// What a callback's thunk points at: the closure and what the handlers need.
pub(crate) struct Ctx<C, R> {
    pub(crate) layout: &'static Layout,
    pub(crate) panic_value: R,
    pub(crate) call: C,
}

/// A tuple of C argument types.
pub trait ArgList: 'static {
    /// The C function pointer type of a callback taking these and returning `R`.
    type CFn<R: CRet>: Copy;
    /// The C types, in the run-time model.
    fn types() -> Vec<Type>;
    /// The handler the shift thunk jumps to, for closures called through `C`.
    fn shift_handler<C: Invoke<Self, R>, R: CRet + Copy>() -> usize
    where
        Self: Sized;
    /// The handler the frame thunk calls.
    fn frame_handler<C: Invoke<Self, R>, R: CRet + Copy>() -> usize
    where
        Self: Sized;
}

#[inline(always)]
fn finish<R: Copy>(r: Result<R, Box<dyn std::any::Any + Send>>, panic_value: R) -> R {
    match r {
        Ok(v) => v,
        Err(p) => {
            panics::caught(p);
            panic_value
        }
    }
}

macro_rules! arg_list {
    ($shift:ident, $frame:ident; $($a:ident $v:ident $i:tt),*) => {
        #[allow(clippy::too_many_arguments)]
        unsafe extern "C" fn $shift<C: Invoke<($($a,)*), R>, R: CRet + Copy, $($a: CRepr),*>(
            ctx: *const Ctx<C, R>,
            $($v: $a),*
        ) -> R {
            // SAFETY: the thunk passes the context it was made with; it lives
            // as long as the callback.
            let ctx = unsafe { &*ctx };
            finish(ctx.call.invoke(($($v,)*)), ctx.panic_value)
        }

        unsafe extern "C" fn $frame<C: Invoke<($($a,)*), R>, R: CRet + Copy, $($a: CRepr),*>(
            ctx: *const Ctx<C, R>,
            frame: *mut u64,
            stack: *const u8,
        ) {
            // SAFETY: as above; the frame and stack pointers come from the
            // frame thunk, and the layout is this signature's.
            unsafe {
                let ctx = &*ctx;
                $(let $v: $a = frame::arg::<$a>(ctx.layout, $i, frame, stack);)*
                let _ = stack;
                let r = finish(ctx.call.invoke(($($v,)*)), ctx.panic_value);
                frame::ret::<R>(ctx.layout, r, frame);
            }
        }

        impl<$($a: CRepr),*> ArgList for ($($a,)*) {
            type CFn<R: CRet> = unsafe extern "C" fn($($a),*) -> R;
            fn types() -> Vec<Type> {
                vec![$(<$a as CRepr>::c_type()),*]
            }
            fn shift_handler<C: Invoke<Self, R>, R: CRet + Copy>() -> usize {
                $shift::<C, R, $($a),*> as *const () as usize
            }
            fn frame_handler<C: Invoke<Self, R>, R: CRet + Copy>() -> usize {
                $frame::<C, R, $($a),*> as *const () as usize
            }
        }
    };
}

arg_list!(shift0, frame0;);
arg_list!(shift1, frame1; A0 a0 0);
arg_list!(shift2, frame2; A0 a0 0, A1 a1 1);
arg_list!(shift3, frame3; A0 a0 0, A1 a1 1, A2 a2 2);
arg_list!(shift4, frame4; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3);
arg_list!(shift5, frame5; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4);
arg_list!(shift6, frame6; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5);
arg_list!(shift7, frame7; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6);
arg_list!(shift8, frame8; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6, A7 a7 7);
arg_list!(shift9, frame9; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6, A7 a7 7, A8 a8 8);
arg_list!(shift10, frame10; A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6, A7 a7 7, A8 a8 8, A9 a9 9);
