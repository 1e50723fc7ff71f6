//! Interposition: replacing a foreign function with a Rust one for a scope,
//! without `LD_PRELOAD`. Calls through the table and through entry addresses
//! already handed to C reach the replacement; dropping the guard restores
//! what was there (nested interpositions unwind in any order: the newest one
//! still active wins). A relink while interposed changes only the binding
//! underneath, which [`original`] returns.

use super::lock;
use crate::decl::Decl;
use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// An active interposition; dropping it removes the replacement.
#[must_use = "the interposition ends when this guard is dropped"]
pub struct Interposition {
    decl: &'static Decl,
    id: u64,
    replacement: usize,
    /// Keeps a closure's callback alive for as long as it is interposed.
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

/// Interposes `replacement` (a C function of the declaration's type) on
/// `decl`. Keeps `keep` alive until the guard drops (a callback's thunk).
pub fn interpose_keeping(
    decl: &'static Decl,
    replacement: usize,
    keep: Option<Box<dyn Any + Send + Sync>>,
) -> Interposition {
    super::init();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let mut t = lock();
    let stack = t
        .interpositions
        .entry(std::ptr::from_ref(decl) as usize)
        .or_default();
    if stack.is_empty() {
        decl.underlying
            .store(decl.slot().cast_mut(), Ordering::Release);
    }
    stack.push((id, replacement));
    decl.interposed.store(stack.len() as u32, Ordering::Release);
    decl.store_slots(replacement as *const (), replacement as *const ());
    Interposition {
        decl,
        id,
        replacement,
        _keep: keep,
    }
}

/// Interposes `replacement` on `decl` (see the module docs).
pub fn interpose(decl: &'static Decl, replacement: usize) -> Interposition {
    interpose_keeping(decl, replacement, None)
}

/// The address under the interpositions (the function itself, or its lazy
/// stub), for a replacement that wants to call the original.
pub fn original(decl: &'static Decl) -> usize {
    super::init();
    if decl.interposed.load(Ordering::Acquire) > 0 {
        decl.underlying.load(Ordering::Acquire) as usize
    } else {
        decl.slot() as usize
    }
}

impl Interposition {
    /// The replacement's address.
    pub fn replacement(&self) -> usize {
        self.replacement
    }
}

impl Drop for Interposition {
    fn drop(&mut self) {
        let mut t = lock();
        let key = std::ptr::from_ref(self.decl) as usize;
        let Some(stack) = t.interpositions.get_mut(&key) else {
            return;
        };
        stack.retain(|(id, _)| *id != self.id);
        match stack.last() {
            Some(&(_, top)) => {
                self.decl
                    .interposed
                    .store(stack.len() as u32, Ordering::Release);
                self.decl.store_slots(top as *const (), top as *const ());
            }
            None => {
                t.interpositions.remove(&key);
                let under = self.decl.underlying.load(Ordering::Acquire);
                self.decl.store_slots(under, under);
                self.decl.interposed.store(0, Ordering::Release);
                // An unresolved declaration's C entry goes to its C stub, not the Rust one.
                if let Some(c) = t.records.get(&key).and_then(|r| r.c_stub.as_ref()) {
                    if !self.decl.is_resolved() {
                        self.decl
                            .entry_slot
                            .store(c.addr() as *mut (), Ordering::Release);
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Interposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interposition")
            .field("symbol", &self.decl.symbol())
            .field("replacement", &self.replacement)
            .finish()
    }
}
