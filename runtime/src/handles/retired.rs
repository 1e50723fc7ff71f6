//! What unregistering, switching to weak and growing leave behind, kept
//! until a grace period is over: the registry's counts of removed objects
//! and replaced slot arrays, in batches.
//!
//! Retired things gather in an *open* batch. Every [`BATCH`] of them (and on
//! growth and `reclaim`) the batch is closed: a grace period starts for it
//! ([`Readers::start`]), and the batch waits until that grace period is
//! over. Closing never blocks for long: a mutation waits at most [`SHORT`]
//! (`reclaim`: [`LONG`]) for other threads' sections, never for the
//! caller's own, and leaves a batch whose grace period is not over on the
//! waiting list, for a later flush to release.

use super::grace::{self, Readers};
use super::ops::Ops;
use super::slots::Slot;
use std::ptr;
use std::time::Duration;

/// Retirements between grace periods: unregistering is cheap on average.
const BATCH: usize = 64;
/// Batches waiting at most; beyond, the newest two are merged (one grace
/// period over both: later, never earlier).
const MAX_WAITING: usize = 8;
/// How long a mutation's grace period waits for other threads' sections
/// (normally a few nanoseconds long; a guard may be held much longer).
pub(super) const SHORT: Duration = Duration::from_micros(100);
/// How long [`reclaim`](super::Handles::reclaim) waits.
pub(super) const LONG: Duration = Duration::from_millis(10);

/// One thing a grace period must pass before it is released. Dropping it
/// releases it: the counts it holds are given up (which may drop the object
/// and run user code) and an array is freed.
pub(super) enum Garbage {
    /// An unregistered slot's registration: the registry's weak count, its
    /// strong count (null for a weak registration) and the slot's index
    /// (to reuse, unless its generations are used up).
    Slot {
        index: u32,
        reusable: bool,
        weak: *const (),
        strong: *const (),
        ops: &'static Ops,
    },
    /// The registry's strong count, given up by a switch to weak.
    Strong {
        strong: *const (),
        ops: &'static Ops,
    },
    /// A slot array replaced by a bigger copy (made by `Box::into_raw` of a
    /// boxed slice of `capacity` slots).
    Array { base: *mut Slot, capacity: usize },
}

// SAFETY: the pointers are counts of `Send + Sync` objects owned by the
// registry, and an array owned by it; nothing else refers to them through
// this value.
unsafe impl Send for Garbage {}

impl Drop for Garbage {
    fn drop(&mut self) {
        // SAFETY: each variant owns what it points to (see the variants);
        // a `Garbage` is dropped only after its grace period is over, or
        // when the registry is dropped (no reader can use it then).
        unsafe {
            match *self {
                Garbage::Slot {
                    weak, strong, ops, ..
                } => {
                    if !strong.is_null() {
                        (ops.drop_strong)(strong);
                    }
                    (ops.drop_weak)(weak);
                }
                Garbage::Strong { strong, ops } => (ops.drop_strong)(strong),
                Garbage::Array { base, capacity } => {
                    drop(Box::from_raw(ptr::slice_from_raw_parts_mut(base, capacity)))
                }
            }
        }
    }
}

/// A closed batch and the grace period it waits for.
struct Batch {
    garbage: Vec<Garbage>,
    readers: Readers,
}

/// What the registry retired and has not released yet.
pub(super) struct Retired {
    /// Retired since the last grace period started.
    open: Vec<Garbage>,
    /// Closed batches, oldest first.
    waiting: Vec<Batch>,
}

/// Garbage whose grace period is over, to drop once the registry's lock is
/// released (dropping it may run objects' destructors, which may use the
/// registry).
#[must_use]
#[derive(Default)]
pub(super) struct Released(pub(super) Vec<Garbage>);

impl Retired {
    pub(super) const fn new() -> Retired {
        Retired {
            open: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// Retires `g` (after the stores that unlinked it); true when the open
    /// batch is full and a [`flush`](Self::flush) is due.
    pub(super) fn push(&mut self, g: Garbage) -> bool {
        self.open.push(g);
        self.open.len() >= BATCH
    }

    /// Whether something is retired and not released.
    pub(super) fn is_empty(&self) -> bool {
        self.open.is_empty() && self.waiting.is_empty()
    }

    /// Closes the open batch (starting its grace period) and releases every
    /// batch whose grace period is over, into `out`; freed slots go to
    /// `free`. Waits up to `patience` for other threads' sections: for the
    /// new batch's only (not for sections already open when an older batch
    /// closed: guards held long), or, if `all`, for every batch's. Returns
    /// whether nothing is left waiting.
    pub(super) fn flush(
        &mut self,
        patience: Duration,
        all: bool,
        free: &mut Vec<u32>,
        out: &mut Released,
    ) -> bool {
        if !self.open.is_empty() {
            let garbage = std::mem::take(&mut self.open);
            // After the unlinking stores (made before `push`, under the lock
            // the caller holds).
            let readers = Readers::start();
            self.waiting.push(Batch { garbage, readers });
        }
        if all {
            self.merge_all();
        }
        let Some((newest, older)) = self.waiting.split_last_mut() else {
            return true;
        };
        newest
            .readers
            .wait(patience, older.iter().map(|b| &b.readers));
        let mut over = 0;
        for b in self.waiting.iter_mut() {
            over += usize::from(b.readers.poll());
        }
        if over > 0 {
            // Only the batches seen over before this fence: a section seen
            // ended after it would not be ordered before the release.
            grace::settled();
            let (done, left): (Vec<Batch>, Vec<Batch>) = std::mem::take(&mut self.waiting)
                .into_iter()
                .partition(|b| b.readers.is_over());
            self.waiting = left;
            for b in done {
                for g in &b.garbage {
                    if let Garbage::Slot {
                        index,
                        reusable: true,
                        ..
                    } = *g
                    {
                        free.push(index);
                    }
                }
                out.0.extend(b.garbage);
            }
        }
        if self.waiting.len() > MAX_WAITING {
            self.merge_newest();
        }
        self.waiting.is_empty()
    }

    /// Merges the newest batch into the one before it.
    fn merge_newest(&mut self) {
        if let Some(b) = self.waiting.pop() {
            match self.waiting.last_mut() {
                Some(prev) => {
                    prev.garbage.extend(b.garbage);
                    prev.readers.merge(b.readers);
                }
                None => self.waiting.push(b),
            }
        }
    }

    /// Merges every batch into one (to wait for all of them at once).
    fn merge_all(&mut self) {
        while self.waiting.len() > 1 {
            self.merge_newest();
        }
    }

    /// Everything retired, whatever its grace period (the registry is being
    /// dropped: no reader can use it any more).
    pub(super) fn take_all(&mut self) -> Vec<Garbage> {
        let mut all = std::mem::take(&mut self.open);
        for b in std::mem::take(&mut self.waiting) {
            all.extend(b.garbage);
        }
        all
    }
}
