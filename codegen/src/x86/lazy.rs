//! Lazy stubs: what an unresolved slot points to.
//!
//! ```text
//! endbr64
//! mov  r11, <tag>                ; which declaration, and who called (see the runtime)
//! jmp  qword ptr [rip + literal] ; to the shared resolver routine
//! int3 × 4
//! literal: dq <resolver address>
//! ```
//!
//! Only `r11` is touched (scratch, never an argument), so every argument
//! register, `%al` and the stack are exactly as the caller left them when the
//! resolver starts. The resolver's address sits in the stub itself, so the
//! stub does not depend on being within 2 GiB of anything.

use super::asm::Asm;
use super::CodegenError;
use iced_x86::{Code, Instruction, MemoryOperand, Register};

/// The size of one lazy stub in bytes.
pub const LAZY_STUB_SIZE: usize = 32;

const LITERAL_AT: usize = 24;
const TAG_SENTINEL: u64 = 0x7a6e_1a5a_c0de_7a65;

/// A lazy stub encoded once; instances differ only in two 64-bit values, so
/// making ten thousand of them is ten thousand small copies, not ten thousand
/// encodings.
#[derive(Debug, Clone)]
pub struct LazyStubTemplate {
    bytes: [u8; LAZY_STUB_SIZE],
    tag_at: usize,
}

impl LazyStubTemplate {
    /// Encodes the template.
    pub fn new() -> Result<Self, CodegenError> {
        const RIP: u64 = 0x1000;
        let mut a = Asm::new("lazy stub");
        a.endbr64();
        a.mov_imm64(Register::R11, TAG_SENTINEL);
        let jmp = Instruction::with1(
            Code::Jmp_rm64,
            MemoryOperand::with_base_displ(Register::RIP, (RIP + LITERAL_AT as u64) as i64),
        )
        .map_err(|e| CodegenError::new("lazy stub", e))?;
        a.code.push(jmp);
        for _ in 0..4 {
            a.op0(Code::Int3);
        }
        a.code.push(Instruction::with_declare_qword_1(0));
        let code = a.finish(RIP)?;
        let bytes: [u8; LAZY_STUB_SIZE] = code.as_slice().try_into().map_err(|_| {
            CodegenError::new(
                "lazy stub",
                format_args!("{} bytes instead of {LAZY_STUB_SIZE}", code.len()),
            )
        })?;
        let tag_at = find_u64(&bytes, TAG_SENTINEL)
            .ok_or_else(|| CodegenError::new("lazy stub", "tag immediate not found"))?;
        Ok(LazyStubTemplate { bytes, tag_at })
    }

    /// The bytes of a stub that enters `resolver` with `tag` in `r11`.
    pub fn instantiate(&self, tag: u64, resolver: u64) -> [u8; LAZY_STUB_SIZE] {
        let mut out = self.bytes;
        out[self.tag_at..self.tag_at + 8].copy_from_slice(&tag.to_le_bytes());
        out[LITERAL_AT..LITERAL_AT + 8].copy_from_slice(&resolver.to_le_bytes());
        out
    }
}

fn find_u64(bytes: &[u8], value: u64) -> Option<usize> {
    let needle = value.to_le_bytes();
    bytes.windows(8).position(|w| w == needle)
}
