//! Run-time calls without a stub, for the most common shape of C function:
//! at most six arguments, each a 32- or 64-bit integer or a pointer, and
//! a 64-bit or `int` result (or none). `Procedure::call_raw` calls these
//! through a Rust function pointer taking six integers, so a call is the
//! loads of its argument slots, one indirect call and a few branch-free
//! instructions to extend the result: about what a compiler emits for a
//! call through a function pointer. Every other signature goes through its
//! generated stub.

use super::{Abi, Signature, Type};

/// A signature callable without a stub: how its result is extended
/// (`(rax & mask ^ sign) - sign`, as for the stubs' results) and whether it
/// has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Direct {
    mask: u64,
    sign: u64,
    has_result: bool,
}

impl Direct {
    /// The direct form of `signature`, if it has one: System V, not
    /// variadic, at most six arguments of 32- or 64-bit integer or pointer
    /// type, and a result of 64 bits, an `int` or none. (Narrower integer
    /// arguments are left to the stubs: a caller must extend them to 32
    /// bits, which a zero-padded slot does not do for negative values;
    /// floats and structs travel in other registers.)
    pub(super) fn of(abi: Abi, signature: &Signature, ret_slots: usize) -> Option<Direct> {
        let word = |t: &Type| {
            matches!(
                t,
                Type::I32 | Type::U32 | Type::I64 | Type::U64 | Type::Pointer
            )
        };
        let args = signature.args();
        if abi != Abi::SysV || signature.is_variadic() || args.len() > 6 || !args.iter().all(word) {
            return None;
        }
        let (mask, sign) = match signature.ret() {
            Type::Void | Type::I64 | Type::U64 | Type::Pointer => (u64::MAX, 0),
            Type::I32 => (0xffff_ffff, 1 << 31),
            _ => return None,
        };
        Some(Direct {
            mask,
            sign,
            has_result: ret_slots != 0,
        })
    }

    /// Calls `target` with the first six slots of `args` (zeroes for the
    /// slots `args` does not have) in the integer argument registers and
    /// writes the result's slot, if there is a result, into `ret[0]` (the
    /// returned register extended to 64 bits).
    ///
    /// Passing six arguments to a function taking fewer is harmless in
    /// System V (a callee reads only its own registers) and spares a
    /// dispatch on the arity; when the caller's slot array has a length
    /// known at compile time, the missing slots are constants.
    ///
    /// # Safety
    ///
    /// `target` is a function of the signature this was made for, and
    /// `args` holds at least as many slots as it has arguments.
    #[inline(always)]
    pub(super) unsafe fn call(self, target: usize, args: &[u64], ret: &mut [u64]) {
        type F6 = unsafe extern "C" fn(u64, u64, u64, u64, u64, u64) -> u64;
        let a = |k: usize| args.get(k).copied().unwrap_or(0);
        // SAFETY: the caller's contract. At the machine level the call is
        // the one the target expects: System V passes each of its arguments
        // in the next integer register (a 32-bit one in the low half, which
        // its zero-padded slot holds), ignores the registers it does not
        // take, and returns the result in `rax` (a 32-bit one in `eax`, the
        // upper half undefined, hence the extension).
        let rax =
            unsafe { std::mem::transmute::<usize, F6>(target)(a(0), a(1), a(2), a(3), a(4), a(5)) };
        if self.has_result {
            if let Some(r) = ret.first_mut() {
                // A sign extension when `sign` is 2^31 (see `RegResult`).
                let sign = self.sign;
                *r = ((rax & self.mask) ^ sign).wrapping_sub(sign);
            }
        }
    }
}
