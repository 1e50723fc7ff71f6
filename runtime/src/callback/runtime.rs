//! Callbacks whose signature is known only at run time: a [`Signature`] and
//! a handler over [`Value`]s make a C function pointer.

use super::{frame, panics, thunks};
use crate::code::memory::CodeBlock;
use crate::ffi::{FfiError, Signature, Type, Value};
use alien_codegen::abi::sysv::{self, Layout};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

type Handler = dyn Fn(&[Value]) -> Value + Send + Sync;

struct RtCtx {
    layout: Layout,
    signature: Signature,
    handler: Box<Handler>,
    panic_value: Value,
}

/// A C function pointer of a run-time signature that calls a Rust handler
/// with the arguments as [`Value`]s. The handler's result must fit the
/// signature's result type; a result that does not, like a panic, is
/// reported to the enclosing Rust caller (see the module docs) and C
/// receives the panic value (zero unless set).
pub struct RuntimeCallback {
    code: Option<CodeBlock>,
    ctx: *mut RtCtx,
}

// SAFETY: the context holds a `Send + Sync` handler and plain data.
unsafe impl Send for RuntimeCallback {}
// SAFETY: as above.
unsafe impl Sync for RuntimeCallback {}

fn zero_of(t: &Type) -> Value {
    Value::load(t, &vec![0u64; sysv::slots(t)])
}

fn bytes_of(v: &Value, t: &Type) -> Vec<u8> {
    let mut slots = vec![0u64; sysv::slots(t)];
    v.store(&mut slots);
    let mut b: Vec<u8> = slots.iter().flat_map(|s| s.to_le_bytes()).collect();
    b.truncate(t.size().max(1));
    b
}

unsafe extern "C" fn rt_handler(ctx: *const RtCtx, frame: *mut u64, stack: *const u8) {
    // SAFETY: the thunk passes the context it was made with (alive while the
    // callback is), and the frame and stack of this signature's call.
    unsafe {
        let ctx = &*ctx;
        let args: Vec<Value> = ctx
            .signature
            .args()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let bytes = frame::arg_bytes(&ctx.layout, i, t.size(), frame, stack);
                let slots: Vec<u64> = bytes
                    .chunks(8)
                    .map(|c| {
                        let mut w = [0u8; 8];
                        w[..c.len()].copy_from_slice(c);
                        u64::from_le_bytes(w)
                    })
                    .collect();
                // Small integers arrive extended by C; `load` truncates them.
                Value::load(t, &slots)
            })
            .collect();
        let ret = ctx.signature.ret();
        let value = match catch_unwind(AssertUnwindSafe(|| (ctx.handler)(&args))) {
            Ok(v) if *ret == Type::Void || v.fits(ret) => v,
            Ok(v) => {
                panics::caught(Box::new(format!(
                    "a run-time callback returned {} where its signature returns {ret}",
                    v.kind()
                )));
                ctx.panic_value.clone()
            }
            Err(p) => {
                panics::caught(p);
                ctx.panic_value.clone()
            }
        };
        if *ret != Type::Void {
            frame::ret_bytes(&ctx.layout, &bytes_of(&value, ret), frame);
        }
    }
}

impl RuntimeCallback {
    /// A callback of `signature` calling `handler`.
    pub fn new<H>(signature: Signature, handler: H) -> Result<RuntimeCallback, FfiError>
    where
        H: Fn(&[Value]) -> Value + Send + Sync + 'static,
    {
        if signature.is_variadic() {
            return Err(FfiError::Signature(crate::ffi::TypeError::InvalidField {
                what: "a callback cannot be variadic".to_owned(),
            }));
        }
        let layout = sysv::layout(&signature);
        let panic_value = zero_of(signature.ret());
        let ctx = Box::into_raw(Box::new(RtCtx {
            layout,
            signature,
            handler: Box::new(handler),
            panic_value,
        }));
        match thunks::instantiate_frame(ctx as usize, rt_handler as *const () as usize) {
            Ok(code) => Ok(RuntimeCallback {
                code: Some(code),
                ctx,
            }),
            Err(e) => {
                // SAFETY: `ctx` came from `Box::into_raw` above and was not shared.
                drop(unsafe { Box::from_raw(ctx) });
                Err(FfiError::CodeMemory(e))
            }
        }
    }

    /// The value C receives when the handler panics (must fit the result type).
    pub fn returning_on_panic(self, value: Value) -> Result<Self, FfiError> {
        // SAFETY: owned context; no call can run through it while we hold `self` by value.
        let ctx = unsafe { &mut *self.ctx };
        let ret = ctx.signature.ret().clone();
        if !value.fits(&ret) {
            return Err(FfiError::ArgumentType {
                index: usize::MAX,
                expected: ret,
                given: value.kind(),
            });
        }
        ctx.panic_value = value;
        Ok(self)
    }

    /// The C function pointer, valid while `self` lives.
    pub fn as_ptr(&self) -> *const () {
        self.code
            .as_ref()
            .map_or(std::ptr::null(), |c| c.as_ptr().cast())
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        // SAFETY: owned context.
        unsafe { &(*self.ctx).signature }
    }
}

impl Drop for RuntimeCallback {
    fn drop(&mut self) {
        drop(self.code.take());
        // SAFETY: from `Box::into_raw` in `new`, dropped once.
        drop(unsafe { Box::from_raw(self.ctx) });
    }
}

impl fmt::Debug for RuntimeCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeCallback")
            .field("signature", self.signature())
            .field("thunk", &self.as_ptr())
            .finish()
    }
}
