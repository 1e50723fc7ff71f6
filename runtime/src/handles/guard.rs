//! [`Ref`]: a registered object borrowed from its registry without touching
//! its reference count.

use super::grace::Section;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;

/// A registered object, borrowed from the registry by
/// [`Handles::get`](super::Handles::get) or
/// [`HandleRegistry::get`](super::HandleRegistry::get). Derefs to `T`.
///
/// For a strong registration it holds a *read section*: it borrows the
/// object through the registry's own reference, and neither takes nor gives
/// back a reference count (no shared write at all). Unregistering the handle
/// or making it weak while a `Ref` is alive is fine: the object stays alive
/// until the `Ref` is dropped and a grace period has passed (see the
/// [module documentation](super)). For a weak registration, whose object may
/// die at any time, it holds an `Arc<T>` of its own.
///
/// A `Ref` is meant to be short-lived, like a lock guard (and it is not
/// `Send`: it belongs to the thread that took it): while any is held, the
/// registries release nothing unregistered after it was taken (memory and
/// finalizers wait). Keep an `Arc` instead ([`Ref::to_arc`]) to hold an
/// object for long. Leaking one (`mem::forget`) hangs nothing, but nothing
/// unregistered afterwards is released again.
pub struct Ref<'a, T> {
    /// The object: the registry's pointer (with `section`), or one from
    /// `Arc::into_raw` whose strong count this `Ref` owns (without).
    ptr: NonNull<T>,
    /// The read section that keeps the registry's strong count.
    section: Option<Section>,
    /// Borrows the registry (which releases its counts when dropped); not
    /// `Send` nor `Sync` (`Section` is neither).
    _borrow: PhantomData<&'a T>,
}

impl<'a, T> Ref<'a, T> {
    /// A `Ref` that borrows through the registry's strong pointer `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` comes from `Arc::<T>::into_raw`, loaded inside `section` from a
    /// slot holding a registration of `T` (after its word was seen occupied),
    /// and the registry it came from lives for `'a`: the registry releases
    /// that strong count only after a grace period that waits for `section`.
    #[inline(always)]
    pub(super) unsafe fn borrowed(ptr: NonNull<T>, section: Section) -> Ref<'a, T> {
        Ref {
            ptr,
            section: Some(section),
            _borrow: PhantomData,
        }
    }

    /// A `Ref` that owns `arc`.
    #[inline]
    pub(super) fn owned(arc: Arc<T>) -> Ref<'a, T> {
        // SAFETY: `Arc::into_raw` never returns null.
        let ptr = unsafe { NonNull::new_unchecked(Arc::into_raw(arc).cast_mut()) };
        Ref {
            ptr,
            section: None,
            _borrow: PhantomData,
        }
    }

    /// An `Arc` to the object (one reference-count increment), to keep it
    /// beyond the `Ref`. An associated function, like `Arc`'s own, so that
    /// it does not hide a method of `T`: `Ref::to_arc(&r)`.
    #[inline]
    pub fn to_arc(this: &Self) -> Arc<T> {
        // SAFETY: `ptr` comes from `Arc::<T>::into_raw`, and a strong count
        // is held for as long as `this` lives: the registry's (kept by the
        // read section) or this `Ref`'s own.
        unsafe {
            Arc::increment_strong_count(this.ptr.as_ptr());
            Arc::from_raw(this.ptr.as_ptr())
        }
    }

    /// The `Ref` turned into an `Arc` (free when it already owned one).
    #[inline]
    pub fn into_arc(this: Self) -> Arc<T> {
        if this.section.is_some() {
            return Ref::to_arc(&this);
        }
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: without a section, `ptr` is an `Arc::into_raw` pointer
        // whose strong count this `Ref` owns; `ManuallyDrop` keeps it from
        // being given up twice (and there is no section to end).
        unsafe { Arc::from_raw(this.ptr.as_ptr()) }
    }

    /// Whether the `Ref` borrows through the registry's reference (a strong
    /// registration) rather than holding an `Arc` of its own (a weak one).
    pub fn is_borrowed(this: &Self) -> bool {
        this.section.is_some()
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the object is alive while `self` is (see `to_arc`).
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Drop for Ref<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.section.is_none() {
            // SAFETY: without a section, this `Ref` owns the strong count
            // of `ptr` (`owned`).
            unsafe { release_owned(self.ptr) };
        }
        // Then `section` is dropped: the read section ends.
    }
}

/// Gives up the strong count of an owning `Ref`.
///
/// # Safety
///
/// `ptr` comes from `Arc::<T>::into_raw` and its count is the caller's.
#[inline(never)]
unsafe fn release_owned<T>(ptr: NonNull<T>) {
    // SAFETY: per the contract.
    drop(unsafe { Arc::from_raw(ptr.as_ptr()) });
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
