//! What the arena hands out: a [`CodeReservation`] (writable, not yet
//! executable) that becomes, by value, a [`CodeBlock`] (executable, never
//! writable again).

use super::super::os::protect_exec;
use super::{invalid_input, CodeBlock, CodeReservation, Slot, INT3};
use std::{fmt, io, ptr};

impl CodeReservation {
    /// The address the code will execute at.
    pub fn exec_addr(&self) -> usize {
        self.slot.exec
    }

    /// The number of bytes the block can hold (at least the requested length).
    pub fn capacity(&self) -> usize {
        self.slot.capacity
    }

    /// Copies `code` into the block, fills the rest of the block with `int3`
    /// (0xCC) and turns the reservation into executable code.
    ///
    /// A `code` longer than [`capacity`](Self::capacity) is an error of kind
    /// `InvalidInput` and nothing is written. In protect mode this is where the
    /// pages become executable; an `mprotect` failure is returned as the error.
    /// On error the reservation is freed.
    pub fn finish(self, code: &[u8]) -> io::Result<CodeBlock> {
        self.finish_with(code.len(), |buf| buf.copy_from_slice(code))
    }

    /// As [`finish`](Self::finish), with the code written in place by
    /// `fill`, which receives the first `len` bytes of the block (their
    /// previous contents unspecified) and must write all of them.
    pub fn finish_with(self, len: usize, fill: impl FnOnce(&mut [u8])) -> io::Result<CodeBlock> {
        let Slot {
            exec,
            write,
            capacity,
            placement,
            clean,
        } = self.slot;
        if len > capacity {
            return Err(invalid_input("code is longer than its reservation"));
        }
        // SAFETY: `write..write + capacity` is the writable view of this
        // reservation's block, reserved for it alone (initialized memory:
        // a mapping's pages start zeroed), and `len <= capacity`; the slice
        // lives only during `fill`, while `self` owns the block.
        fill(unsafe { std::slice::from_raw_parts_mut(write as *mut u8, len) });
        if !clean {
            // SAFETY: as above; `len..capacity` lies inside the block.
            unsafe { ptr::write_bytes((write + len) as *mut u8, INT3, capacity - len) };
        }
        if write == exec {
            // Protect mode: the block is its own page-aligned mapping.
            protect_exec(exec, capacity)?;
        }
        let arena = self.arena;
        let block = CodeBlock {
            arena,
            addr: exec,
            write,
            len,
            capacity,
            placement,
        };
        // The block now owns the memory; the reservation must not free it.
        std::mem::forget(self);
        Ok(block)
    }
}

impl Drop for CodeReservation {
    fn drop(&mut self) {
        self.arena
            .release(self.slot.exec, self.slot.write, self.slot.placement);
    }
}

impl fmt::Debug for CodeReservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeReservation")
            .field("slot", &self.slot)
            .finish()
    }
}

impl CodeBlock {
    /// The address of the first instruction.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// The length of the code passed to [`CodeReservation::finish`].
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the code is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The size of the block, including the `int3` padding after the code.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// A pointer to the first instruction.
    pub fn as_ptr(&self) -> *const u8 {
        self.addr as *const u8
    }

    /// Reads the code back from the executable view (for tests and disassembly).
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `addr..addr + len` lies in a readable mapping that stays
        // mapped, and is not written, while this block is alive.
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.len) }
    }
}

impl Drop for CodeBlock {
    fn drop(&mut self) {
        self.arena.release(self.addr, self.write, self.placement);
    }
}

impl fmt::Debug for CodeBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeBlock")
            .field("addr", &format_args!("{:#x}", self.addr))
            .field("len", &self.len)
            .finish()
    }
}
