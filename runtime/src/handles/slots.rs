//! The registry's storage: a flat array of slots that grows by copying (the
//! old array is freed after a grace period), typed objects erased to a
//! pointer and a table of functions, and the mutations (under a lock) and
//! the lookup (without one).

use super::grace;
use super::handle::{Handle, HandleError, RefKind, INDEX_BITS, MAX_GEN, MAX_SLOTS};
use std::any::{Any, TypeId};
use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// What the registry does with an object whose type it has forgotten.
pub(super) struct Ops {
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

/// Slot word: the generation above `GEN_SHIFT`, flags below. The shift is
/// the handles' (the generation sits where it sits in a handle), so a lookup
/// checks a slot with one comparison: [`expected`].
const GEN_SHIFT: u32 = INDEX_BITS;
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

/// The word of a slot holding the registration `h` names: the handle's
/// generation bits, and occupied (a retired or free slot never matches).
#[inline(always)]
const fn expected(h: Handle) -> u64 {
    let raw = h.into_raw() as u64;
    (raw & !((1u64 << INDEX_BITS) - 1)) | OCCUPIED
}

/// One registration place. The fields lookups read come first.
#[repr(C)]
pub(super) struct Slot {
    /// Generation and flags; written under the lock (release), read by
    /// lookups (acquire).
    word: AtomicU64,
    /// The registry's weak pointer (from `Weak::into_raw`): always held
    /// while occupied, and until a grace period after unregistering.
    weak: AtomicPtr<()>,
    /// The object's type, for [`Handles`](super::Handles)' check at lookup
    /// (a value, so the check is two compares, not a call through `ops`).
    /// Not atomic: written under the lock before the release store of the
    /// word that makes the slot occupied, and rewritten only when the slot
    /// is reused, after a grace period; a lookup reads it only after seeing
    /// that word (acquire), inside a read section. So no write races a read.
    type_id: UnsafeCell<TypeId>,
    /// The object's [`Ops`].
    ops: AtomicPtr<Ops>,
    /// The registry's strong pointer (from `Arc::into_raw`), or null when
    /// the registration is weak. Only touched under the lock.
    strong: AtomicPtr<()>,
}

impl Slot {
    /// Copies `other`'s registration (under the lock, into a slot no
    /// lookup can see yet).
    ///
    /// # Safety
    ///
    /// The caller holds the registry's lock and `self` is not published.
    unsafe fn copy_from(&self, other: &Slot) {
        self.word.store(other.word.load(Relaxed), Relaxed);
        self.weak.store(other.weak.load(Relaxed), Relaxed);
        // SAFETY: per the contract, nothing writes `other.type_id` (under
        // the lock) and nothing reads `self.type_id` (unpublished).
        unsafe { *self.type_id.get() = *other.type_id.get() };
        self.ops.store(other.ops.load(Relaxed), Relaxed);
        self.strong.store(other.strong.load(Relaxed), Relaxed);
    }

    fn new() -> Slot {
        Slot {
            word: AtomicU64::new(word(1, 0)),
            weak: AtomicPtr::new(ptr::null_mut()),
            type_id: UnsafeCell::new(TypeId::of::<()>()),
            ops: AtomicPtr::new(ptr::null_mut()),
            strong: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Whether the registration in this slot is a `T`.
    ///
    /// # Safety
    ///
    /// Only inside a read section, after an acquire load of the word saw the
    /// slot occupied (or under the lock).
    #[inline(always)]
    pub(super) unsafe fn holds<T: 'static>(&self) -> bool {
        // SAFETY: per the contract, no write to `type_id` can race this
        // read (see the field).
        unsafe { *self.type_id.get() == TypeId::of::<T>() }
    }

    /// The object's [`Ops`].
    ///
    /// # Safety
    ///
    /// As for [`holds`](Self::holds).
    #[inline(always)]
    pub(super) unsafe fn ops(&self) -> &'static Ops {
        // SAFETY: stored from a `&'static Ops` before the word that made
        // the slot occupied with this generation.
        unsafe { &*self.ops.load(Relaxed) }
    }
}

/// Slots of the first array; each growth doubles the capacity.
const FIRST_CAPACITY: usize = 32;

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
    /// Slots in the current array.
    capacity: usize,
    /// Slots ready for reuse.
    free: Vec<u32>,
    retired: Vec<Retired>,
    live: usize,
}

/// The type-erased registry.
pub(super) struct Core {
    /// How many slot indices are in use (`fresh`, stored with release after
    /// the array holding them is published): a lookup of a higher index
    /// fails at once; a lower one is within any array it can load after
    /// this (arrays only grow).
    published: AtomicU32,
    /// The slots (`capacity` of them; null before the first registration).
    /// Lookups read it inside a read section: an array replaced by a bigger
    /// copy is freed only after a grace period.
    slots: AtomicPtr<Slot>,
    state: Mutex<State>,
}

impl Core {
    pub(super) const fn new() -> Core {
        Core {
            published: AtomicU32::new(0),
            slots: AtomicPtr::new(ptr::null_mut()),
            state: Mutex::new(State {
                fresh: 0,
                capacity: 0,
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

    /// The slot of `index`, if it has one. The reference is valid inside
    /// the read section (or under the lock) this is called in.
    #[inline(always)]
    fn slot(&self, index: u32) -> Option<&Slot> {
        // Two loads that do not depend on the handle, then the slot: one
        // dependent load fewer than a segmented array.
        if index >= self.published.load(Acquire) {
            return None;
        }
        let slots = self.slots.load(Acquire);
        // SAFETY: the acquire load of `published` saw an index above this
        // one, stored after an array of at least `index + 1` slots was
        // published; the array loaded after it is that one or a bigger copy,
        // not freed before the caller's read section (or lock) ends.
        Some(unsafe { &*slots.add(index as usize) })
    }

    /// The slot for a fresh index (under the lock): grows the array by
    /// copying when it is full, publishes the copy, waits for a grace
    /// period and frees the old array.
    fn fresh_slot(&self, st: &mut MutexGuard<'_, State>, index: u32) -> &Slot {
        let index = index as usize;
        let old = self.slots.load(Relaxed);
        if index >= st.capacity {
            let capacity = (st.capacity * 2)
                .max(FIRST_CAPACITY)
                .min(MAX_SLOTS as usize);
            let fresh: Box<[Slot]> = (0..capacity).map(|_| Slot::new()).collect();
            let new = Box::into_raw(fresh).cast::<Slot>();
            // Every slot in use (`fresh` counts the one being made, which
            // is beyond the old array).
            for i in 0..(st.fresh as usize).min(st.capacity) {
                // SAFETY: both arrays have more than `i` slots; the old
                // one's fields change only under the lock, which we hold,
                // and the new one is not published yet.
                unsafe { (*new.add(i)).copy_from(&*old.add(i)) };
            }
            self.slots.store(new, Release);
            let old_capacity = std::mem::replace(&mut st.capacity, capacity);
            if !old.is_null() {
                // Lookups that loaded the old array are done after this.
                grace::synchronize();
                // SAFETY: made by `Box::into_raw` of a boxed slice of
                // `old_capacity` slots here; no lookup can still read it.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(old, old_capacity)) });
            }
            // SAFETY: `index < capacity`; the array lives until replaced
            // under the lock, which the caller holds.
            return unsafe { &*new.add(index) };
        }
        // SAFETY: `index < capacity`; as above.
        unsafe { &*old.add(index) }
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
        let slot = self.fresh_slot(&mut st, index);
        slot.weak.store(weak.cast_mut(), Relaxed);
        slot.strong.store(strong.cast_mut(), Relaxed);
        slot.ops.store(ptr::from_ref(ops).cast_mut(), Relaxed);
        // SAFETY: the slot is free: no lookup reads `type_id` until the
        // word below says occupied (see the field).
        unsafe { *slot.type_id.get() = TypeId::of::<T>() };
        let generation = gen_of(slot.word.load(Relaxed));
        // Publishes the pointers to lookups that see this generation.
        slot.word.store(word(generation, OCCUPIED), Release);
        if index >= self.published.load(Relaxed) {
            // Publishes the slot (and the array holding it) to lookups.
            self.published.store(st.fresh, Release);
        }
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

    /// Runs `f` on the registration `h` names (its weak pointer and slot),
    /// inside a read section: no lock, no shared write; `None` if there is
    /// none. The lookup path: `f` may read the slot's type and ops (see
    /// [`Slot::holds`]).
    #[inline(always)]
    pub(super) fn find<R>(
        &self,
        h: Handle,
        f: impl FnOnce(*const (), &Slot) -> Option<R>,
    ) -> Option<R> {
        grace::read(|| {
            let slot = self.slot(h.index())?;
            if slot.word.load(Acquire) != expected(h) {
                return None;
            }
            f(slot.weak.load(Relaxed), slot)
        })
    }

    /// Like [`find`](Self::find), but on failure says why: the slot word
    /// it saw.
    #[inline]
    pub(super) fn read<R>(
        &self,
        h: Handle,
        f: impl FnOnce(*const (), &Slot) -> R,
    ) -> Result<R, Refused> {
        grace::read(|| {
            let Some(slot) = self.slot(h.index()) else {
                return Err(Refused(word(0, 0)));
            };
            let w = slot.word.load(Acquire);
            if w != expected(h) {
                return Err(Refused(w));
            }
            Ok(f(slot.weak.load(Relaxed), slot))
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
        if w != expected(h) {
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
        let base = std::mem::replace(self.slots.get_mut(), ptr::null_mut());
        if !base.is_null() {
            // SAFETY: made by `Box::into_raw` of a boxed slice of `capacity`
            // slots in `fresh_slot`; `&mut self` means no lookup is running.
            let slots = unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(base, st.capacity)) };
            for slot in slots.iter().take(fresh as usize) {
                if slot.word.load(Relaxed) & OCCUPIED == 0 {
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
mod tests;
