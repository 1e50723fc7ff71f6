//! Callback thunks: C-callable code that carries a closure's address
//! (Larceny's callbacks). Both shapes are templates encoded once; making a
//! callback copies the bytes and patches two 64-bit values (the closure's
//! data pointer and the handler's address).
//!
//! **Shift thunk** — when every C argument travels in registers and at most
//! five general registers are used (counting a hidden result pointer): the
//! general argument registers move up by one, the data pointer goes first,
//! and the thunk tail-jumps to a handler of type
//! `extern "C" fn(data, a0, a1, ...) -> R`. Vector registers and the stack
//! are untouched, so the handler sees exactly the C arguments, one later.
//!
//! ```text
//! endbr64
//! mov r9, r8 ; mov r8, rcx ; ... ; mov rsi, rdi   (as many as used)
//! mov rdi, <data>            (rsi when a hidden result pointer is in rdi)
//! mov r11, <handler>
//! jmp r11
//! ```
//!
//! **Frame thunk** — any signature: all argument registers are stored in a
//! frame and the handler, `extern "C" fn(data, frame: *mut u64, stack:
//! *const u8)`, decodes the arguments by the System V layout and writes the
//! result back into the frame, which the thunk loads into `rax`, `rdx`,
//! `xmm0`, `xmm1`.
//!
//! ```text
//! frame (u64 index): 0..6 rdi..r9 | 6..14 xmm0..xmm7 (low 64 bits)
//!                    14 rax | 15 rdx | 16 xmm0 | 17 xmm1   (result)
//! ```

use super::asm::Asm;
use super::CodegenError;
use iced_x86::{Code, Register};

/// Frame slots of the frame thunk.
pub const FRAME_SLOTS: usize = 18;
/// Index of the first vector register in the frame.
pub const FRAME_SSE: usize = 6;
/// Index of the result registers in the frame (`rax, rdx, xmm0, xmm1`).
pub const FRAME_RET: usize = 14;

const INT: [Register; 6] = [
    Register::RDI,
    Register::RSI,
    Register::RDX,
    Register::RCX,
    Register::R8,
    Register::R9,
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

const DATA_SENTINEL: u64 = 0x5a5a_d47a_0000_d47a;
const HANDLER_SENTINEL: u64 = 0x5a5a_4a4d_0000_4a4d;

/// Code with 64-bit values to fill in.
#[derive(Debug, Clone)]
pub struct Template {
    bytes: Vec<u8>,
    data_at: usize,
    handler_at: usize,
}

impl Template {
    fn new(what: &'static str, code: Vec<u8>) -> Result<Template, CodegenError> {
        let find = |v: u64| {
            let needle = v.to_le_bytes();
            code.windows(8)
                .position(|w| w == needle)
                .ok_or_else(|| CodegenError::new(what, "patch point not found"))
        };
        let data_at = find(DATA_SENTINEL)?;
        let handler_at = find(HANDLER_SENTINEL)?;
        Ok(Template {
            bytes: code,
            data_at,
            handler_at,
        })
    }

    /// Bytes of the template.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the template is empty (never).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The code for one callback.
    pub fn instantiate(&self, data: u64, handler: u64) -> Vec<u8> {
        let mut out = self.bytes.clone();
        out[self.data_at..self.data_at + 8].copy_from_slice(&data.to_le_bytes());
        out[self.handler_at..self.handler_at + 8].copy_from_slice(&handler.to_le_bytes());
        out
    }

    /// Writes the code for one callback into `out` (at least `len()` bytes).
    pub fn instantiate_into(&self, out: &mut [u8], data: u64, handler: u64) {
        out[..self.bytes.len()].copy_from_slice(&self.bytes);
        out[self.data_at..self.data_at + 8].copy_from_slice(&data.to_le_bytes());
        out[self.handler_at..self.handler_at + 8].copy_from_slice(&handler.to_le_bytes());
    }
}

/// Whether a signature can use the shift thunk: `int_regs` general registers
/// used by the C arguments (a hidden result pointer included) and no stack
/// arguments.
pub fn shift_fits(int_regs: usize, stack_bytes: usize) -> bool {
    int_regs <= 5 && stack_bytes == 0
}

/// The shift thunk for `int_regs` general argument registers, `sret` when
/// the first is a hidden result pointer (which stays in `rdi`).
pub fn shift_thunk(int_regs: usize, sret: bool) -> Result<Template, CodegenError> {
    if int_regs > 5 {
        return Err(CodegenError::new(
            "shift thunk",
            format_args!("{int_regs} general registers used; at most 5 fit"),
        ));
    }
    let first = usize::from(sret);
    let mut a = Asm::new("shift thunk");
    a.endbr64();
    for i in (first..int_regs).rev() {
        a.mov_rr(INT[i + 1], INT[i]);
    }
    a.mov_imm64(INT[first], DATA_SENTINEL);
    a.mov_imm64(Register::R11, HANDLER_SENTINEL);
    a.jmp_r(Register::R11);
    Template::new("shift thunk", a.finish(0)?)
}

/// The frame thunk (one for every signature).
pub fn frame_thunk() -> Result<Template, CodegenError> {
    let mut a = Asm::new("frame thunk");
    a.endbr64();
    a.push_r(Register::RBP);
    a.mov_rr(Register::RBP, Register::RSP);
    a.sub_imm(Register::RSP, (FRAME_SLOTS * 8).next_multiple_of(16) as i32);
    for (i, r) in INT.iter().enumerate() {
        a.store(Code::Mov_rm64_r64, Register::RSP, (i * 8) as i64, *r);
    }
    for (i, r) in SSE.iter().enumerate() {
        a.store(
            Code::Movq_rm64_xmm,
            Register::RSP,
            ((FRAME_SSE + i) * 8) as i64,
            *r,
        );
    }
    a.mov_imm64(Register::RDI, DATA_SENTINEL);
    a.mov_rr(Register::RSI, Register::RSP);
    a.lea(Register::RDX, Register::RBP, 16);
    a.mov_imm64(Register::R11, HANDLER_SENTINEL);
    a.call_r(Register::R11);
    a.load(
        Code::Mov_r64_rm64,
        Register::RAX,
        Register::RSP,
        (FRAME_RET * 8) as i64,
    );
    a.load(
        Code::Mov_r64_rm64,
        Register::RDX,
        Register::RSP,
        ((FRAME_RET + 1) * 8) as i64,
    );
    a.load(
        Code::Movq_xmm_rm64,
        Register::XMM0,
        Register::RSP,
        ((FRAME_RET + 2) * 8) as i64,
    );
    a.load(
        Code::Movq_xmm_rm64,
        Register::XMM1,
        Register::RSP,
        ((FRAME_RET + 3) * 8) as i64,
    );
    a.mov_rr(Register::RSP, Register::RBP);
    a.pop_r(Register::RBP);
    a.ret();
    Template::new("frame thunk", a.finish(0)?)
}
