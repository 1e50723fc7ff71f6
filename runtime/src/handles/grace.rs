//! Read sections and grace periods (a small RCU): what lets lookups read a
//! slot without a lock and without writing shared memory, and lets a writer
//! know when no lookup can still be looking at what it removed.
//!
//! Every thread that reads owns a [`Record`] with a sequence number: odd
//! while the thread is inside a read section, even outside. Only the owner
//! writes it, with plain stores. [`synchronize`] (run by writers, after they
//! unlinked something) issues a heavy fence, then waits, record by record,
//! until each record that was odd has changed. Afterwards, no read section
//! that could have seen the unlinked state is still running.
//!
//! The fences are asymmetric where the kernel allows it (liburcu's `memb`
//! flavour): readers order their "I am reading" store before their loads with
//! a compiler fence only, and writers make that hold with
//! `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which runs a full memory
//! barrier on every CPU running a thread of the process. Without membarrier
//! (other systems, or a kernel or sandbox refusing it), readers use a
//! `SeqCst` fence and writers a `SeqCst` fence too. Either way the pair is the
//! store-buffering pattern with a full fence on each side: if the writer's
//! scan does not see a reader's odd number, the reader's loads see the
//! writer's unlink.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{compiler_fence, fence, AtomicBool, AtomicPtr, AtomicU64, AtomicU8};
use std::sync::Once;

/// One reading thread's sequence number, alone in its cache lines (readers
/// write it on every lookup; sharing a line would make threads contend).
#[repr(align(128))]
struct Record {
    /// Odd inside a read section. Written only by the owning thread.
    seq: AtomicU64,
    /// Whether sections need a hardware fence (no membarrier): the process's
    /// fence mode, set when the record is made (after the mode is decided)
    /// and never changed, kept here so a section reads it from the line it
    /// writes anyway.
    full_fence: bool,
    /// Owned by a thread (records are reused after their thread exits).
    in_use: AtomicBool,
    /// The next record; set before the record is published, then constant.
    next: AtomicPtr<Record>,
}

/// Every record ever made (they are never freed: one per concurrently
/// reading thread).
static RECORDS: AtomicPtr<Record> = AtomicPtr::new(ptr::null_mut());

thread_local! {
    /// The calling thread's record. No destructor, so reading it is a plain
    /// thread-local load (no "registered / destroyed" state to check).
    static REC: Cell<Option<&'static Record>> = const { Cell::new(None) };
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
            let _ = REC.try_with(|r| r.set(None));
            rec.in_use.store(false, Release);
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

/// Runs `f` inside a read section: whatever `f` reads that a writer unlinks
/// stays valid until `f` returns. `f` must not block or run user code (a
/// writer waiting in [`synchronize`] waits for it). Sections nest.
#[inline(always)]
pub(super) fn read<R>(f: impl FnOnce() -> R) -> R {
    match REC.try_with(Cell::get) {
        Ok(Some(rec)) => section(rec, f),
        _ => read_slow(f),
    }
}

/// [`read`] on a thread without a record yet (or whose thread-locals are
/// being destroyed).
#[cold]
#[inline(never)]
fn read_slow<R>(f: impl FnOnce() -> R) -> R {
    // The mode first: records are made with it.
    let full_fence = fence_mode() != FENCE_MEMBARRIER;
    let rec = acquire(full_fence);
    let kept = OWNER
        .try_with(|o| {
            o.0.set(Some(rec));
            REC.try_with(|r| r.set(Some(rec))).is_ok()
        })
        .unwrap_or(false);
    if kept {
        return section(rec, f);
    }
    // The thread is exiting: borrow the record for this section only.
    let r = section(rec, f);
    if OWNER.try_with(|_| ()).is_err() {
        rec.in_use.store(false, Release);
    }
    r
}

#[inline(always)]
fn section<R>(rec: &'static Record, f: impl FnOnce() -> R) -> R {
    let s = rec.seq.load(Relaxed);
    if s & 1 == 1 {
        // Already inside a section on this thread.
        return f();
    }
    rec.seq.store(s + 1, Relaxed);
    if rec.full_fence {
        fence(SeqCst);
    } else {
        // Writers' membarrier supplies the hardware fence.
        compiler_fence(SeqCst);
    }
    let _end = End { rec, next: s + 2 };
    f()
}

/// Ends a read section (also if `f` unwinds).
struct End {
    rec: &'static Record,
    next: u64,
}

impl Drop for End {
    #[inline(always)]
    fn drop(&mut self) {
        // Release fence, then a plain store: a writer that reads this store
        // or any later one of this record, then fences with Acquire, sees
        // everything the section did (a fence-fence synchronisation, which
        // also covers the next section's odd store).
        fence(Release);
        self.rec.seq.store(self.next, Relaxed);
    }
}

/// A record for the calling thread: a free one, or a new one (with
/// `full_fence`, the process's fence mode; every record has the same).
fn acquire(full_fence: bool) -> &'static Record {
    let mut p = RECORDS.load(Acquire);
    // SAFETY: records are leaked boxes, never freed; `next` links are set
    // before a record is published.
    while let Some(rec) = unsafe { p.as_ref() } {
        if !rec.in_use.load(Relaxed)
            && rec
                .in_use
                .compare_exchange(false, true, Acquire, Relaxed)
                .is_ok()
        {
            return rec;
        }
        p = rec.next.load(Relaxed);
    }
    let rec: &'static Record = Box::leak(Box::new(Record {
        seq: AtomicU64::new(0),
        full_fence,
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

/// Waits until every read section that started before this call (more
/// exactly: that could have missed the caller's earlier stores) has ended.
/// Must not be called inside a read section.
pub(super) fn synchronize() {
    if fence_mode() == FENCE_MEMBARRIER {
        membarrier::barrier();
    }
    fence(SeqCst);
    let mut p = RECORDS.load(Acquire);
    // SAFETY: as in `acquire`.
    while let Some(rec) = unsafe { p.as_ref() } {
        let s = rec.seq.load(Relaxed);
        if s & 1 == 1 {
            let mut spins = 0u32;
            while rec.seq.load(Relaxed) == s {
                spins = spins.saturating_add(1);
                if spins < 128 {
                    std::hint::spin_loop();
                } else if spins < 160 {
                    std::thread::yield_now();
                } else {
                    // The reader was preempted inside its (short) section:
                    // let it have the CPU.
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
            }
        }
        p = rec.next.load(Relaxed);
    }
    // Pairs with the release fence that ends each section.
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
