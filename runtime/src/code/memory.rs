//! Memory for generated machine code: writable or executable, never both.
//!
//! Code is produced in two phases. [`CodeArena::reserve`] hands out a
//! [`CodeReservation`]: a block whose final execution address is already known
//! (so the caller can encode rip-relative code for it) and which can only be
//! written. [`CodeReservation::finish`] copies the encoded bytes in and turns the
//! reservation, by value, into a [`CodeBlock`]: executable and not writable.
//! Dropping either one returns the memory to the arena.
//!
//! # Mapping modes
//!
//! * [`MappingMode::Dual`] (preferred): every chunk is a `memfd_create` file
//!   mapped twice with `MAP_SHARED`, once `PROT_READ|PROT_WRITE` and once
//!   `PROT_READ|PROT_EXEC`. Code is written through the first view and runs
//!   through the second, so no page is ever writable and executable. Small
//!   requests (up to 4096 bytes) are rounded up to a power-of-two size class
//!   (16, 32, ... 4096) and carved out of shared 64 KiB chunks; freed blocks go
//!   to a per-class free list and are reused, so memory stays at its high-water
//!   mark. Freed blocks are refilled with `int3` so a stale call traps. Larger
//!   requests get a dedicated mapping that is unmapped when freed.
//!
//!   The global arena also keeps a small per-thread cache of freed small
//!   blocks (up to [`THREAD_CACHE_BLOCKS`] per size class), so that making
//!   and dropping a callback takes no lock: a block freed on a thread is
//!   reused by that thread's next reservation of its class; the cache goes
//!   back to the arena's free lists when the thread exits.
//! * [`MappingMode::Protect`] (fallback, chosen automatically when
//!   `memfd_create` or the executable shared view is refused, e.g. by seccomp
//!   or a no-exec memfd policy): every reservation gets its own fresh anonymous
//!   `PROT_READ|PROT_WRITE` pages, which `finish` turns `PROT_READ|PROT_EXEC`
//!   with `mprotect`. Such pages are never made writable again: they are
//!   unmapped when the block is dropped. In this mode each block costs at least
//!   one page.

mod block;
mod mapping;

use super::os::{is_policy_denial, page_size};
use mapping::Mapping;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The `int3` opcode, used to fill unused and freed code memory.
const INT3: u8 = 0xCC;
/// log2 of the smallest size class (16 bytes, also the block alignment).
const MIN_CLASS_SHIFT: u32 = 4;
/// log2 of the largest size class (4096 bytes); larger requests are dedicated.
const MAX_CLASS_SHIFT: u32 = 12;
/// Number of size classes.
const CLASS_COUNT: usize = (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1) as usize;
/// Size of a shared chunk before rounding up to the page size.
const CHUNK_BYTES: usize = 64 * 1024;
/// Freed small blocks of the global arena each thread keeps per size class.
pub const THREAD_CACHE_BLOCKS: usize = 32;

/// How an arena maps its code memory (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingMode {
    /// A `memfd_create` file mapped twice: one writable view, one executable view.
    Dual,
    /// Anonymous writable pages, `mprotect`ed to executable once written.
    Protect,
}

/// A snapshot of an arena's bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaStats {
    /// Bytes of code memory held (each chunk counted once, although in dual
    /// mode it is mapped at two addresses).
    pub mapped_bytes: usize,
    /// Reservations and blocks currently alive (for the global arena, with
    /// the freed blocks its per-thread caches hold).
    pub live_blocks: usize,
    /// Blocks waiting in the arena's free lists for reuse (blocks held in
    /// the global arena's per-thread caches count as live).
    pub free_blocks: usize,
    /// Mappings held: shared chunks plus dedicated mappings.
    pub chunks: usize,
}

/// An allocator of code memory; see the module documentation.
pub struct CodeArena {
    state: Mutex<ArenaState>,
}

/// A block being written: it can be filled with bytes, and its execution
/// address is known. It can not be executed until [`CodeReservation::finish`].
pub struct CodeReservation {
    arena: &'static CodeArena,
    slot: Slot,
}

/// Executable code. It can not be written through; it is freed (returned to
/// its arena) on drop, after which any pointer to it must no longer be called.
pub struct CodeBlock {
    arena: &'static CodeArena,
    addr: usize,
    /// The block's address in the writable view (`addr` in protect mode).
    write: usize,
    len: usize,
    capacity: usize,
    placement: Placement,
}

/// Where a block lives, which decides how it is freed.
#[derive(Debug, Clone, Copy)]
enum Placement {
    /// Inside a shared chunk, in the size class with this index.
    Pooled(usize),
    /// Alone in its own mapping, keyed by its address.
    Dedicated,
}

/// A block handed out by the arena state.
#[derive(Debug)]
struct Slot {
    exec: usize,
    write: usize,
    capacity: usize,
    placement: Placement,
    /// Whether the whole block already holds `int3` (every block in a free
    /// list does), so `finish` need not fill the rest.
    clean: bool,
}

/// A shared chunk, carved from the start by bumping `used`.
struct Chunk {
    mapping: Mapping,
    used: usize,
}

/// The mutable state of an arena, behind its mutex.
struct ArenaState {
    mode: Option<MappingMode>,
    page_size: usize,
    /// Shared chunks, keyed by the address of their executable view.
    chunks: BTreeMap<usize, Chunk>,
    /// The chunk new small blocks are bumped from.
    current: Option<usize>,
    /// Free blocks per size class: (executable, writable) addresses.
    free: [Vec<(usize, usize)>; CLASS_COUNT],
    /// Dedicated mappings, keyed by the address of their executable view.
    dedicated: BTreeMap<usize, Mapping>,
    live_blocks: usize,
    mapped_bytes: usize,
}

impl CodeArena {
    /// Creates an empty arena; the mapping mode is chosen at the first reservation.
    pub const fn new() -> CodeArena {
        CodeArena::with_state(None)
    }

    /// Creates an empty arena that always uses `mode` (reservations fail if
    /// that mode is not available).
    pub const fn with_mode(mode: MappingMode) -> CodeArena {
        CodeArena::with_state(Some(mode))
    }

    const fn with_state(mode: Option<MappingMode>) -> CodeArena {
        CodeArena {
            state: Mutex::new(ArenaState {
                mode,
                page_size: 0,
                chunks: BTreeMap::new(),
                current: None,
                free: [const { Vec::new() }; CLASS_COUNT],
                dedicated: BTreeMap::new(),
                live_blocks: 0,
                mapped_bytes: 0,
            }),
        }
    }

    /// The process-wide arena.
    pub fn global() -> &'static CodeArena {
        static GLOBAL: CodeArena = CodeArena::new();
        &GLOBAL
    }

    /// Reserves `len` bytes of code (aligned to 16) and returns a writable
    /// reservation. The capacity may be larger than `len`.
    pub fn reserve(&'static self, len: usize) -> io::Result<CodeReservation> {
        if let Some(slot) = self.cached(len) {
            return Ok(CodeReservation { arena: self, slot });
        }
        let slot = self.lock().allocate(len)?;
        Ok(CodeReservation { arena: self, slot })
    }

    /// A block of `len` bytes from this thread's cache (global arena only).
    fn cached(&'static self, len: usize) -> Option<Slot> {
        if !self.is_global() {
            return None;
        }
        let class = class_of(len)?;
        let (exec, write) = THREAD_CACHE
            .try_with(|c| c.borrow_mut().free[class].pop())
            .ok()
            .flatten()?;
        Some(Slot {
            exec,
            write,
            capacity: class_size(class),
            placement: Placement::Pooled(class),
            clean: true,
        })
    }

    fn is_global(&self) -> bool {
        ptr::eq(self, CodeArena::global())
    }

    /// The mapping mode in use, or `None` before the first reservation decided it.
    pub fn mode(&self) -> Option<MappingMode> {
        self.lock().mode
    }

    /// A snapshot of the arena's bookkeeping.
    pub fn stats(&self) -> ArenaStats {
        let state = self.lock();
        ArenaStats {
            mapped_bytes: state.mapped_bytes,
            live_blocks: state.live_blocks,
            free_blocks: state.free.iter().map(Vec::len).sum(),
            chunks: state.chunks.len() + state.dedicated.len(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ArenaState> {
        // The state is consistent between statements, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release(&self, exec: usize, write: usize, placement: Placement) {
        if let Placement::Pooled(class) = placement {
            // SAFETY: `write` is the writable view of a block of
            // `class_size(class)` bytes inside a live chunk (chunks are never
            // unmapped); its owner is gone, so nothing else reads or writes
            // it now.
            unsafe { ptr::write_bytes(write as *mut u8, INT3, class_size(class)) };
            if self.is_global() {
                let kept = THREAD_CACHE.try_with(|c| {
                    let list = &mut c.borrow_mut().free[class];
                    let room = list.len() < THREAD_CACHE_BLOCKS;
                    if room {
                        list.push((exec, write));
                    }
                    room
                });
                if kept == Ok(true) {
                    return;
                }
            }
        }
        self.lock().release(exec, write, placement);
    }
}

impl Default for CodeArena {
    fn default() -> CodeArena {
        CodeArena::new()
    }
}

impl fmt::Debug for CodeArena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeArena")
            .field("mode", &self.mode())
            .field("stats", &self.stats())
            .finish()
    }
}

impl ArenaState {
    fn allocate(&mut self, len: usize) -> io::Result<Slot> {
        if len > isize::MAX as usize {
            return Err(invalid_input("code reservation too large"));
        }
        if self.page_size == 0 {
            self.page_size = page_size()?;
        }
        let mode = self.settle_mode()?;
        let slot = match (mode, class_of(len)) {
            (MappingMode::Dual, Some(class)) => self.allocate_pooled(class)?,
            _ => self.allocate_dedicated(len, mode)?,
        };
        self.live_blocks += 1;
        Ok(slot)
    }

    /// Decides the mapping mode on first use by probing a dual mapping.
    fn settle_mode(&mut self) -> io::Result<MappingMode> {
        if let Some(mode) = self.mode {
            return Ok(mode);
        }
        let mode = match Mapping::dual(self.page_size) {
            Ok(_probe) => MappingMode::Dual,
            Err(err) if is_policy_denial(&err) => MappingMode::Protect,
            Err(err) => return Err(err),
        };
        self.mode = Some(mode);
        Ok(mode)
    }

    fn allocate_pooled(&mut self, class: usize) -> io::Result<Slot> {
        let size = class_size(class);
        let ((exec, write), clean) = match self.free[class].pop() {
            Some(block) => (block, true),
            None => (self.bump(size)?, false),
        };
        Ok(Slot {
            exec,
            write,
            capacity: size,
            placement: Placement::Pooled(class),
            clean,
        })
    }

    /// Carves `size` bytes from the current chunk, or from a new one.
    fn bump(&mut self, size: usize) -> io::Result<(usize, usize)> {
        if let Some(chunk) = self.current.and_then(|base| self.chunks.get_mut(&base)) {
            let base = chunk.mapping.exec;
            if chunk.mapping.size - chunk.used >= size {
                let offset = chunk.used;
                chunk.used += size;
                return Ok((base + offset, chunk.mapping.write + offset));
            }
            // Hand the tail of the exhausted chunk to the free lists.
            while chunk.mapping.size - chunk.used >= class_size(0) {
                let rest = chunk.mapping.size - chunk.used;
                let shift = rest.ilog2().min(MAX_CLASS_SHIFT);
                let class = (shift - MIN_CLASS_SHIFT) as usize;
                let write = chunk.mapping.write + chunk.used;
                // SAFETY: `write..write + class_size(class)` is unused memory
                // at the end of this chunk's writable view (`rest` bytes
                // remain); free blocks hold `int3` throughout.
                unsafe { ptr::write_bytes(write as *mut u8, INT3, class_size(class)) };
                self.free[class].push((base + chunk.used, write));
                chunk.used += class_size(class);
            }
        }
        let chunk_size = round_up(CHUNK_BYTES, self.page_size)
            .ok_or_else(|| invalid_input("page size too large"))?;
        let mapping = Mapping::dual(chunk_size)?;
        let (exec, write) = (mapping.exec, mapping.write);
        self.mapped_bytes += chunk_size;
        self.chunks.insert(
            exec,
            Chunk {
                mapping,
                used: size,
            },
        );
        self.current = Some(exec);
        Ok((exec, write))
    }

    fn allocate_dedicated(&mut self, len: usize, mode: MappingMode) -> io::Result<Slot> {
        let size = round_up(len.max(1), self.page_size)
            .ok_or_else(|| invalid_input("code reservation too large"))?;
        let mapping = match mode {
            MappingMode::Dual => Mapping::dual(size)?,
            MappingMode::Protect => Mapping::anonymous(size)?,
        };
        let slot = Slot {
            exec: mapping.exec,
            write: mapping.write,
            capacity: size,
            placement: Placement::Dedicated,
            clean: false,
        };
        self.dedicated.insert(mapping.exec, mapping);
        self.mapped_bytes += size;
        Ok(slot)
    }

    /// Takes back a block (already refilled with `int3` if pooled).
    fn release(&mut self, exec: usize, write: usize, placement: Placement) {
        self.live_blocks = self.live_blocks.saturating_sub(1);
        match placement {
            Placement::Pooled(class) => self.free[class].push((exec, write)),
            Placement::Dedicated => {
                if let Some(mapping) = self.dedicated.remove(&exec) {
                    self.mapped_bytes = self.mapped_bytes.saturating_sub(mapping.size);
                }
            }
        }
    }
}

/// Freed small blocks of the global arena kept by one thread, per size
/// class: (executable, writable) addresses, already refilled with `int3`.
struct ThreadCache {
    free: [Vec<(usize, usize)>; CLASS_COUNT],
}

impl Drop for ThreadCache {
    fn drop(&mut self) {
        // The thread is exiting: its blocks go back to the arena.
        let mut state = CodeArena::global().lock();
        for (class, list) in self.free.iter_mut().enumerate() {
            for (exec, write) in list.drain(..) {
                state.release(exec, write, Placement::Pooled(class));
            }
        }
    }
}

thread_local! {
    static THREAD_CACHE: std::cell::RefCell<ThreadCache> = const {
        std::cell::RefCell::new(ThreadCache {
            free: [const { Vec::new() }; CLASS_COUNT],
        })
    };
}

/// Lines of `/proc/self/maps` whose permissions include both `w` and `x`.
pub fn writable_and_executable_mappings() -> io::Result<Vec<String>> {
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    Ok(maps
        .lines()
        .filter(|line| {
            let perms = line.split_whitespace().nth(1).unwrap_or("");
            perms.contains('w') && perms.contains('x')
        })
        .map(str::to_owned)
        .collect())
}

/// The size class for a request of `len` bytes, or `None` if it is too large.
fn class_of(len: usize) -> Option<usize> {
    let size = len.checked_next_power_of_two()?.max(1 << MIN_CLASS_SHIFT);
    let shift = size.trailing_zeros();
    (shift <= MAX_CLASS_SHIFT).then(|| (shift - MIN_CLASS_SHIFT) as usize)
}

fn class_size(class: usize) -> usize {
    1 << (class + MIN_CLASS_SHIFT as usize)
}

fn round_up(len: usize, align: usize) -> Option<usize> {
    Some(len.checked_add(align - 1)? & !(align - 1))
}

fn invalid_input(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests;
