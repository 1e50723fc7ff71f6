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

/// Pieces shared by the call stubs of every calling convention.
impl Asm {
    /// The call-stub prologue: a frame, `rbx` = result array, `r12` =
    /// argument array, `r11` = target (the stub is `stub(target, args, ret)`
    /// under System V). `rsp` is 16-byte aligned afterwards.
    pub(crate) fn call_stub_prologue(&mut self) {
        self.endbr64();
        self.push_r(Register::RBP);
        self.mov_rr(Register::RBP, Register::RSP);
        self.push_r(Register::RBX);
        self.push_r(Register::R12);
        self.mov_rr(Register::R11, Register::RDI);
        self.mov_rr(Register::R12, Register::RSI);
        self.mov_rr(Register::RBX, Register::RDX);
    }

    /// The matching epilogue.
    pub(crate) fn call_stub_epilogue(&mut self) {
        self.lea(Register::RSP, Register::RBP, -16);
        self.pop_r(Register::R12);
        self.pop_r(Register::RBX);
        self.pop_r(Register::RBP);
        self.ret();
    }

    /// Loads an integer-class argument of type `ty` from `[r12 + at]`:
    /// integers narrower than `int` are extended to 32 bits, as C callers
    /// do; anything else takes the whole (zero-padded) slot.
    pub(crate) fn load_int_arg(
        &mut self,
        ty: &crate::abi::Type,
        dst: Register,
        dst32: Register,
        at: i64,
    ) {
        use crate::abi::Type;
        match ty {
            Type::I8 => self.load(Code::Movsx_r32_rm8, dst32, Register::R12, at),
            Type::U8 | Type::Bool => self.load(Code::Movzx_r32_rm8, dst32, Register::R12, at),
            Type::I16 => self.load(Code::Movsx_r32_rm16, dst32, Register::R12, at),
            Type::U16 => self.load(Code::Movzx_r32_rm16, dst32, Register::R12, at),
            _ => self.load(Code::Mov_r64_rm64, dst, Register::R12, at),
        }
    }

    /// Extends a scalar integer result in `rax` to 64 bits: the callee
    /// leaves the bits above `al`/`ax`/`eax` undefined, and extending them is
    /// the caller's job.
    pub(crate) fn extend_int_result(&mut self, ty: &crate::abi::Type) {
        use crate::abi::Type;
        match ty {
            Type::I8 => self.rr(Code::Movsx_r64_rm8, Register::RAX, Register::AL),
            Type::U8 | Type::Bool => self.rr(Code::Movzx_r32_rm8, Register::EAX, Register::AL),
            Type::I16 => self.rr(Code::Movsx_r64_rm16, Register::RAX, Register::AX),
            Type::U16 => self.rr(Code::Movzx_r32_rm16, Register::EAX, Register::AX),
            Type::I32 => self.rr(Code::Movsxd_r64_rm32, Register::RAX, Register::EAX),
            Type::U32 => self.rr(Code::Mov_r32_rm32, Register::EAX, Register::EAX),
            _ => {}
        }
    }
}
