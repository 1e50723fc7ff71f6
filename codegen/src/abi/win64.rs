//! The Microsoft x64 calling convention ("Win64"), as a second layout next to
//! [`sysv`](super::sysv).
//!
//! * Four register *positions*: argument `i` (counting a hidden result pointer
//!   as argument 0 when there is one) goes in position `i` if `i < 4` — in
//!   `rcx, rdx, r8, r9` for integers, pointers and small aggregates, in
//!   `xmm0`–`xmm3` for `float` and `double`. A position is used up whichever
//!   kind fills it, so `f(int, double, int)` uses `rcx`, `xmm1`, `r8`.
//! * The caller reserves 32 bytes of *shadow space* just above the return
//!   address; argument `i >= 4` is on the stack at `rsp + 32 + 8 * (i - 4)`
//!   at the call. `rsp` is 16-byte aligned at the call.
//! * Aggregates of exactly 1, 2, 4 or 8 bytes are passed by value, as the
//!   integer of that size (in the integer register of their position, or in
//!   their stack slot), whatever their fields. Every other aggregate is passed
//!   *by reference*: the caller copies it into its own frame (16-byte
//!   aligned) and passes a pointer to the copy in the argument's position.
//! * Results: integers and pointers in `rax`, `float`/`double` in `xmm0`,
//!   aggregates of 1, 2, 4 or 8 bytes in `rax`; any other aggregate is
//!   written through a hidden pointer passed in `rcx` (which shifts every
//!   argument by one position) and returned in `rax`.
//! * Variadic calls: a floating argument in one of the four register
//!   positions is also passed in that position's integer register (the
//!   callee's `va_arg` reads the integer registers, spilled to the shadow
//!   space).
//!
//! The slot array of a call is the same as for System V ([`sysv::slots`]),
//! so a caller can fill it without knowing which convention the stub follows.

use super::sysv;
use super::{Signature, Type};

/// Bytes of shadow space the caller reserves above the return address.
pub const SHADOW_BYTES: usize = 32;

/// Register positions (`rcx, rdx, r8, r9` / `xmm0`–`xmm3`).
pub const REG_POSITIONS: usize = 4;

/// Where one argument's eight bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// Register position 0–3: `rcx, rdx, r8, r9` for [`Class::Int`],
    /// `xmm0`–`xmm3` for [`Class::Sse`].
    Reg(u8),
    /// A stack slot of 8 bytes at `offset` from `rsp` at the call (at least
    /// [`SHADOW_BYTES`]).
    Stack {
        /// Offset from the stack pointer at the call.
        offset: usize,
    },
}

/// The kind of register a by-value argument or a result uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A general-purpose register (integers, pointers, small aggregates).
    Int,
    /// A vector register (`float`, `double`).
    Sse,
}

/// How one argument is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgPass {
    /// The value itself (at most 8 bytes) at `loc`.
    Value {
        /// Where.
        loc: Loc,
        /// Which register kind, when `loc` is a register.
        class: Class,
    },
    /// A pointer at `loc` to a copy of the value made by the caller.
    Reference {
        /// Where the pointer goes.
        loc: Loc,
        /// Offset of the copy from `rsp` at the call (16-byte aligned, above
        /// the shadow space and the stack arguments).
        copy: usize,
        /// Bytes of the value (the copy area reserved is rounded up to 16).
        size: usize,
    },
}

impl ArgPass {
    /// Where the argument (or the pointer to its copy) goes.
    pub fn loc(&self) -> Loc {
        match *self {
            ArgPass::Value { loc, .. } | ArgPass::Reference { loc, .. } => loc,
        }
    }
}

/// How the result comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetPass {
    /// Nothing.
    Void,
    /// In `rax` (integers, pointers, aggregates of 1, 2, 4 or 8 bytes).
    Int,
    /// In `xmm0` (`float`, `double`).
    Sse,
    /// Through a hidden pointer passed in `rcx` (position 0), returned in `rax`.
    Memory,
}

/// Where everything of a call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Per argument.
    pub args: Vec<ArgPass>,
    /// The result.
    pub ret: RetPass,
    /// Register positions used (the hidden result pointer included), 0–4.
    pub reg_positions: usize,
    /// Bytes from `rsp` at the call to the end of the stack arguments: the
    /// shadow space plus 8 per stack argument (not rounded).
    pub args_end: usize,
    /// Bytes of the copy area (a multiple of 16), starting at `args_end`
    /// rounded up to 16.
    pub copy_bytes: usize,
    /// Bytes the caller reserves below its own aligned frame: shadow space,
    /// stack arguments and copies, a multiple of 16.
    pub frame_bytes: usize,
    /// The first slot of each argument in the slot array (as for System V).
    pub slot_of: Vec<usize>,
    /// Total slots.
    pub slots: usize,
}

/// Whether an aggregate of `size` bytes is passed (and returned) by value.
pub fn by_value_size(size: usize) -> bool {
    matches!(size, 1 | 2 | 4 | 8)
}

/// The register kind of a by-value `ty`, or `None` if it goes by reference.
pub fn classify(ty: &Type) -> Option<Class> {
    match ty {
        Type::Void | Type::Array(..) => None,
        Type::F32 | Type::F64 => Some(Class::Sse),
        Type::Struct(s) => by_value_size(s.size()).then_some(Class::Int),
        _ => Some(Class::Int),
    }
}

fn loc_of(position: usize) -> Loc {
    if position < REG_POSITIONS {
        Loc::Reg(position as u8)
    } else {
        Loc::Stack {
            offset: SHADOW_BYTES + 8 * (position - REG_POSITIONS),
        }
    }
}

/// Lays out a call of `sig`.
pub fn layout(sig: &Signature) -> Layout {
    let ret = match sig.ret() {
        Type::Void => RetPass::Void,
        t => match classify(t) {
            Some(Class::Int) => RetPass::Int,
            Some(Class::Sse) => RetPass::Sse,
            None => RetPass::Memory,
        },
    };
    let first = usize::from(ret == RetPass::Memory);
    let positions = first + sig.args().len();
    let args_end = SHADOW_BYTES + 8 * positions.saturating_sub(REG_POSITIONS);
    let copy_base = args_end.next_multiple_of(16);
    let mut copy = copy_base;
    let mut args = Vec::with_capacity(sig.args().len());
    let mut slot_of = Vec::with_capacity(sig.args().len());
    let mut slot = 0usize;
    for (i, ty) in sig.args().iter().enumerate() {
        slot_of.push(slot);
        slot += sysv::slots(ty);
        let loc = loc_of(first + i);
        args.push(match classify(ty) {
            Some(class) => ArgPass::Value { loc, class },
            None => {
                let at = copy;
                let size = ty.size();
                copy += size.next_multiple_of(16).max(16);
                ArgPass::Reference {
                    loc,
                    copy: at,
                    size,
                }
            }
        });
    }
    Layout {
        args,
        ret,
        reg_positions: positions.min(REG_POSITIONS),
        args_end,
        copy_bytes: copy - copy_base,
        frame_bytes: copy,
        slot_of,
        slots: slot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(fields: Vec<Type>) -> Type {
        Type::structure(fields).unwrap_or_else(|e| panic!("{e}"))
    }

    fn sig(args: Vec<Type>, ret: Type) -> Signature {
        Signature::new(args, ret).unwrap_or_else(|e| panic!("{e}"))
    }

    fn int(p: u8) -> ArgPass {
        ArgPass::Value {
            loc: Loc::Reg(p),
            class: Class::Int,
        }
    }

    fn sse(p: u8) -> ArgPass {
        ArgPass::Value {
            loc: Loc::Reg(p),
            class: Class::Sse,
        }
    }

    #[test]
    fn positions_are_shared_between_kinds() {
        let l = layout(&sig(vec![Type::I32, Type::F64, Type::I32], Type::Void));
        assert_eq!(l.args, vec![int(0), sse(1), int(2)]);
        assert_eq!(l.reg_positions, 3);
        assert_eq!(l.ret, RetPass::Void);
        // Shadow space only.
        assert_eq!(l.args_end, 32);
        assert_eq!(l.frame_bytes, 32);
        let l = layout(&sig(
            vec![Type::F32, Type::F64, Type::F32, Type::F64],
            Type::F64,
        ));
        assert_eq!(l.args, vec![sse(0), sse(1), sse(2), sse(3)]);
        assert_eq!(l.ret, RetPass::Sse);
    }

    #[test]
    fn fifth_and_later_arguments_go_above_the_shadow_space() {
        let l = layout(&sig(
            vec![
                Type::I8,
                Type::I16,
                Type::I32,
                Type::I64,
                Type::F64,
                Type::U8,
                Type::F32,
            ],
            Type::I32,
        ));
        assert_eq!(l.args[3], int(3));
        assert_eq!(
            l.args[4],
            ArgPass::Value {
                loc: Loc::Stack { offset: 32 },
                class: Class::Sse
            }
        );
        assert_eq!(l.args[5].loc(), Loc::Stack { offset: 40 });
        assert_eq!(l.args[6].loc(), Loc::Stack { offset: 48 });
        assert_eq!(l.args_end, 56);
        // Rounded up so rsp stays 16-byte aligned at the call.
        assert_eq!(l.frame_bytes, 64);
        assert_eq!(l.copy_bytes, 0);
        assert_eq!(l.reg_positions, 4);
        assert_eq!(l.slot_of, vec![0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn aggregates_of_one_two_four_or_eight_bytes_go_by_value_as_integers() {
        for fields in [
            vec![Type::U8],
            vec![Type::U8, Type::U8],
            vec![Type::F32],
            vec![Type::I16, Type::I16],
            vec![Type::F32, Type::F32],
            vec![Type::F64],
            vec![Type::Array(Box::new(Type::U8), 8)],
        ] {
            let t = st(fields);
            assert_eq!(classify(&t), Some(Class::Int), "{t}");
            let l = layout(&sig(vec![Type::F64, t.clone()], t.clone()));
            assert_eq!(l.args, vec![sse(0), int(1)], "{t}");
            assert_eq!(l.ret, RetPass::Int, "{t}");
        }
    }

    #[test]
    fn other_aggregates_go_by_reference_to_aligned_copies() {
        let s3 = st(vec![Type::Array(Box::new(Type::U8), 3)]);
        let s12 = st(vec![Type::I32; 3]);
        let s16 = st(vec![Type::I64, Type::F64]);
        let s24 = st(vec![Type::F64; 3]);
        for t in [&s3, &s12, &s16, &s24] {
            assert_eq!(classify(t), None, "{t}");
        }
        let l = layout(&sig(
            vec![
                s3.clone(),
                Type::F64,
                s12.clone(),
                s16.clone(),
                s24.clone(),
                Type::I32,
            ],
            Type::Void,
        ));
        // Six positions: two on the stack, 32 + 16 = 48 bytes; copies from 48.
        assert_eq!(l.args_end, 48);
        assert_eq!(
            l.args[0],
            ArgPass::Reference {
                loc: Loc::Reg(0),
                copy: 48,
                size: 3
            }
        );
        assert_eq!(l.args[1], sse(1));
        assert_eq!(
            l.args[2],
            ArgPass::Reference {
                loc: Loc::Reg(2),
                copy: 64,
                size: 12
            }
        );
        assert_eq!(
            l.args[3],
            ArgPass::Reference {
                loc: Loc::Reg(3),
                copy: 80,
                size: 16
            }
        );
        assert_eq!(
            l.args[4],
            ArgPass::Reference {
                loc: Loc::Stack { offset: 32 },
                copy: 96,
                size: 24
            }
        );
        assert_eq!(
            l.args[5],
            ArgPass::Value {
                loc: Loc::Stack { offset: 40 },
                class: Class::Int
            }
        );
        assert_eq!(l.copy_bytes, 16 + 16 + 16 + 32);
        assert_eq!(l.frame_bytes, 128);
        assert_eq!(l.frame_bytes % 16, 0);
        // The slot array is System V's.
        assert_eq!(l.slot_of, vec![0, 1, 2, 4, 6, 9]);
        assert_eq!(l.slots, 10);
        for a in &l.args {
            if let ArgPass::Reference { copy, .. } = a {
                assert_eq!(copy % 16, 0);
                assert!(*copy >= l.args_end);
            }
        }
    }

    #[test]
    fn memory_result_takes_the_first_position() {
        let big = st(vec![Type::I32; 3]);
        let l = layout(&sig(
            vec![Type::F64, Type::I32, Type::F32, Type::I64],
            big.clone(),
        ));
        assert_eq!(l.ret, RetPass::Memory);
        assert_eq!(l.args[0], sse(1));
        assert_eq!(l.args[1], int(2));
        assert_eq!(l.args[2], sse(3));
        assert_eq!(l.args[3].loc(), Loc::Stack { offset: 32 });
        assert_eq!(l.reg_positions, 4);
        assert_eq!(l.frame_bytes, 48);
        for size in [3, 5, 6, 7, 12, 16, 24] {
            let t = st(vec![Type::Array(Box::new(Type::U8), size)]);
            assert_eq!(layout(&sig(vec![], t)).ret, RetPass::Memory, "{size}");
        }
        assert_eq!(layout(&sig(vec![], Type::Pointer)).ret, RetPass::Int);
        assert_eq!(layout(&sig(vec![], Type::F32)).ret, RetPass::Sse);
    }

    #[test]
    fn variadic_signatures_lay_out_like_fixed_ones() {
        let v = Signature::variadic(vec![Type::Pointer, Type::F64, Type::I32], 1, Type::I32)
            .unwrap_or_else(|e| panic!("{e}"));
        let l = layout(&v);
        assert_eq!(l.args, vec![int(0), sse(1), int(2)]);
    }
}
