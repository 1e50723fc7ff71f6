//! The registry's storage: a segmented array of slots that never moves,
//! typed objects erased to a pointer and a table of functions, and the
//! mutations (under a lock) and the lookup (without one).

use super::grace;
use super::handle::{Handle, HandleError, RefKind, MAX_GEN, MAX_SLOTS};
use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// What the registry does with an object whose type it has forgotten.
pub(super) struct Ops {
    pub(super) type_id: fn() -> TypeId,
    pub(super) type_name: fn() -> &'static str,
    /// `Weak<T>::upgrade` of a registry-owned weak pointer, as `dyn Any`.
    pub(super) upgrade_any: unsafe fn(*const ()) -> Option<Arc<dyn Any + Send + Sync>>,
    /// `Weak<T>::upgrade`, leaked to a raw strong pointer (null if dead).
    upgrade_raw: unsafe fn(*const ()) -> *const (),
    drop_strong: unsafe fn(*const ()),
    drop_weak: unsafe fn(*const ()),
}

/// The [`Ops`] of `T`.
pub(super) struct OpsOf<T>(PhantomData<fn() -> T>);

impl<T: Send + Sync + 'static> OpsOf<T> {
    pub(super) const OPS: &'static Ops = &Ops {
        type_id: TypeId::of::<T>,
        type_name: std::any::type_name::<T>,
        upgrade_any: upgrade_any::<T>,
        upgrade_raw: upgrade_raw::<T>,
        drop_strong: drop_strong::<T>,
        drop_weak: drop_weak::<T>,
    };
}

/// Upgrades the registry's weak pointer `p` without giving it up.
///
/// # Safety
///
/// `p` is a pointer from `Weak::<T>::into_raw` whose weak count the caller
/// (the registry) still owns for the duration of the call.
#[inline(always)]
pub(super) unsafe fn upgrade<T>(p: *const ()) -> Option<Arc<T>> {
    // SAFETY: per the contract, `p` is a live weak pointer; `ManuallyDrop`
    // keeps its count with the registry.
    ManuallyDrop::new(unsafe { Weak::from_raw(p.cast::<T>()) }).upgrade()
}

unsafe fn upgrade_any<T: Send + Sync + 'static>(
    p: *const (),
) -> Option<Arc<dyn Any + Send + Sync>> {
    // SAFETY: same contract as `upgrade`.
    unsafe { upgrade::<T>(p) }.map(|a| a as Arc<dyn Any + Send + Sync>)
}

unsafe fn upgrade_raw<T>(p: *const ()) -> *const () {
    // SAFETY: same contract as `upgrade`.
    unsafe { upgrade::<T>(p) }.map_or(ptr::null(), |a| Arc::into_raw(a).cast())
}

unsafe fn drop_strong<T>(p: *const ()) {
    // SAFETY: `p` came from `Arc::<T>::into_raw` and its count is the
    // caller's to give up.
    drop(unsafe { Arc::from_raw(p.cast::<T>()) });
}

unsafe fn drop_weak<T>(p: *const ()) {
    // SAFETY: `p` came from `Weak::<T>::into_raw` and its count is the
    // caller's to give up.
    drop(unsafe { Weak::from_raw(p.cast::<T>()) });
}

/// Slot word: the generation above `GEN_SHIFT`, flags below.
const GEN_SHIFT: u32 = 8;
/// The slot holds a registration of its generation.
const OCCUPIED: u64 = 1;
/// The slot's last generation was used up: it is never reused.
const RETIRED: u64 = 2;

const fn word(generation: u32, flags: u64) -> u64 {
    ((generation as u64) << GEN_SHIFT) | flags
}

const fn gen_of(w: u64) -> u32 {
    (w >> GEN_SHIFT) as u32
}

/// One registration place.
struct Slot {
    /// Generation and flags; written under the lock (release), read by
    /// lookups (acquire).
    word: AtomicU64,
    /// The registry's weak pointer (from `Weak::into_raw`): always held
    /// while occupied, and until a grace period after unregistering.
    weak: AtomicPtr<()>,
    /// The registry's strong pointer (from `Arc::into_raw`), or null when
    /// the registration is weak. Only touched under the lock.
    strong: AtomicPtr<()>,
    /// The object's [`Ops`].
    ops: AtomicPtr<Ops>,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            word: AtomicU64::new(word(1, 0)),
            weak: AtomicPtr::new(ptr::null_mut()),
            strong: AtomicPtr::new(ptr::null_mut()),
            ops: AtomicPtr::new(ptr::null_mut()),
        }
    }
}

/// Slots in the first segment (log 2); segment `k` has `BASE << k`.
const LOG_BASE: u32 = 5;
const BASE: u64 = 1 << LOG_BASE;
/// Enough segments for `MAX_SLOTS` indices.
const SEGMENTS: usize = (super::handle::INDEX_BITS - LOG_BASE + 1) as usize;

/// Segment and offset of a slot index.
#[inline(always)]
fn locate(index: u32) -> (usize, usize) {
    let j = index as u64 + BASE;
    let top = 63 - j.leading_zeros();
    ((top - LOG_BASE) as usize, (j - (1u64 << top)) as usize)
}

fn segment_len(seg: usize) -> usize {
    (BASE as usize) << seg
}

/// A registration waiting for a grace period before its slot is reused and
/// its weak pointer released.
struct Retired {
    index: u32,
    weak: *const (),
    ops: &'static Ops,
    reusable: bool,
}

// SAFETY: `weak` is a `Weak<T>` with `T: Send + Sync`, owned by the registry.
unsafe impl Send for Retired {}

/// Unregistrations between grace periods.
const RETIRE_BATCH: usize = 64;

/// What mutations share, under the lock.
struct State {
    /// Slots ever used (`0..fresh`).
    fresh: u32,
    /// Slots ready for reuse.
    free: Vec<u32>,
    retired: Vec<Retired>,
    live: usize,
}

/// The type-erased registry.
pub(super) struct Core {
    segments: [AtomicPtr<Slot>; SEGMENTS],
    state: Mutex<State>,
}

impl Core {
    pub(super) const fn new() -> Core {
        Core {
            segments: [const { AtomicPtr::new(ptr::null_mut()) }; SEGMENTS],
            state: Mutex::new(State {
                fresh: 0,
                free: Vec::new(),
                retired: Vec::new(),
                live: 0,
            }),
        }
    }

    /// The lock; poisoning is ignored (no user code runs under it).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[inline(always)]
    fn slot(&self, index: u32) -> Option<&Slot> {
        // Every index a handle can hold is below MAX_SLOTS, so `seg` is in
        // range.
        let (seg, off) = locate(index);
        let base = self.segments[seg].load(Acquire);
        // SAFETY: a published segment has `segment_len(seg)` initialised
        // slots and lives as long as the registry; `off` is within it.
        unsafe { base.as_ref().map(|_| &*base.add(off)) }
    }

    /// The slot for a fresh index, allocating its segment (under the lock).
    fn fresh_slot(&self, index: u32) -> &Slot {
        let (seg, off) = locate(index);
        let mut base = self.segments[seg].load(Acquire);
        if base.is_null() {
            let slots: Box<[Slot]> = (0..segment_len(seg)).map(|_| Slot::new()).collect();
            base = Box::into_raw(slots).cast::<Slot>();
            self.segments[seg].store(base, Release);
        }
        // SAFETY: as in `slot`.
        unsafe { &*base.add(off) }
    }

    /// Registers `obj`.
    pub(super) fn insert<T: Send + Sync + 'static>(
        &self,
        obj: Arc<T>,
        kind: RefKind,
    ) -> Result<Handle, HandleError> {
        let weak = Weak::into_raw(Arc::downgrade(&obj)).cast::<()>();
        let (strong, spare) = match kind {
            RefKind::Strong => (Arc::into_raw(obj).cast::<()>(), None),
            RefKind::Weak => (ptr::null(), Some(obj)),
        };
        let ops = OpsOf::<T>::OPS;
        let mut st = self.lock();
        let index = match st.free.pop() {
            Some(i) => Some(i),
            None if st.fresh < MAX_SLOTS => {
                st.fresh += 1;
                Some(st.fresh - 1)
            }
            None if !st.retired.is_empty() => {
                flush(&mut st);
                st.free.pop()
            }
            None => None,
        };
        let Some(index) = index else {
            drop(st);
            // SAFETY: the pointers were made above and never shared.
            unsafe {
                drop_weak::<T>(weak);
                if !strong.is_null() {
                    drop_strong::<T>(strong);
                }
            }
            drop(spare);
            return Err(HandleError::Full {
                capacity: u64::from(MAX_SLOTS),
            });
        };
        let slot = self.fresh_slot(index);
        slot.weak.store(weak.cast_mut(), Relaxed);
        slot.strong.store(strong.cast_mut(), Relaxed);
        slot.ops.store(ptr::from_ref(ops).cast_mut(), Relaxed);
        let generation = gen_of(slot.word.load(Relaxed));
        // Publishes the pointers to lookups that see this generation.
        slot.word.store(word(generation, OCCUPIED), Release);
        st.live += 1;
        drop(st);
        // A weak registration of the last `Arc` dies here, outside the lock.
        drop(spare);
        Ok(Handle::new(index, generation))
    }

    /// Why `h` does not name the registration in a slot whose word is `w`.
    #[cold]
    fn refuse(w: u64, h: Handle) -> HandleError {
        let (have, asked) = (gen_of(w), h.generation());
        if asked != 0 && (asked < have || (asked == have && w & RETIRED != 0)) {
            HandleError::Stale { handle: h }
        } else {
            HandleError::Invalid { handle: h }
        }
    }

    /// Runs `f` on the registration `h` names (its weak pointer and ops),
    /// inside a read section: no lock, no shared write. On failure, the slot
    /// word (kept small so the fast path returns in registers).
    #[inline(always)]
    pub(super) fn read<R>(
        &self,
        h: Handle,
        f: impl FnOnce(*const (), &'static Ops) -> R,
    ) -> Result<R, Refused> {
        let Some(slot) = self.slot(h.index()) else {
            return Err(Refused(word(0, 0)));
        };
        grace::read(|| {
            let w = slot.word.load(Acquire);
            if w & OCCUPIED == 0 || gen_of(w) != h.generation() {
                return Err(Refused(w));
            }
            let weak = slot.weak.load(Relaxed);
            // SAFETY: `ops` was stored from a `&'static Ops` before the
            // word that made the slot occupied with this generation.
            let ops = unsafe { &*slot.ops.load(Relaxed) };
            Ok(f(weak, ops))
        })
    }
}

/// A lookup that found no registration: the slot word it saw.
#[derive(Clone, Copy)]
pub(super) struct Refused(u64);

impl Refused {
    /// The error for handle `h`.
    #[cold]
    pub(super) fn error(self, h: Handle) -> HandleError {
        Core::refuse(self.0, h)
    }
}

impl Core {
    /// The occupied slot `h` names, under the lock.
    fn occupied<'a>(
        &'a self,
        _st: &MutexGuard<'_, State>,
        h: Handle,
    ) -> Result<&'a Slot, HandleError> {
        let slot = self
            .slot(h.index())
            .ok_or(HandleError::Invalid { handle: h })?;
        let w = slot.word.load(Relaxed);
        if w & OCCUPIED == 0 || gen_of(w) != h.generation() {
            return Err(Core::refuse(w, h));
        }
        Ok(slot)
    }

    /// Removes the registration `h` names.
    pub(super) fn remove(&self, h: Handle) -> Result<(), HandleError> {
        let mut st = self.lock();
        let slot = self.occupied(&st, h)?;
        let generation = h.generation();
        let next = if generation == MAX_GEN {
            word(generation, RETIRED)
        } else {
            word(generation + 1, 0)
        };
        // From here on lookups of `h` fail; those already past the check
        // keep reading the weak pointer until the grace period.
        slot.word.store(next, Release);
        let strong = slot.strong.swap(ptr::null_mut(), Relaxed);
        // SAFETY: stored from a `&'static Ops` at registration.
        let ops = unsafe { &*slot.ops.load(Relaxed) };
        st.retired.push(Retired {
            index: h.index(),
            weak: slot.weak.load(Relaxed),
            ops,
            reusable: next & RETIRED == 0,
        });
        st.live -= 1;
        if st.retired.len() >= RETIRE_BATCH {
            flush(&mut st);
        }
        drop(st);
        if !strong.is_null() {
            // Outside the lock: this may drop the object (and run its
            // finalizer), which may use the registry.
            // SAFETY: the registry owned this strong count and gave it up.
            unsafe { (ops.drop_strong)(strong) };
        }
        Ok(())
    }

    /// Makes the registration `h` strong or weak; returns the kind it had.
    pub(super) fn set_kind(&self, h: Handle, kind: RefKind) -> Result<RefKind, HandleError> {
        let st = self.lock();
        let slot = self.occupied(&st, h)?;
        let strong = slot.strong.load(Relaxed);
        // SAFETY: stored from a `&'static Ops` at registration.
        let ops = unsafe { &*slot.ops.load(Relaxed) };
        match (strong.is_null(), kind) {
            (false, RefKind::Strong) => Ok(RefKind::Strong),
            (true, RefKind::Weak) => Ok(RefKind::Weak),
            (false, RefKind::Weak) => {
                // Lookups always upgrade the weak pointer, so dropping the
                // strong count needs no grace period: a racing lookup either
                // upgrades before the object dies, or gets `None`.
                slot.strong.store(ptr::null_mut(), Relaxed);
                drop(st);
                // SAFETY: the registry owned this strong count.
                unsafe { (ops.drop_strong)(strong) };
                Ok(RefKind::Strong)
            }
            (true, RefKind::Strong) => {
                // SAFETY: the registry owns the weak pointer (we hold the
                // lock, so it is not being released).
                let s = unsafe { (ops.upgrade_raw)(slot.weak.load(Relaxed)) };
                if s.is_null() {
                    return Err(HandleError::Dead { handle: h });
                }
                slot.strong.store(s.cast_mut(), Relaxed);
                Ok(RefKind::Weak)
            }
        }
    }

    /// How the registration `h` names holds its object.
    pub(super) fn kind(&self, h: Handle) -> Result<RefKind, HandleError> {
        let st = self.lock();
        let slot = self.occupied(&st, h)?;
        Ok(if slot.strong.load(Relaxed).is_null() {
            RefKind::Weak
        } else {
            RefKind::Strong
        })
    }

    /// Registrations in place.
    pub(super) fn len(&self) -> usize {
        self.lock().live
    }

    /// Runs a grace period now: releases what unregistered objects still
    /// hold and makes their slots reusable.
    pub(super) fn reclaim(&self) {
        let mut st = self.lock();
        flush(&mut st);
    }
}

/// Waits for a grace period, then releases the retired registrations.
fn flush(st: &mut MutexGuard<'_, State>) {
    if st.retired.is_empty() {
        return;
    }
    grace::synchronize();
    let retired = std::mem::take(&mut st.retired);
    for r in retired {
        // Runs no user code: the object itself is dropped with its last
        // strong count; this only frees the allocation if nothing else
        // refers to it.
        // SAFETY: the registry owned this weak count; no lookup can read it
        // after the grace period.
        unsafe { (r.ops.drop_weak)(r.weak) };
        if r.reusable {
            st.free.push(r.index);
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        let fresh = st.fresh;
        // (pointer, ops, whether it is a strong count)
        type Release = Vec<(*const (), &'static Ops, bool)>;
        let mut release: Release = st
            .retired
            .drain(..)
            .map(|r| (r.weak, r.ops, false))
            .collect();
        for (seg, cell) in self.segments.iter_mut().enumerate() {
            let base = *cell.get_mut();
            if base.is_null() {
                continue;
            }
            let len = segment_len(seg);
            // SAFETY: made by `Box::into_raw` of a boxed slice of `len` slots
            // in `fresh_slot`; `&mut self` means no lookup is running.
            let slots = unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(base, len)) };
            let first = (BASE as usize) * ((1usize << seg) - 1);
            for (off, slot) in slots.iter().enumerate() {
                if first + off >= fresh as usize || slot.word.load(Relaxed) & OCCUPIED == 0 {
                    continue;
                }
                // SAFETY: stored from a `&'static Ops` at registration.
                let ops = unsafe { &*slot.ops.load(Relaxed) };
                let strong = slot.strong.load(Relaxed);
                if !strong.is_null() {
                    release.push((strong, ops, true));
                }
                release.push((slot.weak.load(Relaxed), ops, false));
            }
            *cell.get_mut() = ptr::null_mut();
        }
        // Last, as they may run user code (objects' destructors).
        for (p, ops, strong) in release {
            // SAFETY: the registry owned each of these counts.
            unsafe {
                if strong {
                    (ops.drop_strong)(p)
                } else {
                    (ops.drop_weak)(p)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_every_index() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(31), (0, 31));
        assert_eq!(locate(32), (1, 0));
        assert_eq!(locate(95), (1, 63));
        assert_eq!(locate(96), (2, 0));
        let (seg, off) = locate(MAX_SLOTS - 1);
        assert!(seg < SEGMENTS && off < segment_len(seg));
    }
}
