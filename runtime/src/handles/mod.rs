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
//!     .and_then(|h| handles::global().get::<Config>(h))
//!     .expect("registered");
//! assert_eq!(cfg.factor * 2, 6);
//! drop(cfg);
//! handles::global().unregister(h).unwrap();
//! assert!(handles::global().get::<Config>(h).is_none());  // stale for good
//! ```
//!
//! * Two lookups: [`Handles::get`] borrows the object (a [`Ref`] guard, to
//!   use and drop: no reference count touched), [`Handles::lookup`] gives an
//!   `Arc<T>` to keep.
//! * A registration is **strong** (the registry keeps the object alive) or
//!   **weak** (it does not; lookups return `None` once the object is gone),
//!   and can be switched either way ([`Handles::set_kind`]) — ILU's
//!   transition from strong to weak when no peer holds a reference.
//! * [`Finalized`] (and `register_with_finalizer`) runs a hook once, when the
//!   last strong reference goes away, the registry's included. The registry
//!   gives its reference up at the grace period after unregistering (or
//!   switching to weak), not inside `unregister`: see below;
//!   [`Handles::reclaim`] forces one.
//! * A handle packs a slot index and the slot's generation. Unregistering
//!   bumps the generation, so a stale handle never names the object that
//!   reuses its slot; a slot whose generations are used up (2^32 on 64-bit
//!   targets) is retired, never wrapped.
//! * [`Handles`] holds any type and checks it at lookup
//!   (`get::<T>(h) -> Option<Ref<T>>`, `lookup::<T>(h) -> Option<Arc<T>>`);
//!   [`HandleRegistry<T>`] holds one type. [`global`] is the process-wide
//!   registry; both can be created independently (`const fn new`, so also
//!   as `static`s). A handle means something only to the registry that
//!   issued it.
//!
//! # How lookups work without a lock
//!
//! Slots live in a flat array, published with a release store; when it is
//! full, a registration copies it into one twice as big, publishes the copy
//! and frees the old array after a grace period (below). Each slot has a
//! word (while occupied, the value of the handle that names the
//! registration; else the next generation, and zero for the index bits,
//! which no handle has), the registry's pointers to the object (a weak one
//! always, a strong one if the registration is strong), the object's
//! `TypeId` and its type-erased function table. Mutations (register,
//! unregister, strong/weak switching) take the registry's mutex; lookups take
//! no lock:
//!
//! 1. enter a *read section* (a thread-local nesting depth made non-zero, a
//!    plain store; see below);
//! 2. load the number of slots in use and the array (acquire); load the slot
//!    word (acquire); if it is not the handle's value, the answer is `None`
//!    (stale, never issued);
//! 3. for [`Handles`], compare the slot's `TypeId` with the one asked for;
//! 4. `get`: load the slot's **strong** pointer; if it is not null, return a
//!    [`Ref`] that borrows the object through it and *keeps the read section
//!    open* until it is dropped — no reference count touched, nothing shared
//!    written. If it is null (a weak registration), upgrade the weak pointer
//!    as `lookup` does, end the section and return a `Ref` owning that
//!    `Arc`. `lookup`: load the **weak** pointer and `Weak::upgrade` it (a
//!    compare-and-swap that increments the strong count only if it is not
//!    zero), and end the section.
//!
//! Why this is correct:
//!
//! * **Nothing a section may use is released before the section ends.**
//!   What a lookup may use is the slot array, the slot's fields, the
//!   registry's weak count (so the upgrade never touches freed memory) and
//!   the registry's strong count (what a borrowing `Ref` relies on).
//!   Unregistering therefore stores the new word first (generation + 1, not
//!   occupied: later lookups fail at step 2), then *retires* the slot with
//!   both counts; switching to weak nulls the strong pointer, then retires
//!   the strong count; growing publishes the new array, then retires the
//!   old one. Retired things are released — counts given up, arrays freed,
//!   slots made free for reuse — only once a **grace period** that started
//!   after they were retired is over, so a slot's fields never change under
//!   a lookup that passed step 2, and a borrowed object outlives its `Ref`.
//!   Grace periods start every 64 retirements, on growth, and on
//!   [`Handles::reclaim`], so unregistering is cheap on average; the price
//!   is that an unregistered object (and its finalizer) lives until then.
//! * **Grace period.** A thread's record holds its section depth and an
//!   *epoch*, which goes up each time the outermost section ends; only the
//!   owning thread writes it, with plain stores. Entering makes the depth
//!   non-zero and fences; a writer, after its unlinking stores, fences, then
//!   takes a snapshot of the records inside a section and their epochs. This
//!   is the store-buffering pattern with a full fence on both sides: either
//!   the writer sees the reader's section (and waits for its epoch to
//!   change), or the reader's loads at steps 2-4 see the writer's stores
//!   (the new word, which is never the handle's value again, or the null
//!   strong pointer) and so do not use what was retired. Each load the
//!   reader does is covered this way by the store that unlinked what it
//!   read, whatever store it read from: a strong pointer loaded from a
//!   later weak→strong switch is a count retired later, after a later
//!   snapshot. A reader that loaded an array since replaced reads that
//!   array's copy of the slot, which later mutations do not update; it is
//!   covered too: since it did not see the new array, the growth's
//!   snapshot saw its section, and every later snapshot sees it until it
//!   ends (a record's state only moves forward). The outermost section ends with a release fence and the
//!   epoch store; the writer, once it has seen every snapshotted epoch
//!   change, issues an acquire fence before releasing anything, so
//!   everything the reader did (reads of the object through a `Ref`
//!   included) happens before the release. On Linux the reader's fence is
//!   only a compiler fence and the writer supplies the hardware fence for
//!   all threads at once with `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`
//!   (as liburcu does); elsewhere, if the kernel refuses it, or with
//!   `ALIEN_MEMBARRIER=off` in the environment, both sides use `SeqCst`
//!   fences.
//! * **Writers never wait for a guard.** A grace period is a snapshot that
//!   is polled, not waited for: a writer spins and yields for at most
//!   ~100 µs (`reclaim`: ~10 ms) for other threads' sections (a `lookup` is
//!   a few nanoseconds long), never for its own thread's (a thread holding a
//!   `Ref` may unregister, grow the array or reclaim), nor again for a
//!   section already open at an earlier grace period (a `Ref` held long).
//!   A batch whose grace period is not over stays on the registry's retired
//!   list and is released by a later grace period. A `Ref` leaked with
//!   `mem::forget` keeps its thread's section open for good: nothing hangs,
//!   but nothing retired afterwards — in any registry, since records are
//!   per thread — is released again. Sections nest (a depth, not a flag),
//!   and a `Ref` is not `Send`: it ends its section on its own thread. A
//!   thread that exits inside a section (a `Ref` in a thread-local
//!   destroyed late) leaves its record to that section, which gives it back
//!   when it ends.
//! * **The `Arc` lookup is linearizable at step 2**: it returns an object
//!   only if the word said the registration was in place, and the upgrade
//!   never resurrects an object (it fails on a zero strong count; a strong
//!   count never rises from zero). A lookup that starts after `unregister`
//!   returned sees the new word and returns `None`, even though the object
//!   may live on until the grace period. A weak registration's object dies
//!   when its last `Arc` elsewhere goes; after a switch to weak, the retired
//!   strong count keeps it until the grace period.
//! * **Publication.** A registration writes the slot's pointers, then the
//!   word with release; a lookup that sees that word (acquire) sees them and
//!   the object's contents. Readers never spin or wait, so lookups are
//!   lock-free (wait-free but for the upgrade's compare-and-swap loop).
//!
//! The cost of `get` on a strong registration is a thread-local access, two
//! plain stores to the thread's own record (own cache line) and a few plain
//! loads: about 38 instructions per lookup in P9's loop, the loop's own 11
//! included (43 for `Handles`, with the type check), and no atomic
//! read-modify-write (see P9 in `bench/RESULTS.md`). The section's fast
//! path tests one bit of the record's state, which is set for every rarer
//! case: a thread without a record (its thread-local points at a dummy),
//! a record that needs hardware fences, an orphaned one, a depth about to
//! overflow. `lookup` adds the upgrade and the caller's drop of
//! the `Arc`, two locked read-modify-writes on the object's count, which
//! cost more than all the rest (the store that ends the read section is
//! still in the store buffer when the next locked instruction waits for it
//! to drain). Lookups are not async-signal-safe (the first one on a thread
//! allocates its record).

mod grace;
mod guard;
mod handle;
mod ops;
mod registry;
mod retired;
mod slots;

pub use guard::Ref;
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
