//! Read sections and grace periods (a small RCU): what lets lookups and
//! guards read a slot and borrow an object without a lock and without
//! writing shared memory, and lets a writer know when no reader can still be
//! looking at what it removed.
//!
//! Every thread that reads owns a [`Record`] whose `state` word only that
//! thread writes, with plain stores: the nesting depth of its read sections
//! (zero outside), and an *epoch* that goes up each time the outermost
//! section ends. A [`Section`] is one level of nesting; sections nest, and
//! can be held across user code (a [`Ref`](super::Ref) holds one). The fast
//! path (enter: load, add, store; leave: load, compare, store) tests one
//! bit, [`SLOW`], which every rarer case sets: a thread without a record
//! (its thread-local points at [`NONE`]), a record that needs hardware
//! fences, an orphaned record, a depth about to overflow.
//!
//! A grace period is not a wait but a snapshot ([`Readers::start`], run by
//! writers after they unlinked something): a heavy fence, then the records
//! that are inside a section, with their epoch. Its end is reached once each
//! of those records shows another epoch ([`Readers::poll`]); what was
//! unlinked before the snapshot can be released then, after an acquire fence
//! ([`settled`]). Writers poll, wait a bounded time, and leave what is not
//! released yet for a later grace period, so a guard held for long (or
//! leaked with `mem::forget`, or held by the writer's own thread) delays
//! releases but never blocks a writer.
//!
//! The fences are asymmetric where the kernel allows it (liburcu's `memb`
//! flavour): readers order their "I am reading" store before their loads with
//! a compiler fence only, and writers make that hold with
//! `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which runs a full memory
//! barrier on every CPU running a thread of the process. Without membarrier
//! (other systems, or a kernel or sandbox refusing it), readers use a
//! `SeqCst` fence and writers a `SeqCst` fence too. Either way the pair is the
//! store-buffering pattern with a full fence on each side: if the writer's
//! snapshot does not see a reader's section, the reader's loads see the
//! writer's unlink.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{compiler_fence, fence, AtomicBool, AtomicPtr, AtomicU64, AtomicU8};
use std::sync::Once;
use std::time::{Duration, Instant};

/// `state`: the nesting depth of the thread's sections (bits 0..31).
const DEPTH: u64 = (1 << 31) - 1;
/// `state`: sections on this record take the slow path (the depth's
/// overflow runs into it too): the record needs hardware fences (no
/// membarrier), or is orphaned (see [`Record::orphan`]), or is [`NONE`].
const SLOW: u64 = 1 << 31;
/// `state`: one epoch (bits 32..64): outermost sections ended so far.
const EPOCH_SHIFT: u32 = 32;
const EPOCH: u64 = 1 << EPOCH_SHIFT;

/// One reading thread's state, alone in its cache lines (readers write it on
/// every lookup; sharing a line would make threads contend).
#[repr(align(128))]
struct Record {
    /// Depth, slow flag and epoch. Written only by the owning thread, read
    /// by writers' grace periods.
    state: AtomicU64,
    /// Whether sections need a hardware fence (no membarrier): the process's
    /// fence mode, set when the record is made (after the mode is decided)
    /// and never changed. Such a record's state is always [`SLOW`], so the
    /// fast path needs no test of its own.
    full_fence: bool,
    /// The record goes back to the free pool when its outermost section
    /// ends: its thread exited inside a section, or borrowed it while
    /// exiting (state [`SLOW`] meanwhile). Only the owning thread touches it.
    orphan: AtomicBool,
    /// Owned by a thread (records are reused after their thread exits).
    in_use: AtomicBool,
    /// The next record; set before the record is published, then constant.
    next: AtomicPtr<Record>,
}

impl Record {
    /// Enters one more section level; returns the record the section uses
    /// (another one when `self` is [`NONE`]).
    #[inline(always)]
    fn enter(&'static self) -> &'static Record {
        let s = self.state.load(Relaxed);
        // Bit 31 of the new value is set only for a slow record or a depth
        // about to overflow: all rare, all in `enter_cold`.
        if s.wrapping_add(1) & SLOW != 0 {
            return self.enter_cold(s);
        }
        self.state.store(s.wrapping_add(1), Relaxed);
        // Not a full-fence record: writers' membarrier supplies the
        // hardware fence.
        compiler_fence(SeqCst);
        self
    }

    #[cold]
    #[inline(never)]
    fn enter_cold(&'static self, s: u64) -> &'static Record {
        if ptr::eq(self, &NONE) {
            return enter_slow();
        }
        if s & DEPTH == DEPTH {
            // 2^31 guards alive (or leaked) on one thread: the depth would
            // run into the epoch, and writers would free what they borrow.
            eprintln!("alien: more than 2^31 nested handle read sections on one thread; aborting");
            std::process::abort();
        }
        self.state.store(s + 1, Relaxed);
        if self.full_fence {
            fence(SeqCst);
        } else {
            compiler_fence(SeqCst);
        }
        self
    }

    /// Leaves one section level.
    #[inline(always)]
    fn leave(&self) {
        let s = self.state.load(Relaxed);
        if s & (DEPTH | SLOW) != 1 {
            return self.leave_cold(s);
        }
        // Release fence, then a plain store: a writer that reads this store
        // (or a later one of this record), then fences with Acquire, sees
        // everything the section did.
        fence(Release);
        // (The epoch wraps: writers only compare it for equality.)
        self.state.store(s.wrapping_add(EPOCH - 1), Relaxed);
    }

    /// A nested section's end, or the end of a slow record's last one.
    #[cold]
    #[inline(never)]
    fn leave_cold(&self, s: u64) {
        if s & DEPTH != 1 {
            // Still inside the outer section: nothing for writers to see.
            self.state.store(s - 1, Relaxed);
            return;
        }
        fence(Release);
        let mut next = s.wrapping_add(EPOCH - 1);
        let orphan = self.orphan.load(Relaxed);
        if orphan && !self.full_fence {
            next &= !SLOW;
        }
        self.state.store(next, Relaxed);
        if orphan {
            self.orphan.store(false, Relaxed);
            self.in_use.store(false, Release);
        }
    }
}

/// The record of a thread that has none (yet, or any more): always slow,
/// never written, never scanned.
static NONE: Record = Record {
    state: AtomicU64::new(SLOW),
    full_fence: false,
    orphan: AtomicBool::new(false),
    in_use: AtomicBool::new(true),
    next: AtomicPtr::new(ptr::null_mut()),
};

/// Every record ever made (they are never freed: one per concurrently
/// reading thread).
static RECORDS: AtomicPtr<Record> = AtomicPtr::new(ptr::null_mut());

/// Every record, in list order.
fn records() -> impl Iterator<Item = &'static Record> {
    let mut p = RECORDS.load(Acquire);
    std::iter::from_fn(move || {
        // SAFETY: records are leaked boxes, never freed; `next` links are
        // set before a record is published (release CAS, acquire load).
        let rec = unsafe { p.as_ref() }?;
        p = rec.next.load(Relaxed);
        Some(rec)
    })
}

thread_local! {
    /// The calling thread's record ([`NONE`] if it has none). No
    /// destructor, so reading it is a plain thread-local load (no
    /// "registered / destroyed" state to check), and never null.
    static REC: Cell<&'static Record> = const { Cell::new(&NONE) };
    /// Releases the thread's record at thread exit (set on first use).
    static OWNER: Owner = const { Owner(Cell::new(None)) };
}

/// Gives the thread's record back when the thread exits.
struct Owner(Cell<Option<&'static Record>>);

impl Drop for Owner {
    fn drop(&mut self) {
        if let Some(rec) = self.0.take() {
            // Later sections on this thread (other thread-locals'
            // destructors) borrow a record each time instead.
            let _ = REC.try_with(|r| r.set(&NONE));
            let s = rec.state.load(Relaxed);
            if s & DEPTH == 0 {
                rec.in_use.store(false, Release);
            } else {
                // A guard outlives the thread's other thread-locals (or was
                // leaked): the end of its section gives the record back.
                rec.orphan.store(true, Relaxed);
                rec.state.store(s | SLOW, Relaxed);
            }
        }
    }
}

const FENCE_UNKNOWN: u8 = 0;
const FENCE_MEMBARRIER: u8 = 1;
const FENCE_SEQCST: u8 = 2;

/// Which fences the process uses; decided once, before the first read
/// section or grace period, and never changed (readers and writers must
/// agree).
static FENCE: AtomicU8 = AtomicU8::new(FENCE_UNKNOWN);
static FENCE_INIT: Once = Once::new();

#[inline(always)]
fn fence_mode() -> u8 {
    match FENCE.load(Acquire) {
        FENCE_UNKNOWN => init_fence_mode(),
        m => m,
    }
}

#[cold]
fn init_fence_mode() -> u8 {
    FENCE_INIT.call_once(|| {
        // `ALIEN_MEMBARRIER=off` forces the portable fences (for testing
        // them, or for a sandbox that kills rather than refuses).
        let off = std::env::var_os("ALIEN_MEMBARRIER").is_some_and(|v| v == "off" || v == "0");
        let mode = if !off && membarrier::register() {
            FENCE_MEMBARRIER
        } else {
            FENCE_SEQCST
        };
        FENCE.store(mode, Release);
    });
    FENCE.load(Acquire)
}

/// Whether writers use membarrier (and readers only compiler fences).
pub(super) fn asymmetric() -> bool {
    fence_mode() == FENCE_MEMBARRIER
}

/// One level of read section on the calling thread: whatever a reader loads
/// inside it that a writer unlinks stays valid until it is dropped. Not
/// `Send`: it must end on the thread (and record) it started on.
pub(super) struct Section {
    rec: &'static Record,
    _not_send: PhantomData<*const ()>,
}

impl Section {
    /// Enters a section (nested in the thread's current one, if any).
    #[inline(always)]
    pub(super) fn enter() -> Section {
        let rec = match REC.try_with(Cell::get) {
            Ok(rec) => rec.enter(),
            Err(_) => enter_slow(),
        };
        Section {
            rec,
            _not_send: PhantomData,
        }
    }
}

impl Drop for Section {
    #[inline(always)]
    fn drop(&mut self) {
        self.rec.leave();
    }
}

/// Enters a section on a thread without a record yet (or whose
/// thread-locals are being destroyed); returns the record it uses.
#[cold]
#[inline(never)]
fn enter_slow() -> &'static Record {
    // The mode first: records are made with it.
    let full_fence = fence_mode() != FENCE_MEMBARRIER;
    let rec = acquire(full_fence);
    let kept = OWNER
        .try_with(|o| {
            o.0.set(Some(rec));
            REC.try_with(|r| r.set(rec)).is_ok()
        })
        .unwrap_or(false);
    if !kept {
        // The thread is exiting: the record is this section's alone, and
        // goes back when it ends.
        rec.orphan.store(true, Relaxed);
        rec.state.store(rec.state.load(Relaxed) | SLOW, Relaxed);
    }
    rec.enter_cold(rec.state.load(Relaxed))
}

/// Runs `f` inside a read section. Sections nest.
#[inline(always)]
pub(super) fn read<R>(f: impl FnOnce() -> R) -> R {
    let _section = Section::enter();
    f()
}

/// A record for the calling thread: a free one, or a new one (with
/// `full_fence`, the process's fence mode; every record has the same).
fn acquire(full_fence: bool) -> &'static Record {
    for rec in records() {
        if !rec.in_use.load(Relaxed)
            && rec
                .in_use
                .compare_exchange(false, true, Acquire, Relaxed)
                .is_ok()
        {
            return rec;
        }
    }
    let rec: &'static Record = Box::leak(Box::new(Record {
        // A full-fence record always takes the slow path (which fences).
        state: AtomicU64::new(if full_fence { SLOW } else { 0 }),
        full_fence,
        orphan: AtomicBool::new(false),
        in_use: AtomicBool::new(true),
        next: AtomicPtr::new(ptr::null_mut()),
    }));
    let mut head = RECORDS.load(Relaxed);
    loop {
        rec.next.store(head, Relaxed);
        match RECORDS.compare_exchange_weak(head, ptr::from_ref(rec).cast_mut(), AcqRel, Relaxed) {
            Ok(_) => return rec,
            Err(h) => head = h,
        }
    }
}

/// The read sections open when a grace period started: the grace period is
/// over when all of them have ended.
#[derive(Default)]
pub(super) struct Readers {
    /// Each open section's record and the record's state when seen.
    open: Vec<(&'static Record, u64)>,
}

impl Readers {
    /// Starts a grace period (after the caller's unlinking stores): a full
    /// barrier on every thread, then the records inside a section. Sections
    /// not listed either ended before, or see the unlinking stores.
    pub(super) fn start() -> Readers {
        if fence_mode() == FENCE_MEMBARRIER {
            membarrier::barrier();
        }
        fence(SeqCst);
        let open = records()
            .filter_map(|rec| {
                let s = rec.state.load(Relaxed);
                (s & DEPTH != 0).then_some((rec, s))
            })
            .collect();
        Readers { open }
    }

    /// Forgets the sections that have ended; true when none is left (the
    /// grace period is over: call [`settled`] before releasing anything).
    pub(super) fn poll(&mut self) -> bool {
        self.open
            .retain(|&(rec, s)| rec.state.load(Relaxed) >> EPOCH_SHIFT == s >> EPOCH_SHIFT);
        self.open.is_empty()
    }

    /// Whether every section has been seen ended (by the last
    /// [`poll`](Self::poll)).
    pub(super) fn is_over(&self) -> bool {
        self.open.is_empty()
    }

    /// Adds `other`'s sections (a grace period over when both are).
    pub(super) fn merge(&mut self, other: Readers) {
        self.open.extend(other.open);
    }

    /// Whether a section still open is worth waiting for: another thread's
    /// (the caller's own cannot end while it waits), and not already open
    /// when one of the `older` grace periods started (then it is a guard
    /// held for long, or leaked).
    fn worth_waiting<'a>(&self, older: impl Iterator<Item = &'a Readers> + Clone) -> bool {
        let me = REC.try_with(Cell::get).ok().map(ptr::from_ref);
        self.open.iter().any(|&(rec, s)| {
            Some(ptr::from_ref(rec)) != me
                && !older.clone().any(|o| {
                    o.open
                        .iter()
                        .any(|&(r, t)| ptr::eq(r, rec) && t >> EPOCH_SHIFT == s >> EPOCH_SHIFT)
                })
        })
    }

    /// Polls until the grace period is over, for at most `patience` while a
    /// section [worth waiting for](Self::worth_waiting) is open; true if it
    /// is over (call [`settled`] before releasing anything).
    pub(super) fn wait<'a>(
        &mut self,
        patience: Duration,
        older: impl Iterator<Item = &'a Readers> + Clone,
    ) -> bool {
        let mut start = None;
        for spin in 0u32.. {
            if self.poll() {
                return true;
            }
            if !self.worth_waiting(older.clone()) {
                return false;
            }
            // Sections are normally a few nanoseconds long: spin first, then
            // let a preempted reader have the CPU, up to `patience`.
            if spin < 64 {
                std::hint::spin_loop();
                continue;
            }
            let t0 = *start.get_or_insert_with(Instant::now);
            if t0.elapsed() >= patience {
                return false;
            }
            if spin < 96 {
                std::thread::yield_now();
            } else {
                std::thread::sleep(Duration::from_micros(20));
            }
        }
        false
    }
}

/// Pairs with the release fence that ends each section: after a grace period
/// was seen over ([`Readers::poll`]), everything its readers did happens
/// before what the caller does next (releasing what they may have read).
pub(super) fn settled() {
    fence(Acquire);
}

#[cfg(target_os = "linux")]
mod membarrier {
    // From <linux/membarrier.h>.
    const CMD_QUERY: libc::c_long = 0;
    const CMD_GLOBAL: libc::c_long = 1;
    const CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    fn call(cmd: libc::c_long) -> libc::c_long {
        // SAFETY: membarrier takes two integer arguments and touches no
        // memory of ours.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                cmd,
                0 as libc::c_long,
                0 as libc::c_long,
            )
        }
    }

    /// Registers the process for expedited private barriers; false if the
    /// kernel does not offer them (then the symmetric fences are used).
    pub(super) fn register() -> bool {
        let want = CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED;
        let supported = call(CMD_QUERY);
        supported >= 0 && supported & want == want && call(CMD_REGISTER_PRIVATE_EXPEDITED) == 0
    }

    /// A full memory barrier on every CPU running a thread of the process.
    pub(super) fn barrier() {
        if call(CMD_PRIVATE_EXPEDITED) == 0 || call(CMD_GLOBAL) == 0 {
            return;
        }
        // Registration succeeded, so this cannot happen on a sane kernel; go
        // on without the guarantee would risk a use-after-free in a reader.
        eprintln!(
            "alien: membarrier failed after registration ({}); aborting rather than freeing memory a lookup may read",
            std::io::Error::last_os_error()
        );
        std::process::abort()
    }
}

#[cfg(not(target_os = "linux"))]
mod membarrier {
    pub(super) fn register() -> bool {
        false
    }

    pub(super) fn barrier() {}
}

#[cfg(test)]
mod tests;
