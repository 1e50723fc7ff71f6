//! Call stubs for signatures known only at run time (Larceny's "specialized
//! apply"): machine code that loads an argument slot array into registers and
//! stack per the System V ABI, calls the target, and stores the result.
//!
//! The stub is an ordinary C function:
//!
//! ```text
//! void stub(void *target, const uint64_t *args, uint64_t *ret);
//! ```
//!
//! `args` holds each argument in `sysv::slots(ty)` 8-byte slots (see
//! [`Layout::slot_of`](crate::abi::sysv::Layout)); `ret` receives the result
//! in as many slots (a struct returned in memory is written there directly,
//! through the hidden pointer). Small integer results are sign- or
//! zero-extended to 64 bits by the stub: the callee leaves the bits above
//! `al`/`ax`/`eax` undefined, and extending them is the caller's job.

use super::asm::Asm;
use super::CodegenError;
use crate::abi::sysv::{layout, ArgPass, Reg, RetPass};
use crate::abi::{Signature, Type};
use iced_x86::{Code, Register};

const INT_ARGS: [Register; 6] = [
    Register::RDI,
    Register::RSI,
    Register::RDX,
    Register::RCX,
    Register::R8,
    Register::R9,
];
const INT_ARGS32: [Register; 6] = [
    Register::EDI,
    Register::ESI,
    Register::EDX,
    Register::ECX,
    Register::R8D,
    Register::R9D,
];
const SSE: [Register; 8] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
    Register::XMM4,
    Register::XMM5,
    Register::XMM6,
    Register::XMM7,
];

/// The System V call stub for `sig`.
pub fn sysv_call_stub(sig: &Signature) -> Result<Vec<u8>, CodegenError> {
    let l = layout(sig);
    let mut a = Asm::new("call stub");
    // Frame: rbp, then rbx (result pointer) and r12 (argument array); rsp
    // stays 16-byte aligned after the two pushes.
    a.call_stub_prologue();
    if l.stack_bytes > 0 {
        a.sub_imm(Register::RSP, l.stack_bytes as i32);
    }
    // Stack arguments first (they go through rax, which is set last).
    for (i, pass) in l.args.iter().enumerate() {
        if let ArgPass::Stack { offset, size } = pass {
            let base = (l.slot_of[i] * 8) as i64;
            for k in (0..*size).step_by(8) {
                a.load(
                    Code::Mov_r64_rm64,
                    Register::RAX,
                    Register::R12,
                    base + k as i64,
                );
                a.store(
                    Code::Mov_rm64_r64,
                    Register::RSP,
                    (offset + k) as i64,
                    Register::RAX,
                );
            }
        }
    }
    if l.ret == RetPass::Memory {
        a.mov_rr(Register::RDI, Register::RBX);
    }
    for (i, (pass, ty)) in l.args.iter().zip(sig.args()).enumerate() {
        let ArgPass::Regs(parts) = pass else { continue };
        let base = (l.slot_of[i] * 8) as i64;
        for p in parts {
            let at = base + p.offset as i64;
            match p.reg {
                Reg::Int(r) => {
                    let r = r as usize;
                    a.load_int_arg(ty, INT_ARGS[r], INT_ARGS32[r], at);
                }
                Reg::Sse(r) => a.load(Code::Movq_xmm_rm64, SSE[r as usize], Register::R12, at),
            }
        }
    }
    if sig.is_variadic() {
        a.mov_imm32(Register::EAX, l.sse_regs as u32);
    }
    a.call_r(Register::R11);
    match &l.ret {
        RetPass::Void | RetPass::Memory => {}
        RetPass::Regs(parts) => {
            let scalar = !matches!(sig.ret(), Type::Struct(_));
            for p in parts {
                match p.reg {
                    Reg::Int(r) => {
                        let src = if r == 0 { Register::RAX } else { Register::RDX };
                        if scalar {
                            a.extend_int_result(sig.ret());
                        }
                        a.store(Code::Mov_rm64_r64, Register::RBX, p.offset as i64, src);
                    }
                    Reg::Sse(r) => {
                        let src = if r == 0 {
                            Register::XMM0
                        } else {
                            Register::XMM1
                        };
                        a.store(Code::Movq_rm64_xmm, Register::RBX, p.offset as i64, src);
                    }
                }
            }
        }
    }
    a.call_stub_epilogue();
    a.finish(0)
}
