//! Handles: small integers that name Rust objects for C (ILU's
//! `register-lisp-object`, `lookup-registered-lisp-object` and
//! `unregister-lisp-object`).
//!
//! C code often keeps a `void *user_data` or an integer and hands it back in
//! a callback. Register the Rust object, give C the [`Handle`], and turn the
//! handle back into the object when C calls:
//!
//! ```
//! use alien::handles::{self, Handle, RefKind};
//! use std::sync::Arc;
//!
//! struct Config { factor: i64 }
//! let h = handles::global().register(Arc::new(Config { factor: 3 }), RefKind::Strong);
//! let user_data = h.as_ptr();                      // what C stores
//! // ... later, in a callback C calls with `user_data`:
//! let cfg = Handle::from_ptr(user_data)
//!     .and_then(|h| handles::global().lookup::<Config>(h))
//!     .expect("registered");
//! assert_eq!(cfg.factor * 2, 6);
//! handles::global().unregister(h).unwrap();
//! assert!(handles::global().lookup::<Config>(h).is_none());  // stale for good
//! ```
//!
//! * A registration is **strong** (the registry keeps the object alive) or
//!   **weak** (it does not; lookups return `None` once the object is gone),
//!   and can be switched either way ([`Handles::set_kind`]) — ILU's
//!   transition from strong to weak when no peer holds a reference.
//! * [`Finalized`] (and `register_with_finalizer`) runs a hook once, when the
//!   last strong reference goes away, the registry's included.
//! * A handle packs a slot index and the slot's generation. Unregistering
//!   bumps the generation, so a stale handle never names the object that
//!   reuses its slot; a slot whose generations are used up (2^32 on 64-bit
//!   targets) is retired, never wrapped.
//! * [`Handles`] holds any type and checks it at lookup
//!   (`lookup::<T>(h) -> Option<Arc<T>>`); [`HandleRegistry<T>`] holds one
//!   type. [`global`] is the process-wide registry; both can be created
//!   independently (`const fn new`, so also as `static`s). A handle means
//!   something only to the registry that issued it.
//!
//! # How lookups work without a lock
//!
//! Slots live in a flat array, published with a release store; when it is
//! full, a registration copies it into one twice as big, publishes the copy
//! and frees the old array after a grace period (below). Each slot has a
//! word (generation and an *occupied* flag, laid out like the handle's
//! generation bits), the registry's pointers to the object, the object's
//! `TypeId` and its type-erased function table. Mutations (register,
//! unregister, strong/weak switching) take the registry's mutex; a lookup
//! takes no lock and writes no shared memory except the object's reference
//! count:
//!
//! 1. enter a *read section* (a thread-local sequence number made odd; see
//!    below);
//! 2. load the number of slots in use and the array (acquire); load the slot
//!    word (acquire); if it is not exactly the occupied word of the handle's
//!    generation, the answer is `None` (stale, never issued);
//! 3. for [`Handles`], compare the slot's `TypeId` with the one asked for;
//!    load the registry's **weak** pointer and `Weak::upgrade` it — a
//!    compare-and-swap that increments the strong count only if it is not
//!    zero;
//! 4. leave the read section.
//!
//! Why this is correct:
//!
//! * **The registry always holds a weak count** while a slot is occupied,
//!   plus a strong count if the registration is strong. The upgrade never
//!   resurrects an object (it fails on a zero strong count), so the strong
//!   count can be dropped at once — on unregister or on switching to weak —
//!   without waiting for lookups: a racing lookup either got its `Arc`
//!   before, or gets `None`. The result is linearizable at step 2: if the
//!   upgrade succeeds the object was alive then too (a strong count never
//!   rises from zero).
//! * **The weak count keeps the allocation**, so the upgrade in step 3 never
//!   reads freed memory — provided the weak count is released only after
//!   every lookup that loaded the pointer is done. Unregistering therefore
//!   stores the new word first (generation + 1, not occupied: later lookups
//!   fail at step 2) and *retires* the weak pointer; a **grace period** (a
//!   small RCU) releases retired pointers and only then makes their slots
//!   free for reuse, so a slot's pointers never change under a lookup that
//!   passed step 2. Grace periods run every 64 unregistrations (or on
//!   [`Handles::reclaim`]), so unregistering is cheap on average. An array
//!   replaced by a bigger copy is freed the same way, after a grace period
//!   (a lookup may still read the old copy: it is a faithful copy of the
//!   registrations made before it was replaced, and the release of what it
//!   points to waits for that lookup as above).
//! * **Grace period.** Each thread's read section makes its sequence number
//!   odd (a plain store), then fences; the writer, after its unlinking store,
//!   fences, then waits for every odd sequence number it sees to change.
//!   This is the store-buffering pattern with a full fence on both sides:
//!   either the writer sees the reader's odd number (and waits for it), or
//!   the reader's step 2 sees the writer's store (and fails). Sections end
//!   with a release fence and the writer finishes with an acquire fence, so
//!   everything the reader did happens before the release. On Linux the
//!   reader's fence is only a compiler fence and the writer supplies the
//!   hardware fence for all threads at once with
//!   `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)` (as liburcu does);
//!   elsewhere, if the kernel refuses it, or with `ALIEN_MEMBARRIER=off` in
//!   the environment, both sides use `SeqCst` fences.
//! * **Publication.** A registration writes the slot's pointers, then the
//!   word with release; a lookup that sees that word (acquire) sees them.
//!   Readers never spin or wait, so lookups are lock-free (wait-free but for
//!   the upgrade's compare-and-swap loop); only writers wait, for sections a
//!   few instructions long.
//!
//! The cost of a lookup is that of the one atomic read-modify-write on the
//! object's count, plus a thread-local access and a few plain loads and
//! stores (about 60 instructions in all, loop included; see P9 in
//! `bench/RESULTS.md`). The store that ends the read section is the
//! expensive part: the next locked instruction (typically the caller
//! dropping the `Arc`) waits for it to leave the store buffer. Lookups are
//! not async-signal-safe (the first one on a thread allocates its record).

mod grace;
mod handle;
mod registry;
mod slots;

pub use handle::{Handle, HandleError, RefKind};
pub use registry::{Finalized, HandleRegistry, Handles};

static GLOBAL: Handles = Handles::new();

/// The process's registry (one per copy of `alien` loaded: two copies of a
/// plugin each have their own).
pub fn global() -> &'static Handles {
    &GLOBAL
}

/// Whether grace periods use `membarrier` (readers then pay only a compiler
/// fence); false where the kernel or platform does not offer it.
pub fn uses_membarrier() -> bool {
    grace::asymmetric()
}
