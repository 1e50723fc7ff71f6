//! The System V x86-64 calling convention: classification of every argument
//! and result into eightbytes (INTEGER, SSE, MEMORY) and their assignment to
//! registers and stack.
//!
//! Arguments are described by a *slot array*: argument `i` occupies
//! `slots(ty)` consecutive 8-byte slots (little-endian, zero padded), so a
//! call stub can read whole eightbytes without reading past a value.

use super::{Signature, Type};

/// An eightbyte's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// General-purpose registers.
    Integer,
    /// Vector registers.
    Sse,
}

/// A register of either kind, by index in its argument sequence
/// (`Int(0)` = `rdi` for arguments, `rax` for results; `Sse(0)` = `xmm0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reg {
    /// `rdi, rsi, rdx, rcx, r8, r9` (arguments) or `rax, rdx` (results).
    Int(u8),
    /// `xmm0`–`xmm7` (arguments) or `xmm0, xmm1` (results).
    Sse(u8),
}

/// One eightbyte of a value and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// Byte offset within the value.
    pub offset: usize,
    /// Bytes of the value in this eightbyte (1–8).
    pub size: usize,
    /// The register.
    pub reg: Reg,
}

/// How one argument is passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgPass {
    /// In registers, one part per eightbyte.
    Regs(Vec<Part>),
    /// On the stack, at `offset` from `rsp` at the call, `size` bytes
    /// (rounded up to 8).
    Stack {
        /// Offset from the stack pointer at the call.
        offset: usize,
        /// Bytes occupied.
        size: usize,
    },
}

/// How the result comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetPass {
    /// Nothing.
    Void,
    /// In `rax`/`rdx`/`xmm0`/`xmm1`.
    Regs(Vec<Part>),
    /// Through a hidden pointer passed in `rdi` (and returned in `rax`).
    Memory,
}

/// Where everything of a call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Per argument.
    pub args: Vec<ArgPass>,
    /// The result.
    pub ret: RetPass,
    /// General registers used by arguments (the hidden pointer included).
    pub int_regs: usize,
    /// Vector registers used (the value `%al` must hold for a variadic call).
    pub sse_regs: usize,
    /// Bytes of stack arguments (a multiple of 16).
    pub stack_bytes: usize,
    /// The first slot of each argument in the slot array.
    pub slot_of: Vec<usize>,
    /// Total slots.
    pub slots: usize,
}

/// Slots (8-byte units) a value of `ty` occupies in an argument array.
pub fn slots(ty: &Type) -> usize {
    ty.size().div_ceil(8).max(1)
}

/// The classes of `ty`'s eightbytes, or `None` for MEMORY.
pub fn classify(ty: &Type) -> Option<Vec<Class>> {
    let size = ty.size();
    if size == 0 || size > 16 {
        return None;
    }
    let mut scalars = Vec::new();
    ty.scalars(0, &mut scalars);
    let n = size.div_ceil(8);
    let mut classes: Vec<Option<Class>> = vec![None; n];
    for (off, t) in &scalars {
        // An unaligned field makes the whole value MEMORY.
        if t.size() != 0 && off % t.size() != 0 {
            return None;
        }
        let c = if t.is_float() {
            Class::Sse
        } else {
            Class::Integer
        };
        let slot = &mut classes[off / 8];
        *slot = Some(match (*slot, c) {
            (Some(Class::Integer), _) | (_, Class::Integer) => Class::Integer,
            _ => Class::Sse,
        });
    }
    Some(
        classes
            .into_iter()
            .map(|c| c.unwrap_or(Class::Sse))
            .collect(),
    )
}

fn parts(classes: &[Class], size: usize, next_int: &mut usize, next_sse: &mut usize) -> Vec<Part> {
    classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let reg = match c {
                Class::Integer => {
                    *next_int += 1;
                    Reg::Int((*next_int - 1) as u8)
                }
                Class::Sse => {
                    *next_sse += 1;
                    Reg::Sse((*next_sse - 1) as u8)
                }
            };
            Part {
                offset: i * 8,
                size: (size - i * 8).min(8),
                reg,
            }
        })
        .collect()
}

/// Lays out a call of `sig`.
pub fn layout(sig: &Signature) -> Layout {
    let mut int = 0usize;
    let mut sse = 0usize;
    let ret = match sig.ret() {
        Type::Void => RetPass::Void,
        t => match classify(t) {
            None => {
                int = 1;
                RetPass::Memory
            }
            Some(classes) => {
                let (mut ri, mut rs) = (0, 0);
                RetPass::Regs(parts(&classes, t.size(), &mut ri, &mut rs))
            }
        },
    };
    let mut stack = 0usize;
    let mut args = Vec::with_capacity(sig.args().len());
    let mut slot_of = Vec::with_capacity(sig.args().len());
    let mut slot = 0usize;
    for ty in sig.args() {
        slot_of.push(slot);
        slot += slots(ty);
        let size = ty.size();
        let pass = match classify(ty) {
            Some(classes) => {
                let need_int = classes.iter().filter(|c| **c == Class::Integer).count();
                let need_sse = classes.len() - need_int;
                if int + need_int <= 6 && sse + need_sse <= 8 {
                    Some(ArgPass::Regs(parts(&classes, size, &mut int, &mut sse)))
                } else {
                    None
                }
            }
            None => None,
        };
        args.push(pass.unwrap_or_else(|| {
            let align = ty.align().max(8);
            stack = stack.next_multiple_of(align);
            let at = stack;
            let bytes = size.next_multiple_of(8);
            stack += bytes;
            ArgPass::Stack {
                offset: at,
                size: bytes,
            }
        }));
    }
    Layout {
        args,
        ret,
        int_regs: int,
        sse_regs: sse,
        stack_bytes: stack.next_multiple_of(16),
        slot_of,
        slots: slot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(fields: Vec<Type>) -> Type {
        Type::structure(fields).unwrap_or(Type::Void)
    }

    #[test]
    fn scalars_fill_registers_then_stack() {
        let sig = Signature::new(vec![Type::I32; 8], Type::I64).unwrap_or_else(|e| panic!("{e}"));
        let l = layout(&sig);
        assert_eq!(l.int_regs, 6);
        assert_eq!(
            l.args[5],
            ArgPass::Regs(vec![Part {
                offset: 0,
                size: 4,
                reg: Reg::Int(5)
            }])
        );
        assert_eq!(l.args[6], ArgPass::Stack { offset: 0, size: 8 });
        assert_eq!(l.args[7], ArgPass::Stack { offset: 8, size: 8 });
        assert_eq!(l.stack_bytes, 16);
    }

    #[test]
    fn struct_classes() {
        assert_eq!(
            classify(&st(vec![Type::I32, Type::I32])),
            Some(vec![Class::Integer])
        );
        assert_eq!(
            classify(&st(vec![Type::F32, Type::F32])),
            Some(vec![Class::Sse])
        );
        assert_eq!(
            classify(&st(vec![Type::F32, Type::I32])),
            Some(vec![Class::Integer])
        );
        assert_eq!(
            classify(&st(vec![Type::F64, Type::I64])),
            Some(vec![Class::Sse, Class::Integer])
        );
        assert_eq!(classify(&st(vec![Type::F64, Type::F64, Type::F64])), None);
        assert_eq!(
            classify(&st(vec![Type::Array(Box::new(Type::U8), 12)])),
            Some(vec![Class::Integer, Class::Integer])
        );
    }

    #[test]
    fn struct_that_does_not_fit_goes_whole_to_the_stack() {
        let two = st(vec![Type::I64, Type::I64]);
        let sig = Signature::new(
            vec![
                Type::I32,
                Type::I32,
                Type::I32,
                Type::I32,
                Type::I32,
                two,
                Type::I32,
            ],
            Type::Void,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let l = layout(&sig);
        assert_eq!(
            l.args[5],
            ArgPass::Stack {
                offset: 0,
                size: 16
            }
        );
        // The later int still gets the sixth register.
        assert_eq!(
            l.args[6],
            ArgPass::Regs(vec![Part {
                offset: 0,
                size: 4,
                reg: Reg::Int(5)
            }])
        );
    }

    #[test]
    fn memory_result_takes_rdi() {
        let big = st(vec![Type::F64; 4]);
        let sig = Signature::new(vec![Type::I32], big).unwrap_or_else(|e| panic!("{e}"));
        let l = layout(&sig);
        assert_eq!(l.ret, RetPass::Memory);
        assert_eq!(
            l.args[0],
            ArgPass::Regs(vec![Part {
                offset: 0,
                size: 4,
                reg: Reg::Int(1)
            }])
        );
    }
}
