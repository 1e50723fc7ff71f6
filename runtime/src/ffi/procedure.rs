//! A foreign procedure built at run time: a target, a signature, the calling
//! convention the target follows and its call stub.

use super::direct::Direct;
use super::stubs::{stub_for, StubKind};
use super::{Abi, FfiError, Signature, Type, Value};
use crate::code::memory::CodeBlock;
use crate::decl::Decl;
use alien_codegen::abi::sysv::{self, Layout};
use std::sync::Arc;

/// What a procedure calls: a fixed address, or a linkage-table entry (which
/// follows later binding and reports a missing symbol as an error).
#[derive(Debug, Clone, Copy)]
enum Target {
    Address(usize),
    Linkage(&'static Decl),
}

/// A C function callable with a signature known only at run time.
#[derive(Debug, Clone)]
pub struct Procedure {
    target: Target,
    /// The stub's entry (kept alive by `_stub`).
    stub: usize,
    /// What to do with the registers the call returns (jump stubs), or
    /// `None` when the stub stores the result itself or there is none.
    result: Option<RegResult>,
    /// Set for the signatures called without a stub (see [`Direct`]).
    direct: Option<Direct>,
    /// `layout.slots`, here so the call path reads one cache line.
    arg_slots: usize,
    ret_slots: usize,
    signature: Signature,
    abi: Abi,
    layout: Arc<Layout>,
    /// Owns the stub's code: freed when the last clone drops.
    _stub: Arc<CodeBlock>,
}

/// How the result a jump stub's target returns becomes its slot: taken from
/// `xmm0` or `rax`, masked to its width and sign-extended by flipping and
/// subtracting its sign bit (`(v & mask ^ sign) - sign`, with `sign` zero for
/// unsigned, 64-bit and floating-point results). Branch-free, and without
/// shifts by a variable count, which on x86 merge the flags and so chain
/// every call of a loop to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RegResult {
    sse: bool,
    mask: u64,
    sign: u64,
}

impl RegResult {
    fn of(ty: &Type) -> Option<RegResult> {
        let (sse, bits, signed) = match ty {
            Type::Void | Type::Struct(_) | Type::Array(..) => return None,
            Type::F32 => (true, 32, false),
            Type::F64 => (true, 64, false),
            Type::I8 => (false, 8, true),
            Type::U8 | Type::Bool => (false, 8, false),
            Type::I16 => (false, 16, true),
            Type::U16 => (false, 16, false),
            Type::I32 => (false, 32, true),
            Type::U32 => (false, 32, false),
            _ => (false, 64, false),
        };
        Some(RegResult {
            sse,
            mask: if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            },
            sign: if signed && bits < 64 {
                1u64 << (bits - 1)
            } else {
                0
            },
        })
    }

    /// The slot of the returned registers.
    #[inline(always)]
    fn slot(self, rax: u64, xmm0: u64) -> u64 {
        let v = if self.sse { xmm0 } else { rax };
        ((v & self.mask) ^ self.sign).wrapping_sub(self.sign)
    }
}

/// Calls the stub at `stub` as `stub(target, args, ret)` (System V) and
/// returns `rax` and the low 64 bits of `xmm0` as the call left them: a
/// storing stub writes `ret` and its registers mean nothing; a jump stub
/// ignores `ret`, and its target's result is in them. One call instruction
/// for every kind of stub.
///
/// # Safety
///
/// `stub` is a stub taking these arguments, and calling it through them
/// is sound (the target is the function its signature says, the arrays
/// hold the slots it reads and writes).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn call_stub(stub: usize, target: usize, args: *const u64, ret: *mut u64) -> (u64, u64) {
    let (rax, xmm0): (u64, u64);
    // SAFETY: the caller's contract. The stub and what it calls follow the
    // System V convention: `clobber_abi("C")` declares every register a C
    // call may change, the stack is aligned for a call at an asm block
    // without `nostack`, and the block may read and write any memory. It
    // must not unwind (as an `extern "C"` call must not): `call_raw`
    // resolves a linkage target before calling it.
    unsafe {
        std::arch::asm!(
            "call {stub}",
            stub = in(reg) stub,
            in("rdi") target,
            in("rsi") args,
            in("rdx") ret,
            lateout("rax") rax,
            lateout("xmm0") xmm0,
            clobber_abi("C"),
        );
    }
    (rax, xmm0)
}

/// The stubs are x86-64 code: elsewhere this only keeps the crate compiling.
///
/// # Safety
///
/// As for the x86-64 version.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn call_stub(stub: usize, target: usize, args: *const u64, ret: *mut u64) -> (u64, u64) {
    type StubFn = unsafe extern "C" fn(usize, *const u64, *mut u64) -> u64;
    // SAFETY: the caller's contract.
    unsafe {
        (
            std::mem::transmute::<usize, StubFn>(stub)(target, args, ret),
            0,
        )
    }
}

impl Procedure {
    /// A procedure calling the function at `address` (System V convention).
    ///
    /// # Safety
    ///
    /// `address` must be a C function of type `signature` that stays valid
    /// while the procedure is used.
    pub unsafe fn from_address(
        address: usize,
        signature: Signature,
    ) -> Result<Procedure, FfiError> {
        Procedure::build(Target::Address(address), signature, Abi::SysV)
    }

    /// A procedure calling the function at `address`, which follows the
    /// calling convention `abi` (e.g. an `extern "win64"` function or a
    /// `__attribute__((ms_abi))` one for [`Abi::Win64`]). The slot arrays of
    /// [`call_raw`](Self::call_raw) are the same for every convention.
    ///
    /// # Safety
    ///
    /// `address` must be a function of type `signature` following `abi` that
    /// stays valid while the procedure is used.
    pub unsafe fn from_address_with_abi(
        address: usize,
        signature: Signature,
        abi: Abi,
    ) -> Result<Procedure, FfiError> {
        Procedure::build(Target::Address(address), signature, abi)
    }

    /// A procedure calling `symbol` through the linkage table (found in
    /// `library` and the global scope, now or when a library providing it is
    /// loaded later). A missing symbol is reported when the procedure is
    /// called, as [`FfiError::Undefined`].
    ///
    /// The signature is the caller's claim; calling is `unsafe`.
    pub fn from_symbol(
        symbol: &str,
        library: Option<&str>,
        signature: Signature,
    ) -> Result<Procedure, FfiError> {
        Procedure::from_symbol_with_abi(symbol, library, signature, Abi::SysV)
    }

    /// As [`from_symbol`](Self::from_symbol), for a function following the
    /// calling convention `abi`.
    pub fn from_symbol_with_abi(
        symbol: &str,
        library: Option<&str>,
        signature: Signature,
        abi: Abi,
    ) -> Result<Procedure, FfiError> {
        let entry = crate::try_ensure_linkage(symbol, library).map_err(FfiError::Linkage)?;
        Procedure::build(Target::Linkage(entry.decl()), signature, abi)
    }

    fn build(target: Target, signature: Signature, abi: Abi) -> Result<Procedure, FfiError> {
        let stub = stub_for(abi, &signature)?;
        // The slot array (slots and slot_of) is System V's for every
        // convention; only the stub differs.
        let layout = sysv::layout(&signature);
        let ret_slots = match signature.ret() {
            Type::Void => 0,
            t => sysv::slots(t),
        };
        let direct = Direct::of(abi, &signature, ret_slots);
        let result = match stub.kind {
            StubKind::Store => None,
            StubKind::Jump => RegResult::of(signature.ret()),
        };
        Ok(Procedure {
            target,
            direct,
            stub: stub.code.addr(),
            result,
            arg_slots: layout.slots,
            ret_slots,
            signature,
            abi,
            layout: Arc::new(layout),
            _stub: stub.code,
        })
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The calling convention of the target.
    pub fn abi(&self) -> Abi {
        self.abi
    }

    /// Slots the argument array needs (see [`call_raw`](Self::call_raw)).
    pub fn arg_slots(&self) -> usize {
        self.layout.slots
    }

    /// The first slot of each argument.
    pub fn slot_of(&self) -> &[usize] {
        &self.layout.slot_of
    }

    /// Slots the result array needs.
    pub fn ret_slots(&self) -> usize {
        self.ret_slots
    }

    /// The address of a linkage-table target not bound yet, after binding
    /// it (out of line: the call path only checks that it is bound).
    #[cold]
    #[inline(never)]
    fn unresolved_target(&self) -> Result<usize, FfiError> {
        let decl = match self.target {
            Target::Linkage(decl) => decl,
            Target::Address(a) => return Ok(a),
        };
        if !decl.is_resolved() {
            crate::__private::try_callable(decl).map_err(FfiError::Undefined)?;
        }
        Ok(decl.slot() as usize)
    }

    /// The error for slot arrays too short for this signature.
    #[cold]
    #[inline(never)]
    fn slot_count_error(&self, args: usize, ret: usize) -> FfiError {
        if args < self.arg_slots {
            FfiError::SlotCount {
                what: "argument",
                expected: self.arg_slots,
                given: args,
            }
        } else {
            FfiError::SlotCount {
                what: "result",
                expected: self.ret_slots,
                given: ret,
            }
        }
    }

    /// The fast path: arguments already in their slots (each argument at
    /// [`slot_of`](Self::slot_of), little-endian, zero padded), the result
    /// written to `ret` (small integers extended to 64 bits, structs as
    /// their bytes).
    ///
    /// It checks the two lengths and calls the target. The most common
    /// shape — System V, at most six arguments that are 32- or 64-bit
    /// integers or pointers, and such a result or none — needs no stub: the
    /// slots go straight into the argument registers of a call through a
    /// function pointer. Otherwise the signature's stub is called: for only
    /// register arguments and a scalar (or no) result, it loads the
    /// registers from `args` and jumps to the target, which returns here;
    /// otherwise it also pushes the stack arguments, calls the target and
    /// stores the result registers into `ret`. A result in a register is
    /// extended into `ret[0]` here.
    ///
    /// # Safety
    ///
    /// The target must be a C function of this signature, and every pointer
    /// argument valid for what it does with it.
    // Always inlined: in a caller's loop the length checks hoist and the
    // call is one `call` instruction.
    #[inline(always)]
    pub unsafe fn call_raw(&self, args: &[u64], ret: &mut [u64]) -> Result<(), FfiError> {
        if args.len() < self.arg_slots || ret.len() < self.ret_slots {
            return Err(self.slot_count_error(args.len(), ret.len()));
        }
        let target = match self.target {
            Target::Address(a) => a,
            Target::Linkage(decl) if decl.is_resolved() => decl.slot() as usize,
            Target::Linkage(_) => self.unresolved_target()?,
        };
        if let Some(direct) = self.direct {
            // SAFETY: `Direct::of` made `direct` for this signature, whose
            // `arg_slots` argument slots and `ret_slots` result slots were
            // checked above; the caller vouches for the target.
            unsafe { direct.call(target, args, ret) };
            return Ok(());
        }
        // SAFETY: the stub was generated for this signature; it reads
        // `arg_slots` argument slots and (a storing stub) writes `ret_slots`
        // result slots, both checked above; the caller vouches for the target.
        let (rax, xmm0) = unsafe { call_stub(self.stub, target, args.as_ptr(), ret.as_mut_ptr()) };
        if let Some(result) = self.result {
            if let Some(slot) = ret.first_mut() {
                *slot = result.slot(rax, xmm0);
            }
        }
        Ok(())
    }

    /// The checked path: every argument's type is checked against the
    /// signature before anything is called.
    ///
    /// # Safety
    ///
    /// As for [`call_raw`](Self::call_raw).
    pub unsafe fn call(&self, args: &[Value]) -> Result<Value, FfiError> {
        let types = self.signature.args();
        if args.len() != types.len() {
            return Err(FfiError::ArgumentCount {
                expected: types.len(),
                given: args.len(),
            });
        }
        // The slot arrays live on the stack up to STACK_SLOTS slots, on the
        // heap beyond.
        let mut args_stack = [0u64; STACK_SLOTS];
        let mut args_heap = Vec::new();
        let slots = small_or_heap(&mut args_stack, &mut args_heap, self.arg_slots);
        for (index, ((v, t), &at)) in args.iter().zip(types).zip(&self.layout.slot_of).enumerate() {
            if !v.store_as(t, &mut slots[at..]) {
                return Err(FfiError::ArgumentType {
                    index,
                    expected: t.clone(),
                    given: v.kind(),
                });
            }
        }
        let mut ret_stack = [0u64; STACK_SLOTS];
        let mut ret_heap = Vec::new();
        let ret = small_or_heap(&mut ret_stack, &mut ret_heap, self.ret_slots.max(1));
        // SAFETY: the caller's promise, forwarded.
        unsafe { self.call_raw(slots, ret)? };
        Ok(Value::load(self.signature.ret(), ret))
    }
}

/// Slot arrays of the checked path up to this many slots stay on the stack.
const STACK_SLOTS: usize = 16;

/// The first `n` slots of `stack` (zeroed), or of `heap` grown to `n` zeroes
/// when `stack` is too short.
fn small_or_heap<'a>(
    stack: &'a mut [u64; STACK_SLOTS],
    heap: &'a mut Vec<u64>,
    n: usize,
) -> &'a mut [u64] {
    if n <= STACK_SLOTS {
        &mut stack[..n]
    } else {
        heap.resize(n, 0);
        heap
    }
}

/// How many (convention, signature) pairs have a generated stub.
pub fn cached_stubs() -> usize {
    super::stubs::cached_stubs()
}
