//! The handle value, the reference kinds and the registry's errors.

use std::ffi::c_void;
use std::fmt;
use std::num::NonZeroUsize;

/// Bits of a handle that name the slot (the slot index plus one, so that a
/// handle is never zero).
#[cfg(target_pointer_width = "64")]
pub(super) const INDEX_BITS: u32 = 32;
#[cfg(not(target_pointer_width = "64"))]
pub(super) const INDEX_BITS: u32 = 20;

/// Bits of a handle that hold the slot's generation.
const GEN_BITS: u32 = usize::BITS - INDEX_BITS;

/// The last generation a slot can have; a slot whose registration of this
/// generation is removed is retired, never reused.
pub(super) const MAX_GEN: u32 = ((1u64 << GEN_BITS) - 1) as u32;

/// How many slots a registry can have (indices `0..MAX_SLOTS`).
pub(super) const MAX_SLOTS: u32 = ((1u64 << INDEX_BITS) - 1) as u32;

const INDEX_MASK: usize = (1usize << INDEX_BITS) - 1;

/// A small non-zero integer that names an object registered in a
/// [`Handles`](super::Handles) or [`HandleRegistry`](super::HandleRegistry)
/// (ILU's `register-lisp-object` index).
///
/// It packs a slot index and the slot's generation: when a registration is
/// removed the slot's generation moves on, so an old handle never names the
/// object that later reuses the slot. Give it to C as a `void *user_data`
/// ([`as_ptr`](Self::as_ptr)) or as an integer ([`into_raw`](Self::into_raw));
/// turn it back with [`from_ptr`](Self::from_ptr) or
/// [`from_raw`](Self::from_raw). A handle means something only to the
/// registry that issued it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Handle(NonZeroUsize);

impl Handle {
    pub(super) fn new(index: u32, generation: u32) -> Handle {
        let raw = ((generation as usize) << INDEX_BITS) | (index as usize + 1);
        match NonZeroUsize::new(raw) {
            Some(n) => Handle(n),
            // `index + 1` is at least 1.
            None => unreachable!("a handle is never zero"),
        }
    }

    /// The handle with this integer value, or `None` for zero. Whether it
    /// names a registration is for the registry to say.
    pub const fn from_raw(raw: usize) -> Option<Handle> {
        match NonZeroUsize::new(raw) {
            Some(n) => Some(Handle(n)),
            None => None,
        }
    }

    /// The handle's integer value (never zero).
    pub const fn into_raw(self) -> usize {
        self.0.get()
    }

    /// The handle from a 64-bit integer (`None` for zero, or for a value that
    /// does not fit in a pointer).
    pub fn from_u64(raw: u64) -> Option<Handle> {
        usize::try_from(raw).ok().and_then(Handle::from_raw)
    }

    /// The handle as a 64-bit integer.
    pub const fn to_u64(self) -> u64 {
        self.0.get() as u64
    }

    /// The handle as a C `void *` (for `user_data` parameters). It is an
    /// integer in pointer clothing: C must not dereference it.
    pub fn as_ptr(self) -> *mut c_void {
        std::ptr::without_provenance_mut(self.0.get())
    }

    /// The handle C passed back as a `void *` (`None` for NULL).
    pub fn from_ptr(p: *const c_void) -> Option<Handle> {
        Handle::from_raw(p.addr())
    }

    /// The slot the handle names.
    pub const fn index(self) -> u32 {
        ((self.0.get() & INDEX_MASK) - 1) as u32
    }

    /// The generation of the slot the handle was issued for.
    pub const fn generation(self) -> u32 {
        (self.0.get() >> INDEX_BITS) as u32
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({}@{})", self.index(), self.generation())
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:#x} (slot {}, generation {})",
            self.into_raw(),
            self.index(),
            self.generation()
        )
    }
}

impl From<Handle> for usize {
    fn from(h: Handle) -> usize {
        h.into_raw()
    }
}

impl From<Handle> for u64 {
    fn from(h: Handle) -> u64 {
        h.to_u64()
    }
}

/// How a registry holds a registered object (ILU's `:reftype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// The registry keeps the object alive until it is unregistered or made
    /// weak.
    Strong,
    /// The registry does not keep the object alive: once the last `Arc`
    /// elsewhere is dropped, lookups return `None`.
    Weak,
}

/// Why a handle could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandleError {
    /// The registry never issued this handle (a number that was never a
    /// handle here, or one from another registry).
    Invalid {
        /// The handle.
        handle: Handle,
    },
    /// The handle was unregistered; its slot may since hold another object.
    Stale {
        /// The handle.
        handle: Handle,
    },
    /// A weak handle whose object has been dropped.
    Dead {
        /// The handle.
        handle: Handle,
    },
    /// The object is of another type than the one asked for.
    WrongType {
        /// The handle.
        handle: Handle,
        /// The type asked for.
        expected: &'static str,
        /// The type registered.
        found: &'static str,
    },
    /// Every slot index is in use.
    Full {
        /// How many slots a registry can have.
        capacity: u64,
    },
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandleError::Invalid { handle } => {
                write!(f, "invalid handle {handle}: this registry never issued it")
            }
            HandleError::Stale { handle } => write!(
                f,
                "stale handle {handle}: its object was unregistered (the slot may hold another object now)"
            ),
            HandleError::Dead { handle } => write!(
                f,
                "handle {handle} is weak and its object has been dropped"
            ),
            HandleError::WrongType {
                handle,
                expected,
                found,
            } => write!(
                f,
                "handle {handle} names a `{found}`, not a `{expected}`"
            ),
            HandleError::Full { capacity } => {
                write!(f, "the handle registry is full ({capacity} slots in use)")
            }
        }
    }
}

impl std::error::Error for HandleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandleError::Invalid { .. }
            | HandleError::Stale { .. }
            | HandleError::Dead { .. }
            | HandleError::WrongType { .. }
            | HandleError::Full { .. } => None,
        }
    }
}
