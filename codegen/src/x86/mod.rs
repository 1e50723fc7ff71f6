//! x86-64 machine code for the linkage table, built with iced-x86.
//!
//! Every routine here starts with `endbr64` (each is reached by an indirect
//! `call`/`jmp`), and none depends on where it is placed: targets are loaded
//! as 64-bit immediates, never reached with a `rip`-relative displacement,
//! because code placed by `mmap` may be more than 2 GiB from the statics it
//! serves.

mod asm;
mod callout;
mod callout_win64;
mod entry;
mod error;
mod lazy;
mod resolver;
mod thunk;

pub use asm::assemble;
pub use callout::{sysv_call_stub, sysv_jump_stub, JumpReturn};
pub use callout_win64::win64_call_stub;
pub use entry::entry;
pub use error::CodegenError;
pub use lazy::{LazyStubTemplate, LAZY_STUB_SIZE};
pub use resolver::{resolver, SaveMode, RESOLVER_SAVE_MASK};
pub use thunk::{
    frame_thunk, shift_fits, shift_thunk, Template, FRAME_RET, FRAME_SLOTS, FRAME_SSE,
};
