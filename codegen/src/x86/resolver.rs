//! The resolver routine shared by every lazy stub.
//!
//! It is entered by a `jmp` from a lazy stub with the caller's arguments
//! untouched and the stub's tag in `r11`. It saves the complete argument
//! state — the six integer argument registers, `rax` (`%al` carries the
//! vector-register count of a variadic call), `r10` (the static chain) and the
//! vector state: `xmm0`–`xmm7` for declared functions, whose C types the
//! macros know ([`SaveMode::ArgsOnly`]), or all of it (with `xsavec`, `xsave`
//! or `fxsave`, chosen at run time as glibc's `_dl_runtime_resolve` does) for
//! names known only at run time — calls
//! `resolve(tag) -> target` (a plain C-ABI function), restores everything and
//! tail-jumps to the target, so the target sees the original call exactly.
//!
//! ```text
//! endbr64
//! push rbp ; mov rbp, rsp
//! push rdi, rsi, rdx, rcx, r8, r9, rax, r10
//! sub  rsp, <save area> ; and rsp, -64
//! (xsave: clear the 64-byte header; mov eax, MASK; xor edx, edx)
//! movdqa [rsp + 16*i], xmm<i> (i < 8) / xsavec64 / xsave64 / fxsave64 [rsp]
//! mov  rdi, r11 ; mov rax, <resolve> ; call rax ; mov r11, rax
//! movdqa xmm<i>, [rsp + 16*i] / (mov eax, MASK; xor edx, edx) ; xrstor64 / fxrstor64 [rsp]
//! lea  rsp, [rbp - 64]
//! pop  r10, rax, r9, r8, rcx, rdx, rsi, rdi ; pop rbp
//! jmp  r11
//! ```

use super::asm::Asm;
use super::CodegenError;
use iced_x86::{Code, Register};

/// The state components saved by `xsave`/`xsavec`: SSE, AVX, MPX bounds,
/// AVX-512 opmask and both halves of the upper ZMM state — glibc's
/// `STATE_SAVE_MASK`. (x87 state carries no arguments.)
pub const RESOLVER_SAVE_MASK: u32 = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6) | (1 << 7);

/// How the vector state is saved; the runtime picks it from CPUID (and
/// [`SaveMode::ArgsOnly`] for declarations whose C types it knows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// `movdqa` of `xmm0`–`xmm7`: the vector argument registers of every C
    /// type alien's declarations can spell (integers, floats, pointers,
    /// structs: System V passes `float`/`double` eightbytes in the low 128
    /// bits). Not enough for a callee taking `__m256`/`__m512` arguments,
    /// which no declaration can express; the run-time names of
    /// `ensure_linkage`, whose callers are unknown, use a full save.
    ArgsOnly,
    /// `fxsave64`: x87/SSE state, 512 bytes (every x86-64 CPU).
    Fxsave,
    /// `xsave64` in standard form; `size` from CPUID leaf 0xD (EBX of sub-leaf 0).
    Xsave {
        /// Bytes of the save area.
        size: u32,
    },
    /// `xsavec64` in compacted form; `size` as for `Xsave` (an upper bound).
    Xsavec {
        /// Bytes of the save area.
        size: u32,
    },
}

impl SaveMode {
    fn area(self) -> i32 {
        let size = match self {
            SaveMode::ArgsOnly => 128,
            SaveMode::Fxsave => 512,
            SaveMode::Xsave { size } | SaveMode::Xsavec { size } => size.max(576),
        };
        // Round up to the 64-byte alignment xsave needs.
        ((size as i32) + 63) & !63
    }
}

const SAVED: [Register; 8] = [
    Register::RDI,
    Register::RSI,
    Register::RDX,
    Register::RCX,
    Register::R8,
    Register::R9,
    Register::RAX,
    Register::R10,
];

/// The vector argument registers.
const XMM_ARGS: [Register; 8] = [
    Register::XMM0,
    Register::XMM1,
    Register::XMM2,
    Register::XMM3,
    Register::XMM4,
    Register::XMM5,
    Register::XMM6,
    Register::XMM7,
];

/// The resolver routine calling `resolve_fn` (`extern "C" fn(u64) -> u64`).
pub fn resolver(mode: SaveMode, resolve_fn: u64) -> Result<Vec<u8>, CodegenError> {
    let mut a = Asm::new("resolver routine");
    a.endbr64();
    a.push_r(Register::RBP);
    a.mov_rr(Register::RBP, Register::RSP);
    for r in SAVED {
        a.push_r(r);
    }
    a.sub_imm(Register::RSP, mode.area());
    a.and_imm8(Register::RSP, -64);
    match mode {
        SaveMode::ArgsOnly => {
            for (i, x) in XMM_ARGS.iter().enumerate() {
                a.store(Code::Movdqa_xmmm128_xmm, Register::RSP, 16 * i as i64, *x);
            }
        }
        SaveMode::Fxsave => a.mem(Code::Fxsave64_m512byte, Register::RSP),
        SaveMode::Xsave { .. } | SaveMode::Xsavec { .. } => {
            // The XSAVE header (bytes 512..576) must hold zeros where the
            // instruction does not write, or xrstor faults.
            for i in 0..8 {
                a.store_imm0(Register::RSP, 512 + 8 * i);
            }
            a.mov_imm32(Register::EAX, RESOLVER_SAVE_MASK);
            a.xor_r32(Register::EDX);
            let code = if matches!(mode, SaveMode::Xsavec { .. }) {
                Code::Xsavec64_mem
            } else {
                Code::Xsave64_mem
            };
            a.mem(code, Register::RSP);
        }
    }
    a.mov_rr(Register::RDI, Register::R11);
    a.mov_imm64(Register::RAX, resolve_fn);
    a.call_r(Register::RAX);
    a.mov_rr(Register::R11, Register::RAX);
    match mode {
        SaveMode::ArgsOnly => {
            for (i, x) in XMM_ARGS.iter().enumerate() {
                a.load(Code::Movdqa_xmm_xmmm128, *x, Register::RSP, 16 * i as i64);
            }
        }
        SaveMode::Fxsave => a.mem(Code::Fxrstor64_m512byte, Register::RSP),
        SaveMode::Xsave { .. } | SaveMode::Xsavec { .. } => {
            a.mov_imm32(Register::EAX, RESOLVER_SAVE_MASK);
            a.xor_r32(Register::EDX);
            a.mem(Code::Xrstor64_mem, Register::RSP);
        }
    }
    a.lea(Register::RSP, Register::RBP, -(8 * SAVED.len() as i64));
    for r in SAVED.iter().rev() {
        a.pop_r(*r);
    }
    a.pop_r(Register::RBP);
    a.jmp_r(Register::R11);
    a.finish(0)
}
