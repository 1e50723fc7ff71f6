//! Call stubs for Win64 (Microsoft x64) targets with signatures known only
//! at run time.
//!
//! The stub has the same interface as [`sysv_call_stub`](super::sysv_call_stub)'s
//! and reads the same slot array:
//!
//! ```text
//! void stub(void *target, const uint64_t *args, uint64_t *ret);   // System V
//! ```
//!
//! It is itself called with the System V convention and calls `target` with
//! the Win64 one (see [`win64`](crate::abi::win64)): it reserves the shadow
//! space, the stack arguments and 16-byte aligned copies of the aggregates
//! passed by reference in its own frame, loads the four register positions,
//! and stores the result into `ret` (small integers sign- or zero-extended to
//! 64 bits, `float` and aggregates in `rax` zero padded to 8 bytes, large
//! aggregates written by the callee through the hidden pointer, which is
//! `ret` itself).
//!
//! Registers: a Win64 callee preserves `rbx, rbp, rsi, rdi, r12`–`r15` and
//! `xmm6`–`xmm15`, a superset of what System V callers expect to survive,
//! so the stub only keeps its own state (`rbx` = `ret`, `r12` = `args`) in
//! registers both conventions preserve.
//!
//! ```text
//! rbp+8      return address (into the System V caller)
//! rbp        saved rbp
//! rbp-8      saved rbx
//! rbp-16     saved r12                 (16-byte aligned)
//!  ...       copies of by-reference aggregates, 16-byte aligned
//! rsp+32     fifth and later arguments, 8 bytes each
//! rsp        32 bytes of shadow space  (16-byte aligned at the call)
//! ```

use super::asm::Asm;
use super::CodegenError;
use crate::abi::win64::{layout, ArgPass, Class, Loc, RetPass};
use crate::abi::{Signature, Type};
use iced_x86::{Code, Register};

const INT_ARGS: [Register; 4] = [Register::RCX, Register::RDX, Register::R8, Register::R9];
const INT_ARGS32: [Register; 4] = [Register::ECX, Register::EDX, Register::R8D, Register::R9D];
const SSE: [Register; 4] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
];

/// Copies of more than this many bytes use `rep movsq` rather than unrolled moves.
const UNROLL_LIMIT: usize = 128;

/// The Win64 call stub for `sig`, callable with the System V convention.
pub fn win64_call_stub(sig: &Signature) -> Result<Vec<u8>, CodegenError> {
    let l = layout(sig);
    let frame = i32::try_from(l.frame_bytes)
        .map_err(|_| CodegenError::new("win64 call stub", "the stack frame is too large"))?;
    let mut a = Asm::new("win64 call stub");
    // After the return address and three pushes rsp is 16-byte aligned; the
    // frame is a multiple of 16, so it stays aligned at the call.
    a.call_stub_prologue();
    a.sub_imm(Register::RSP, frame);

    // 1. Copies of the aggregates passed by reference (this may use rcx,
    //    rsi and rdi, so it comes before any argument register is set).
    for (i, pass) in l.args.iter().enumerate() {
        let ArgPass::Reference { copy, size, .. } = *pass else {
            continue;
        };
        let base = (l.slot_of[i] * 8) as i64;
        // The slot array holds the value zero padded to whole slots, so
        // reading whole quadwords stays inside it.
        let bytes = size.next_multiple_of(8);
        if bytes > UNROLL_LIMIT {
            a.lea(Register::RSI, Register::R12, base);
            a.lea(Register::RDI, Register::RSP, copy as i64);
            a.mov_imm32(Register::ECX, (bytes / 8) as u32);
            a.rep_movsq();
        } else {
            for k in (0..bytes).step_by(8) {
                a.load(
                    Code::Mov_r64_rm64,
                    Register::RAX,
                    Register::R12,
                    base + k as i64,
                );
                a.store(
                    Code::Mov_rm64_r64,
                    Register::RSP,
                    (copy + k) as i64,
                    Register::RAX,
                );
            }
        }
    }

    // 2. Stack arguments, through rax.
    for (i, (pass, ty)) in l.args.iter().zip(sig.args()).enumerate() {
        let base = (l.slot_of[i] * 8) as i64;
        match *pass {
            ArgPass::Value {
                loc: Loc::Stack { offset },
                class,
            } => {
                match class {
                    Class::Int => a.load_int_arg(ty, Register::RAX, Register::EAX, base),
                    Class::Sse => a.load(Code::Mov_r64_rm64, Register::RAX, Register::R12, base),
                }
                a.store(
                    Code::Mov_rm64_r64,
                    Register::RSP,
                    offset as i64,
                    Register::RAX,
                );
            }
            ArgPass::Reference {
                loc: Loc::Stack { offset },
                copy,
                ..
            } => {
                a.lea(Register::RAX, Register::RSP, copy as i64);
                a.store(
                    Code::Mov_rm64_r64,
                    Register::RSP,
                    offset as i64,
                    Register::RAX,
                );
            }
            _ => {}
        }
    }

    // 3. The four register positions.
    if l.ret == RetPass::Memory {
        // The hidden result pointer: the result array itself.
        a.mov_rr(Register::RCX, Register::RBX);
    }
    for (i, (pass, ty)) in l.args.iter().zip(sig.args()).enumerate() {
        let base = (l.slot_of[i] * 8) as i64;
        match *pass {
            ArgPass::Value {
                loc: Loc::Reg(p),
                class: Class::Int,
            } => {
                let p = p as usize;
                a.load_int_arg(ty, INT_ARGS[p], INT_ARGS32[p], base);
            }
            ArgPass::Value {
                loc: Loc::Reg(p),
                class: Class::Sse,
            } => {
                let p = p as usize;
                a.load(Code::Movq_xmm_rm64, SSE[p], Register::R12, base);
                if sig.is_variadic() {
                    // The callee's va_arg reads the integer registers.
                    a.load(Code::Mov_r64_rm64, INT_ARGS[p], Register::R12, base);
                }
            }
            ArgPass::Reference {
                loc: Loc::Reg(p),
                copy,
                ..
            } => {
                a.lea(INT_ARGS[p as usize], Register::RSP, copy as i64);
            }
            _ => {}
        }
    }

    a.call_r(Register::R11);

    // 4. The result.
    match l.ret {
        RetPass::Void | RetPass::Memory => {}
        RetPass::Int => {
            match sig.ret() {
                // Aggregates in rax: only their bytes, zero padded.
                Type::Struct(s) => match s.size() {
                    1 => a.rr(Code::Movzx_r32_rm8, Register::EAX, Register::AL),
                    2 => a.rr(Code::Movzx_r32_rm16, Register::EAX, Register::AX),
                    4 => a.rr(Code::Mov_r32_rm32, Register::EAX, Register::EAX),
                    _ => {}
                },
                scalar => a.extend_int_result(scalar),
            }
            a.store(Code::Mov_rm64_r64, Register::RBX, 0, Register::RAX);
        }
        RetPass::Sse => {
            if *sig.ret() == Type::F32 {
                // movd zero-extends into rax: the slot holds the float's
                // bits, zero padded.
                a.rr(Code::Movd_rm32_xmm, Register::EAX, Register::XMM0);
                a.store(Code::Mov_rm64_r64, Register::RBX, 0, Register::RAX);
            } else {
                a.store(Code::Movq_rm64_xmm, Register::RBX, 0, Register::XMM0);
            }
        }
    }
    a.call_stub_epilogue();
    a.finish(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_encode_and_start_with_endbr64() {
        let s3 = Type::structure(vec![Type::Array(Box::new(Type::U8), 3)])
            .unwrap_or_else(|e| panic!("{e}"));
        let big = Type::structure(vec![Type::U64; 40]).unwrap_or_else(|e| panic!("{e}"));
        let sigs = [
            Signature::new(vec![], Type::Void),
            Signature::new(
                vec![Type::I8, Type::F32, Type::U16, Type::F64, Type::I32],
                Type::I8,
            ),
            Signature::new(
                vec![s3.clone(), big.clone(), Type::F64, s3.clone(), big],
                s3,
            ),
            Signature::variadic(vec![Type::Pointer, Type::F64, Type::F64], 1, Type::I32),
        ];
        for sig in sigs {
            let sig = sig.unwrap_or_else(|e| panic!("{e}"));
            let code = win64_call_stub(&sig).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&code[..4], &[0xF3, 0x0F, 0x1E, 0xFA], "{sig:?}");
        }
    }
}
