//! Small typed helpers over iced-x86's instruction constructors.

use super::CodegenError;
use iced_x86::{
    BlockEncoder, BlockEncoderOptions, Code, Instruction, InstructionBlock, MemoryOperand, Register,
};

/// Encodes `instructions` for execution at `rip` with iced-x86's `BlockEncoder`.
pub fn assemble(
    what: &'static str,
    instructions: &[Instruction],
    rip: u64,
) -> Result<Vec<u8>, CodegenError> {
    let block = InstructionBlock::new(instructions, rip);
    BlockEncoder::encode(64, block, BlockEncoderOptions::NONE)
        .map(|result| result.code_buffer)
        .map_err(|e| CodegenError::new(what, e))
}

/// Collects instructions, remembering the first constructor error.
pub(crate) struct Asm {
    what: &'static str,
    pub(crate) code: Vec<Instruction>,
    error: Option<CodegenError>,
}

impl Asm {
    pub(crate) fn new(what: &'static str) -> Self {
        Asm {
            what,
            code: Vec::with_capacity(48),
            error: None,
        }
    }

    fn push(&mut self, made: Result<Instruction, iced_x86::IcedError>) {
        match made {
            Ok(i) => self.code.push(i),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(CodegenError::new(self.what, e));
                }
            }
        }
    }

    pub(crate) fn op0(&mut self, code: Code) {
        self.code.push(Instruction::with(code));
    }

    pub(crate) fn endbr64(&mut self) {
        self.op0(Code::Endbr64);
    }

    pub(crate) fn mov_imm64(&mut self, reg: Register, imm: u64) {
        self.push(Instruction::with2(Code::Mov_r64_imm64, reg, imm));
    }

    pub(crate) fn mov_imm32(&mut self, reg: Register, imm: u32) {
        self.push(Instruction::with2(Code::Mov_r32_imm32, reg, imm));
    }

    pub(crate) fn mov_rr(&mut self, dst: Register, src: Register) {
        self.push(Instruction::with2(Code::Mov_r64_rm64, dst, src));
    }

    pub(crate) fn xor_r32(&mut self, reg: Register) {
        self.push(Instruction::with2(Code::Xor_r32_rm32, reg, reg));
    }

    pub(crate) fn store_imm0(&mut self, base: Register, displ: i64) {
        self.push(Instruction::with2(
            Code::Mov_rm64_imm32,
            MemoryOperand::with_base_displ(base, displ),
            0i32,
        ));
    }

    pub(crate) fn push_r(&mut self, reg: Register) {
        self.push(Instruction::with1(Code::Push_r64, reg));
    }

    pub(crate) fn pop_r(&mut self, reg: Register) {
        self.push(Instruction::with1(Code::Pop_r64, reg));
    }

    pub(crate) fn sub_imm(&mut self, reg: Register, imm: i32) {
        self.push(Instruction::with2(Code::Sub_rm64_imm32, reg, imm));
    }

    pub(crate) fn and_imm8(&mut self, reg: Register, imm: i32) {
        self.push(Instruction::with2(Code::And_rm64_imm8, reg, imm));
    }

    pub(crate) fn lea(&mut self, dst: Register, base: Register, displ: i64) {
        self.push(Instruction::with2(
            Code::Lea_r64_m,
            dst,
            MemoryOperand::with_base_displ(base, displ),
        ));
    }

    pub(crate) fn mem(&mut self, code: Code, base: Register) {
        self.push(Instruction::with1(code, MemoryOperand::with_base(base)));
    }

    pub(crate) fn call_r(&mut self, reg: Register) {
        self.push(Instruction::with1(Code::Call_rm64, reg));
    }

    pub(crate) fn jmp_r(&mut self, reg: Register) {
        self.push(Instruction::with1(Code::Jmp_rm64, reg));
    }

    pub(crate) fn jmp_mem(&mut self, base: Register) {
        self.push(Instruction::with1(
            Code::Jmp_rm64,
            MemoryOperand::with_base(base),
        ));
    }

    /// Encodes for `rip` (all code here is position independent, so any rip gives the same bytes).
    pub(crate) fn finish(self, rip: u64) -> Result<Vec<u8>, CodegenError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        assemble(self.what, &self.code, rip)
    }
}

impl Asm {
    /// `code dst, [base + displ]` (a load of any width/kind into `dst`).
    pub(crate) fn load(&mut self, code: Code, dst: Register, base: Register, displ: i64) {
        self.push(Instruction::with2(
            code,
            dst,
            MemoryOperand::with_base_displ(base, displ),
        ));
    }

    /// `code [base + displ], src` (a store).
    pub(crate) fn store(&mut self, code: Code, base: Register, displ: i64, src: Register) {
        self.push(Instruction::with2(
            code,
            MemoryOperand::with_base_displ(base, displ),
            src,
        ));
    }

    /// `code dst, src` (register to register, e.g. extensions).
    pub(crate) fn rr(&mut self, code: Code, dst: Register, src: Register) {
        self.push(Instruction::with2(code, dst, src));
    }

    /// `ret`.
    pub(crate) fn ret(&mut self) {
        self.op0(Code::Retnq);
    }
}

impl Asm {
    /// `rep movsq` (copies `rcx` quadwords from `[rsi]` to `[rdi]`; the
    /// direction flag is clear at every System V call).
    pub(crate) fn rep_movsq(&mut self) {
        self.push(Instruction::with_rep_movsq(64));
    }
}
