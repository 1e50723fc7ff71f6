//! Objects with their type erased: a registration keeps a pointer to the
//! object and a table of the functions that know its type.

use std::any::Any;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::{Arc, Weak};

/// What the registry does with an object whose type it has forgotten.
pub(super) struct Ops {
    pub(super) type_name: fn() -> &'static str,
    /// `Weak<T>::upgrade` of a registry-owned weak pointer, as `dyn Any`.
    pub(super) upgrade_any: unsafe fn(*const ()) -> Option<Arc<dyn Any + Send + Sync>>,
    /// `Weak<T>::upgrade`, leaked to a raw strong pointer (null if dead).
    pub(super) upgrade_raw: unsafe fn(*const ()) -> *const (),
    /// Gives up a strong count (`Arc::<T>::from_raw`, dropped).
    pub(super) drop_strong: unsafe fn(*const ()),
    /// Gives up a weak count (`Weak::<T>::from_raw`, dropped).
    pub(super) drop_weak: unsafe fn(*const ()),
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

/// # Safety
///
/// `p` came from `Arc::<T>::into_raw` and its count is the caller's to give
/// up.
pub(super) unsafe fn drop_strong<T>(p: *const ()) {
    // SAFETY: per the contract.
    drop(unsafe { Arc::from_raw(p.cast::<T>()) });
}

/// # Safety
///
/// `p` came from `Weak::<T>::into_raw` and its count is the caller's to give
/// up.
pub(super) unsafe fn drop_weak<T>(p: *const ()) {
    // SAFETY: per the contract.
    drop(unsafe { Weak::from_raw(p.cast::<T>()) });
}
