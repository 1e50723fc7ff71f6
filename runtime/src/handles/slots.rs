//! The registry's storage: a flat array of slots that grows by copying (the
//! old array is released after a grace period), and the mutations (under a
//! lock) and the lookups (without one).

use super::grace::{self, Section};
use super::guard::Ref;
use super::handle::{Handle, HandleError, RefKind, MAX_GEN, MAX_SLOTS};
use super::ops::{drop_strong, drop_weak, upgrade, Ops, OpsOf};
use super::retired::{Garbage, Released, Retired, LONG, SHORT};
use std::any::TypeId;
use std::cell::UnsafeCell;
use std::ptr::{self, NonNull};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use word::{expected, free, gen_of, occupied, FRESH, RETIRED};

mod word;

/// One registration place. The fields lookups read come first.
#[repr(C)]
pub(super) struct Slot {
    /// The registration's handle value while occupied, else the next
    /// generation (see [`expected`]); written under the lock (release),
    /// read by lookups (acquire).
    word: AtomicU64,
    /// The registry's strong pointer (from `Arc::into_raw`; the same address
    /// as `weak`), or null when the registration is weak. Written under the
    /// lock; read by [`Core::get`] inside a read section, which then borrows
    /// the object through it. A strong count taken out of a slot
    /// (unregistering, switching to weak) is retired, and given up after a
    /// grace period.
    strong: AtomicPtr<()>,
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
        self.strong.store(other.strong.load(Relaxed), Relaxed);
        self.weak.store(other.weak.load(Relaxed), Relaxed);
        // SAFETY: per the contract, nothing writes `other.type_id` (under
        // the lock) and nothing reads `self.type_id` (unpublished).
        unsafe { *self.type_id.get() = *other.type_id.get() };
        self.ops.store(other.ops.load(Relaxed), Relaxed);
    }

    fn new() -> Slot {
        Slot {
            word: AtomicU64::new(FRESH),
            strong: AtomicPtr::new(ptr::null_mut()),
            weak: AtomicPtr::new(ptr::null_mut()),
            type_id: UnsafeCell::new(TypeId::of::<()>()),
            ops: AtomicPtr::new(ptr::null_mut()),
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

/// What mutations share, under the lock.
struct State {
    /// Slots ever used (`0..fresh`).
    fresh: u32,
    /// Slots in the current array.
    capacity: usize,
    /// Slots ready for reuse.
    free: Vec<u32>,
    /// What waits for a grace period.
    retired: Retired,
    /// What a grace period released, to drop once the lock is released.
    released: Released,
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

/// Why [`Core::get`] found no object.
pub(super) enum Miss {
    /// No registration of the handle: the slot word seen.
    Refused(Refused),
    /// A registration of another type than asked for (its ops).
    WrongType(&'static Ops),
    /// A weak registration whose object died.
    Dead,
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
                retired: Retired::new(),
                released: Released(Vec::new()),
                live: 0,
            }),
        }
    }

    /// The lock; poisoning is ignored (no user code runs under it).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Releases the lock, then drops what grace periods released under it
    /// (objects' destructors may run and use the registry).
    fn unlock(mut st: MutexGuard<'_, State>) {
        let released = std::mem::take(&mut st.released);
        drop(st);
        drop(released);
    }

    /// Runs a grace period (see [`Retired::flush`]); true if nothing is left
    /// waiting.
    fn flush(st: &mut State, patience: std::time::Duration, all: bool) -> bool {
        let State {
            retired,
            free,
            released,
            ..
        } = st;
        retired.flush(patience, all, free, released)
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
        // published; the array loaded after it is that one or a bigger copy
        // (so not null: telling the compiler saves a test), not freed before
        // the caller's read section (or lock) ends.
        unsafe {
            std::hint::assert_unchecked(!slots.is_null());
            Some(&*slots.add(index as usize))
        }
    }

    /// The slot for a fresh index (under the lock): grows the array by
    /// copying when it is full, publishes the copy and retires the old
    /// array.
    fn fresh_slot(&self, st: &mut State, index: u32) -> &Slot {
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
                // Lookups may still read the old array: freed after a grace
                // period. Start one now (arrays are big).
                let base = old;
                st.retired.push(Garbage::Array {
                    base,
                    capacity: old_capacity,
                });
                Core::flush(st, SHORT, false);
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
                Core::flush(&mut st, LONG, true);
                st.free.pop()
            }
            None => None,
        };
        let Some(index) = index else {
            Core::unlock(st);
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
        let h = Handle::new(index, gen_of(slot.word.load(Relaxed)));
        // Publishes the pointers to lookups that see this generation.
        slot.word.store(expected(h), Release);
        if index >= self.published.load(Relaxed) {
            // Publishes the slot (and the array holding it) to lookups.
            self.published.store(st.fresh, Release);
        }
        st.live += 1;
        Core::unlock(st);
        // A weak registration of the last `Arc` dies here, outside the lock.
        drop(spare);
        Ok(h)
    }

    /// Why `h` does not name the registration in a slot whose word is `w`.
    #[cold]
    fn refuse(w: u64, h: Handle) -> HandleError {
        // Generations below the slot's (every one, for a retired slot) were
        // issued; the slot's own, while free, and those above were not.
        let asked = h.generation();
        if asked != 0 && (w == RETIRED || asked < gen_of(w)) {
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
                return Err(Refused(FRESH));
            };
            let w = slot.word.load(Acquire);
            if w != expected(h) {
                return Err(Refused(w));
            }
            Ok(f(slot.weak.load(Relaxed), slot))
        })
    }

    /// The object `h` names, borrowed: through the registry's strong
    /// pointer inside a read section that the [`Ref`] keeps open (no count
    /// touched), or, for a weak registration, upgraded. With `TYPED`, the
    /// registration must be a `T` (for [`Handles`](super::Handles)); without,
    /// the registry holds only `T`s (the caller's promise).
    ///
    /// # Safety
    ///
    /// Without `TYPED`, every registration in this registry is a `T`.
    #[inline(always)]
    pub(super) unsafe fn get<T: Send + Sync + 'static, const TYPED: bool>(
        &self,
        h: Handle,
    ) -> Result<Ref<'_, T>, Miss> {
        let section = Section::enter();
        let Some(slot) = self.slot(h.index()) else {
            return Err(Miss::Refused(Refused(FRESH)));
        };
        let w = slot.word.load(Acquire);
        if w != expected(h) {
            return Err(Miss::Refused(Refused(w)));
        }
        // SAFETY: inside the section, after the word was seen occupied.
        if TYPED && !unsafe { slot.holds::<T>() } {
            // SAFETY: as above.
            return Err(Miss::WrongType(unsafe { slot.ops() }));
        }
        if let Some(p) = NonNull::new(slot.strong.load(Relaxed).cast::<T>()) {
            // SAFETY: `p` is the registry's strong pointer of a `T` (checked
            // above, or the caller's promise), loaded in `section` after the
            // word was seen occupied; the strong count it stands for is
            // released only after a grace period that waits for `section`
            // (see the module documentation), and the registry outlives the
            // `Ref` (it borrows `self`).
            return Ok(unsafe { Ref::borrowed(p, section) });
        }
        // SAFETY: the registration is a `T` (as above); `weak` is the
        // registry's weak pointer, valid for the read section.
        match unsafe { upgrade_cold::<T>(slot.weak.load(Relaxed)) } {
            Some(obj) => Ok(Ref::owned(obj)),
            None => Err(Miss::Dead),
        }
    }
}

/// [`upgrade`], out of the way of the strong path.
///
/// # Safety
///
/// As for [`upgrade`].
#[inline(never)]
unsafe fn upgrade_cold<T>(weak: *const ()) -> Option<Arc<T>> {
    // SAFETY: per the contract.
    unsafe { upgrade::<T>(weak) }
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

    /// Removes the registration `h` names. Its counts (and its slot) are
    /// released after a grace period.
    pub(super) fn remove(&self, h: Handle) -> Result<(), HandleError> {
        let mut st = self.lock();
        let slot = self.occupied(&st, h)?;
        let generation = h.generation();
        let next = if generation == MAX_GEN {
            RETIRED
        } else {
            free(generation + 1)
        };
        // From here on lookups of `h` fail; those already past the check
        // keep reading the pointers (and guards keep borrowing the object)
        // until the grace period.
        slot.word.store(next, Release);
        let strong = slot.strong.swap(ptr::null_mut(), Relaxed);
        // SAFETY: the slot is occupied and we hold the lock.
        let ops = unsafe { slot.ops() };
        let full = st.retired.push(Garbage::Slot {
            index: h.index(),
            reusable: next != RETIRED,
            weak: slot.weak.load(Relaxed),
            strong,
            ops,
        });
        st.live -= 1;
        if full {
            Core::flush(&mut st, SHORT, false);
        }
        Core::unlock(st);
        Ok(())
    }

    /// Makes the registration `h` strong or weak; returns the kind it had.
    pub(super) fn set_kind(&self, h: Handle, kind: RefKind) -> Result<RefKind, HandleError> {
        let mut st = self.lock();
        let slot = self.occupied(&st, h)?;
        let strong = slot.strong.load(Relaxed);
        // SAFETY: the slot is occupied and we hold the lock.
        let ops = unsafe { slot.ops() };
        match (strong.is_null(), kind) {
            (false, RefKind::Strong) => Ok(RefKind::Strong),
            (true, RefKind::Weak) => Ok(RefKind::Weak),
            (false, RefKind::Weak) => {
                // Guards may be borrowing through the strong pointer: its
                // count is given up after a grace period.
                slot.strong.store(ptr::null_mut(), Relaxed);
                if st.retired.push(Garbage::Strong { strong, ops }) {
                    Core::flush(&mut st, SHORT, false);
                }
                Core::unlock(st);
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

    /// Runs a grace period now, waiting a little for other threads' read
    /// sections, and releases everything retired whose grace period is over.
    /// True if nothing is left waiting.
    pub(super) fn reclaim(&self) -> bool {
        let mut st = self.lock();
        let done = Core::flush(&mut st, LONG, true);
        Core::unlock(st);
        done
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        // `&mut self`: no lookup or guard is using the registry any more,
        // whatever grace periods are pending.
        let mut release = st.retired.take_all();
        release.append(&mut st.released.0);
        let base = std::mem::replace(self.slots.get_mut(), ptr::null_mut());
        if !base.is_null() {
            for i in 0..st.fresh as usize {
                // SAFETY: `fresh <= capacity` slots of the array made in
                // `fresh_slot`; no lookup is running.
                let slot = unsafe { &*base.add(i) };
                if !occupied(slot.word.load(Relaxed)) {
                    continue;
                }
                release.push(Garbage::Slot {
                    index: i as u32,
                    reusable: false,
                    weak: slot.weak.load(Relaxed),
                    strong: slot.strong.load(Relaxed),
                    // SAFETY: the slot is occupied.
                    ops: unsafe { slot.ops() },
                });
            }
            release.push(Garbage::Array {
                base,
                capacity: st.capacity,
            });
        }
        // Dropping releases; last, as it may run user code (objects'
        // destructors).
        drop(release);
    }
}

#[cfg(test)]
mod tests;
