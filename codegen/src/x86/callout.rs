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
use crate::abi::sysv::{layout, ArgPass, Layout, Reg, RetPass};
use crate::abi::{Signature, Type};
use iced_x86::{Code, Instruction, MemoryOperand, Register};

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
///
/// ```text
/// endbr64
/// push rdx                      ; the result array (and rsp 16-byte aligned)
/// mov r11, rdi                  ; the target
/// push qword [rsi + ..] / push 0   (stack arguments, last eightbyte first)
/// mov rdi, rdx                  ; (a result returned in memory)
/// movq xmmN, [rsi + ..]         ; vector arguments
/// mov rdi/rdx/rcx/r8/r9, [rsi + ..] ; general arguments, rsi's last
/// mov eax, <vector registers>   ; (variadic)
/// call r11
/// lea rsp, [rsp + <stack bytes>]   ; (stack arguments)
/// pop rcx                       ; the result array
/// mov [rcx + ..], rax / rdx / xmm0 / xmm1   (small integers extended)
/// ret
/// ```
///
/// `stack_bytes` is a multiple of 16, so `rsp` is aligned at the call. The
/// result array is kept on the stack rather than in a callee-saved
/// register: saving and restoring one would chain every call of a loop to
/// the previous one through memory.
pub fn sysv_call_stub(sig: &Signature) -> Result<Vec<u8>, CodegenError> {
    let l = layout(sig);
    let mut a = Asm::new("call stub");
    a.endbr64();
    a.push_r(Register::RDX);
    a.mov_rr(Register::R11, Register::RDI);
    push_stack_args(&mut a, &l)?;
    if l.ret == RetPass::Memory {
        a.mov_rr(Register::RDI, Register::RDX);
    }
    load_register_args(&mut a, sig, &l);
    a.call_r(Register::R11);
    if l.stack_bytes > 0 {
        a.lea(Register::RSP, Register::RSP, l.stack_bytes as i64);
    }
    a.pop_r(Register::RCX);
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
                        a.store(Code::Mov_rm64_r64, Register::RCX, p.offset as i64, src);
                    }
                    Reg::Sse(r) => {
                        let src = if r == 0 {
                            Register::XMM0
                        } else {
                            Register::XMM1
                        };
                        a.store(Code::Movq_rm64_xmm, Register::RCX, p.offset as i64, src);
                    }
                }
            }
        }
    }
    a.ret();
    a.finish(0)
}

/// Pushes the stack arguments from the slot array at `rsi`: each eightbyte
/// of the area (a multiple of 16 bytes) from the slot that holds it, zero
/// for padding, last first, so the first lands at the lowest address.
fn push_stack_args(a: &mut Asm, l: &Layout) -> Result<(), CodegenError> {
    let mut words: Vec<Option<i64>> = vec![None; l.stack_bytes / 8];
    for (i, pass) in l.args.iter().enumerate() {
        if let ArgPass::Stack { offset, size } = pass {
            let base = (l.slot_of[i] * 8) as i64;
            for k in (0..*size).step_by(8) {
                if let Some(w) = words.get_mut((offset + k) / 8) {
                    *w = Some(base + k as i64);
                }
            }
        }
    }
    for w in words.iter().rev() {
        let made = match w {
            Some(at) => Instruction::with1(
                Code::Push_rm64,
                MemoryOperand::with_base_displ(Register::RSI, *at),
            ),
            None => Instruction::with1(Code::Pushq_imm8, 0i32),
        };
        match made {
            Ok(ins) => a.code.push(ins),
            Err(e) => return Err(CodegenError::new("call stub", e)),
        }
    }
    Ok(())
}

/// Loads the argument registers from the slot array at `rsi`: the vector
/// ones, then the general ones with `rsi`'s own last; and `eax` for a
/// variadic call.
fn load_register_args(a: &mut Asm, sig: &Signature, l: &Layout) {
    let mut int_loads = Vec::new();
    for (i, (pass, ty)) in l.args.iter().zip(sig.args()).enumerate() {
        let ArgPass::Regs(parts) = pass else { continue };
        let base = (l.slot_of[i] * 8) as i64;
        for p in parts {
            let at = base + p.offset as i64;
            match p.reg {
                Reg::Int(r) => int_loads.push((r as usize, ty, at)),
                Reg::Sse(r) => a.load(Code::Movq_xmm_rm64, SSE[r as usize], Register::RSI, at),
            }
        }
    }
    int_loads.sort_by_key(|&(r, _, _)| r == 1);
    for (r, ty, at) in int_loads {
        load_int_arg(a, ty, r, at);
    }
    if sig.is_variadic() {
        a.mov_imm32(Register::EAX, l.sse_regs as u32);
    }
}

/// Where the result of a call through a jump stub comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JumpReturn {
    /// In `rax`, as the target left it (a `void` result, an integer or a
    /// pointer; the bits above a small integer are undefined, the caller
    /// extends it).
    Int,
    /// In `xmm0` (a `float` or `double`; above a `float` undefined).
    Sse,
}

/// The System V *jump stub* for `sig`, when it has one: every argument in
/// registers and a scalar or `void` result. The stub is
///
/// ```text
/// uint64_t stub(void *target, const uint64_t *args);   // JumpReturn::Int
/// double   stub(void *target, const uint64_t *args);   // JumpReturn::Sse
/// ```
///
/// It loads the argument registers from the slot array and jumps to the
/// target, which returns straight to the stub's caller with its result in
/// `rax` or `xmm0` (the bits above a small integer or a `float`
/// undefined):
///
/// ```text
/// endbr64
/// mov r11, rdi
/// movq xmmN, [rsi + ..]              ; vector arguments
/// mov rdi/rdx/rcx/r8/r9, [rsi + ..]  ; general arguments, rsi's last
/// mov eax, <vector registers>        ; (variadic)
/// jmp r11
/// ```
///
/// One call and one return instead of two of each, and the result stays in
/// a register. `None` for signatures with stack arguments or a struct
/// result: they take [`sysv_call_stub`]. (A jump stub could push stack
/// arguments under the return address, but the caller would then have to
/// restore `rsp` from a callee-saved register; measured on `sum12`, that
/// was no faster.)
pub fn sysv_jump_stub(sig: &Signature) -> Result<Option<(Vec<u8>, JumpReturn)>, CodegenError> {
    let l = layout(sig);
    let ret = match sig.ret() {
        Type::Struct(_) | Type::Array(..) => return Ok(None),
        Type::F32 | Type::F64 => JumpReturn::Sse,
        _ => JumpReturn::Int,
    };
    if l.stack_bytes > 0 || l.ret == RetPass::Memory {
        return Ok(None);
    }
    let mut a = Asm::new("jump stub");
    a.endbr64();
    a.mov_rr(Register::R11, Register::RDI);
    load_register_args(&mut a, sig, &l);
    a.jmp_r(Register::R11);
    Ok(Some((a.finish(0)?, ret)))
}

/// Loads general argument register `r` (of type `ty`) from `[rsi + at]`:
/// integers narrower than `int` are extended to 32 bits, as C callers do;
/// anything else takes the whole (zero-padded) slot.
fn load_int_arg(a: &mut Asm, ty: &Type, r: usize, at: i64) {
    let (dst, dst32) = (INT_ARGS[r], INT_ARGS32[r]);
    let base = Register::RSI;
    match ty {
        Type::I8 => a.load(Code::Movsx_r32_rm8, dst32, base, at),
        Type::U8 | Type::Bool => a.load(Code::Movzx_r32_rm8, dst32, base, at),
        Type::I16 => a.load(Code::Movsx_r32_rm16, dst32, base, at),
        Type::U16 => a.load(Code::Movzx_r32_rm16, dst32, base, at),
        _ => a.load(Code::Mov_r64_rm64, dst, base, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};

    fn sig(args: Vec<Type>, ret: Type) -> Signature {
        Signature::new(args, ret).unwrap_or_else(|e| panic!("{e}"))
    }

    fn disasm(code: &[u8]) -> Vec<String> {
        let mut f = IntelFormatter::new();
        Decoder::new(64, code, DecoderOptions::NONE)
            .into_iter()
            .map(|i| {
                let mut s = String::new();
                f.format(&i, &mut s);
                s
            })
            .collect()
    }

    #[test]
    fn jump_stub_loads_registers_and_jumps() {
        let (code, ret) = sysv_jump_stub(&sig(vec![Type::I32, Type::I8], Type::I32))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("register-only signature has a jump stub"));
        assert_eq!(ret, JumpReturn::Int);
        assert_eq!(
            disasm(&code),
            [
                "endbr64",
                "mov r11,rdi",
                "mov rdi,[rsi]",
                "movsx esi,byte ptr [rsi+8]",
                "jmp r11"
            ]
        );
        let (code, ret) = sysv_jump_stub(&sig(vec![Type::F64, Type::Pointer], Type::F32))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("register-only signature has a jump stub"));
        assert_eq!(ret, JumpReturn::Sse);
        assert_eq!(
            disasm(&code),
            [
                "endbr64",
                "mov r11,rdi",
                "movq xmm0,[rsi]",
                "mov rdi,[rsi+8]",
                "jmp r11"
            ]
        );
    }

    #[test]
    fn no_jump_stub_for_stack_arguments_or_struct_results() {
        let pair = Type::structure(vec![Type::I64, Type::I64]).unwrap_or_else(|e| panic!("{e}"));
        let big = Type::structure(vec![Type::I64; 4]).unwrap_or_else(|e| panic!("{e}"));
        for s in [
            sig(vec![Type::I32; 7], Type::I32),
            sig(vec![Type::F64; 9], Type::F64),
            sig(vec![Type::I32], pair),
            sig(vec![], big),
        ] {
            assert!(sysv_jump_stub(&s)
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none());
        }
    }

    #[test]
    fn call_stub_pushes_stack_arguments_and_stores_the_result() {
        let code =
            sysv_call_stub(&sig(vec![Type::I32; 7], Type::I16)).unwrap_or_else(|e| panic!("{e}"));
        let d = disasm(&code);
        assert_eq!(
            d[..5],
            [
                "endbr64",
                "push rdx",
                "mov r11,rdi",
                "push 0",
                "push qword ptr [rsi+30h]"
            ]
        );
        assert_eq!(
            d[d.len() - 6..],
            [
                "call r11",
                "lea rsp,[rsp+10h]",
                "pop rcx",
                "movsx rax,ax",
                "mov [rcx],rax",
                "ret"
            ]
        );
        // rsi, the base of every load, is loaded last.
        assert_eq!(d[d.len() - 7], "mov rsi,[rsi+8]");
    }
}
