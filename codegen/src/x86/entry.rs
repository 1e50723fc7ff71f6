//! Linkage-table entries: the C-callable address of a declaration.
//!
//! ```text
//! endbr64
//! mov  r11, <address of the entry's slot>
//! jmp  qword ptr [r11]
//! ```
//!
//! The entry's address never changes; the slot it jumps through is rewritten
//! when the symbol is bound, relinked or interposed, so a pointer handed to C
//! follows every later rebinding. `r11` is a scratch register in both the
//! System V and the Win64 conventions and carries no argument.

use super::asm::Asm;
use super::CodegenError;
use iced_x86::Register;

/// The bytes of an entry that jumps through the 8-byte slot at `slot_addr`.
pub fn entry(slot_addr: u64) -> Result<Vec<u8>, CodegenError> {
    let mut a = Asm::new("linkage-table entry");
    a.endbr64();
    a.mov_imm64(Register::R11, slot_addr);
    a.jmp_mem(Register::R11);
    a.finish(0)
}
