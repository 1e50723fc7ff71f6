//! Decoding arguments from, and encoding results into, the frame of the
//! general callback thunk, by the System V layout.

use alien_codegen::abi::sysv::{ArgPass, Layout, Reg, RetPass};
use alien_codegen::x86::{FRAME_RET, FRAME_SSE};
use std::mem::{size_of, MaybeUninit};

/// Reads argument `index` of type `T` from the frame.
///
/// # Safety
///
/// `frame` and `stack` come from the frame thunk, and `layout` is the layout
/// of the signature the thunk was called with, where argument `index` has
/// type `T`.
pub(crate) unsafe fn arg<T: Copy>(
    layout: &Layout,
    index: usize,
    frame: *const u64,
    stack: *const u8,
) -> T {
    let mut out = MaybeUninit::<T>::zeroed();
    let dst = out.as_mut_ptr().cast::<u8>();
    // SAFETY: the caller's contract: the frame holds the registers, `stack`
    // the caller's stack arguments, as the layout says.
    unsafe {
        match &layout.args[index] {
            ArgPass::Regs(parts) => {
                for p in parts {
                    let slot = match p.reg {
                        Reg::Int(i) => i as usize,
                        Reg::Sse(i) => FRAME_SSE + i as usize,
                    };
                    let n = p.size.min(size_of::<T>().saturating_sub(p.offset));
                    std::ptr::copy_nonoverlapping(
                        frame.add(slot).cast::<u8>(),
                        dst.add(p.offset),
                        n,
                    );
                }
            }
            ArgPass::Stack { offset, .. } => {
                std::ptr::copy_nonoverlapping(stack.add(*offset), dst, size_of::<T>());
            }
        }
        out.assume_init()
    }
}

/// Writes the result into the frame (or through the hidden pointer).
///
/// # Safety
///
/// As for [`arg`]; `value` has the signature's result type.
pub(crate) unsafe fn ret<T: Copy>(layout: &Layout, value: T, frame: *mut u64) {
    let src = std::ptr::from_ref(&value).cast::<u8>();
    // SAFETY: the caller's contract.
    unsafe {
        match &layout.ret {
            RetPass::Void => {}
            RetPass::Memory => {
                let dst = *frame as *mut u8;
                std::ptr::copy_nonoverlapping(src, dst, size_of::<T>());
                *frame.add(FRAME_RET) = dst as u64;
            }
            RetPass::Regs(parts) => {
                for p in parts {
                    let slot = match p.reg {
                        Reg::Int(i) => FRAME_RET + i as usize,
                        Reg::Sse(i) => FRAME_RET + 2 + i as usize,
                    };
                    *frame.add(slot) = 0;
                    let n = p.size.min(size_of::<T>().saturating_sub(p.offset));
                    std::ptr::copy_nonoverlapping(
                        src.add(p.offset),
                        frame.add(slot).cast::<u8>(),
                        n,
                    );
                }
            }
        }
    }
}

/// Reads argument `index` (of `size` bytes) from the frame as bytes.
///
/// # Safety
///
/// As for [`arg`].
pub(crate) unsafe fn arg_bytes(
    layout: &Layout,
    index: usize,
    size: usize,
    frame: *const u64,
    stack: *const u8,
) -> Vec<u8> {
    let mut out = vec![0u8; size.next_multiple_of(8).max(8)];
    // SAFETY: the caller's contract.
    unsafe {
        match &layout.args[index] {
            ArgPass::Regs(parts) => {
                for p in parts {
                    let slot = match p.reg {
                        Reg::Int(i) => i as usize,
                        Reg::Sse(i) => FRAME_SSE + i as usize,
                    };
                    std::ptr::copy_nonoverlapping(
                        frame.add(slot).cast::<u8>(),
                        out.as_mut_ptr().add(p.offset),
                        p.size,
                    );
                }
            }
            ArgPass::Stack { offset, .. } => {
                std::ptr::copy_nonoverlapping(stack.add(*offset), out.as_mut_ptr(), size);
            }
        }
    }
    out
}

/// Writes a result given as bytes (padded to its slots).
///
/// # Safety
///
/// As for [`ret`]; `bytes` holds at least the result's size.
pub(crate) unsafe fn ret_bytes(layout: &Layout, bytes: &[u8], frame: *mut u64) {
    // SAFETY: the caller's contract.
    unsafe {
        match &layout.ret {
            RetPass::Void => {}
            RetPass::Memory => {
                let dst = *frame as *mut u8;
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
                *frame.add(FRAME_RET) = dst as u64;
            }
            RetPass::Regs(parts) => {
                for p in parts {
                    let slot = match p.reg {
                        Reg::Int(i) => FRAME_RET + i as usize,
                        Reg::Sse(i) => FRAME_RET + 2 + i as usize,
                    };
                    *frame.add(slot) = 0;
                    let n = p.size.min(bytes.len().saturating_sub(p.offset));
                    std::ptr::copy_nonoverlapping(
                        bytes.as_ptr().add(p.offset),
                        frame.add(slot).cast::<u8>(),
                        n,
                    );
                }
            }
        }
    }
}
